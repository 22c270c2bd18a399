"""`primary-key-dropped`: a primary key dropped while foreign keys reference it fails (or, with CASCADE, drops
them); one dropped with no replacement is a warning; a key swapped in the same migration is quiet."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("users", "orders", "user_id"), ("accounts", "invoices", "account_id")]


def _schema(parent: str, child: str, column: str, inline: bool = True) -> str:
    reference = (
        f"{column} bigint REFERENCES {parent} (id))"
        if inline
        else f"{column} bigint, CONSTRAINT {child}_{column}_fk FOREIGN KEY ({column}) REFERENCES {parent} (id))"
    )
    return (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY, uuid uuid NOT NULL);\n"
        f"CREATE UNIQUE INDEX {parent}_uuid_key ON {parent} (uuid);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {reference};\n-- migration\n"
    )


def _found(sql: str, dialect: str | None = None) -> list:  # type: ignore[type-arg]
    return [f for f in review_sql(sql, dialect=dialect).active if f.rule == "primary-key-dropped"]


@pytest.mark.parametrize(("parent", "child", "column"), NAMES)
@pytest.mark.parametrize("inline", [True, False])
def test_a_key_foreign_keys_reference_cannot_be_dropped(
    parent: str, child: str, column: str, inline: bool
) -> None:
    [finding] = _found(
        _schema(parent, child, column, inline) + f"ALTER TABLE {parent} DROP CONSTRAINT {parent}_pkey;"
    )
    assert finding.severity.value == "critical" and f"`{child}.{column}`" in finding.message
    assert "fails" in finding.blast_radius


@pytest.mark.parametrize(("parent", "child", "column"), NAMES)
def test_cascade_drops_the_foreign_keys_too(parent: str, child: str, column: str) -> None:
    [finding] = _found(
        _schema(parent, child, column) + f"ALTER TABLE {parent} DROP CONSTRAINT {parent}_pkey CASCADE;"
    )
    assert finding.severity.value == "critical" and "CASCADE" in finding.message


@pytest.mark.parametrize(("parent", "child", "column"), NAMES)
def test_a_key_nothing_references_is_a_warning(parent: str, child: str, column: str) -> None:
    [finding] = _found(_schema(parent, child, column) + f"ALTER TABLE {child} DROP CONSTRAINT {child}_pkey;")
    assert finding.severity.value == "warning" and "replica identity" in finding.blast_radius


@pytest.mark.parametrize(("parent", "child", "column"), NAMES)
def test_a_key_swapped_in_the_same_migration_or_a_dropped_table_is_quiet(
    parent: str, child: str, column: str
) -> None:
    swap = (
        f"ALTER TABLE {child} DROP CONSTRAINT {child}_pkey;\n"
        f"ALTER TABLE {child} ADD CONSTRAINT {child}_pkey PRIMARY KEY (id, {column});"
    )
    assert not _found(_schema(parent, child, column) + swap)
    assert not _found(
        _schema(parent, child, column)
        + f"ALTER TABLE {child} DROP CONSTRAINT {child}_pkey;\nDROP TABLE {child};"
    )


@pytest.mark.parametrize(("parent", "child", "column"), NAMES)
def test_mysql_drop_primary_key(parent: str, child: str, column: str) -> None:
    schema = (
        f"CREATE TABLE {parent} (id bigint AUTO_INCREMENT PRIMARY KEY);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {column} bigint, FOREIGN KEY ({column}) REFERENCES {parent} (id));\n-- migration\n"
    )
    [finding] = _found(schema + f"ALTER TABLE {parent} DROP PRIMARY KEY;", dialect="mysql")
    assert finding.severity.value == "critical"
    assert not _found(
        schema + f"ALTER TABLE {child} DROP PRIMARY KEY, ADD PRIMARY KEY (id, {column});", dialect="mysql"
    )


@pytest.mark.parametrize("dialect", ["mysql", "postgres"])
@pytest.mark.parametrize(("parent", "child"), [("users", "posts"), ("teams", "members")])
def test_laravel_drop_primary_without_a_name_is_the_tables_key(dialect: str, parent: str, child: str) -> None:
    header = (
        "<?php\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
        "use Illuminate\\Support\\Facades\\Schema;\n\nreturn new class extends Migration {\n"
        "    public function up(): void\n    {\n"
    )
    base = {
        "composer.json": "{}",
        "database/migrations/2024_01_01_000000_create.php": header
        + f"        Schema::create('{parent}', function (Blueprint $table) {{ $table->id(); }});\n"
        + f"        Schema::create('{child}', function (Blueprint $table) {{ $table->id(); "
        + f"$table->foreignId('{parent[:-1]}_id')->constrained(); }});\n    }}\n}};\n",
    }
    text = (
        header
        + f"        Schema::table('{parent}', function (Blueprint $table) {{ $table->dropPrimary(); }});\n    }}\n}};\n"
    )
    review = review_sql(
        text, path="database/migrations/2025_01_01_000000_drop.php", base=base, dialect=dialect
    )
    [finding] = [f for f in review.active if f.rule == "primary-key-dropped"]
    assert finding.severity.value == "critical" and f"`{child}.{parent[:-1]}_id`" in finding.message
