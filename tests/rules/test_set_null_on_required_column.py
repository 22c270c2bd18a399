"""set-null-on-required-column: a foreign key whose action writes NULL (SET NULL, or SET DEFAULT without a
default) into a NOT NULL column, however the contradiction is reached: the key declared on a required column,
or the column made NOT NULL under an existing key. PostgreSQL then refuses every delete of a referenced parent
and MySQL/MariaDB refuse the statement (both shown on the real servers below)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

RULE = "set-null-on-required-column"
NAMES = [("users", "orders", "user_id"), ("projects", "tasks", "project_id")]


def _found(sql: str, dialect: str = "postgres", **kw: Any) -> list[str]:
    return [f.message for f in review_sql(sql, dialect=dialect, **kw).active if f.rule == RULE]


def _pg_schema(parent: str, child: str, key: str, action: str = "ON DELETE SET NULL") -> str:
    return (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {key} bigint,\n"
        f"  CONSTRAINT {child}_{key}_fk FOREIGN KEY ({key}) REFERENCES {parent} (id) {action});\n-- migration\n"
    )


@pytest.mark.parametrize(("parent", "child", "key"), NAMES)
def test_a_column_made_not_null_under_a_set_null_key(parent: str, child: str, key: str) -> None:
    schema = _pg_schema(parent, child, key)
    (message,) = _found(schema + f"ALTER TABLE {child} ALTER COLUMN {key} SET NOT NULL;")
    assert f"`{child}.{key}` is NOT NULL" in message and f"every delete of a `{parent}` row" in message
    on_update = _pg_schema(parent, child, key, "ON UPDATE SET NULL")
    (message,) = _found(on_update + f"ALTER TABLE {child} ALTER COLUMN {key} SET NOT NULL;")
    assert "every key change" in message
    # the key changed to RESTRICT first, or the column left nullable: nothing contradicts
    assert not _found(
        schema + f"ALTER TABLE {child} DROP CONSTRAINT {child}_{key}_fk,\n"
        f"  ADD CONSTRAINT {child}_{key}_fk FOREIGN KEY ({key}) REFERENCES {parent} (id) ON DELETE RESTRICT;\n"
        f"ALTER TABLE {child} ALTER COLUMN {key} SET NOT NULL;"
    )
    assert not _found(schema + f"ALTER TABLE {child} ALTER COLUMN {key} SET DEFAULT 0;")
    assert not _found(
        _pg_schema(parent, child, key, "ON DELETE CASCADE")
        + f"ALTER TABLE {child} ALTER COLUMN {key} SET NOT NULL;"
    )


@pytest.mark.parametrize(("parent", "child", "key"), NAMES)
def test_a_set_null_key_declared_on_a_required_column(parent: str, child: str, key: str) -> None:
    base = f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n-- migration\n"
    assert _found(
        base
        + f"CREATE TABLE {child} (id bigint PRIMARY KEY, {key} bigint NOT NULL REFERENCES {parent} (id) ON DELETE SET NULL);"
    )
    assert not _found(
        base
        + f"CREATE TABLE {child} (id bigint PRIMARY KEY, {key} bigint REFERENCES {parent} (id) ON DELETE SET NULL);"
    )
    schema = _pg_schema(parent, child, key, "")
    assert _found(
        schema
        + f"ALTER TABLE {child} ADD COLUMN reviewer_id bigint NOT NULL DEFAULT 0 REFERENCES {parent} (id) ON DELETE SET NULL;"
    )
    # SET DEFAULT writes NULL where the column has no default; with one, the children keep a valid value
    assert _found(
        schema
        + f"ALTER TABLE {child} ADD COLUMN owner_id bigint NOT NULL REFERENCES {parent} (id) ON DELETE SET DEFAULT;"
    )
    assert not _found(
        schema
        + f"ALTER TABLE {child} ADD COLUMN owner_id bigint NOT NULL DEFAULT 1 REFERENCES {parent} (id) ON DELETE SET DEFAULT;"
    )


@pytest.mark.parametrize(("parent", "child", "key"), NAMES)
def test_a_contradiction_the_schema_already_had_is_not_this_change(parent: str, child: str, key: str) -> None:
    schema = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {key} bigint NOT NULL REFERENCES {parent} (id) ON DELETE SET NULL,"
        " note text);\n-- migration\n"
    )
    assert not _found(schema + f"ALTER TABLE {child} ADD COLUMN extra text;")


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
@pytest.mark.parametrize(("parent", "child", "key"), NAMES)
def test_mysql_refuses_the_statement(parent: str, child: str, key: str, dialect: str) -> None:
    schema = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {key} bigint,\n"
        f"  CONSTRAINT {child}_{key}_fk FOREIGN KEY ({key}) REFERENCES {parent} (id) ON DELETE SET NULL);\n-- migration\n"
    )
    (message,) = _found(schema + f"ALTER TABLE {child} MODIFY {key} bigint NOT NULL;", dialect)
    assert "refuses this statement" in message and "1830" in message
    assert not _found(schema + f"ALTER TABLE {child} MODIFY {key} bigint NULL;", dialect)


@pytest.mark.parametrize(("parent", "child"), [("users", "orders"), ("teams", "members")])
def test_rails_nullify_keys(parent: str, child: str) -> None:
    ref = parent[:-1]
    base = {
        "db/migrate/20240101000000_create.rb": (
            "class Create < ActiveRecord::Migration[7.1]\n  def change\n"
            f"    create_table :{parent} do |t|\n      t.string :name\n    end\n"
            f"    create_table :{child} do |t|\n      t.references :{ref}, foreign_key: {{ on_delete: :nullify }}\n"
            "    end\n  end\nend\n"
        )
    }

    def found(body: str, dialect: str = "postgres") -> list[str]:
        text = f"class Change < ActiveRecord::Migration[7.1]\n  def change\n{body}  end\nend\n"
        return _found(text, dialect, path="db/migrate/20240201000000_change.rb", base=base)

    assert found(f"    change_column_null :{child}, :{ref}_id, false\n")
    assert found(f"    change_column_null :{child}, :{ref}_id, false\n", "mysql")
    assert found(
        f"    add_reference :{child}, :owner, null: false, foreign_key: {{ to_table: :{parent}, on_delete: :nullify }}\n"
    )
    assert not found(
        f"    add_reference :{child}, :owner, foreign_key: {{ to_table: :{parent}, on_delete: :nullify }}\n"
    )
    assert not found(
        f"    add_reference :{child}, :owner, null: false, foreign_key: {{ to_table: :{parent}, on_delete: :cascade }}\n"
    )


_PHP = (
    "<?php\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
    "use Illuminate\\Support\\Facades\\Schema;\n"
    "return new class extends Migration {{\n    public function up(): void\n    {{\n"
    "        Schema::create('{table}', function (Blueprint $table) {{\n            $table->id();\n"
    "            {column}\n        }});\n    }}\n}};\n"
)


@pytest.mark.parametrize(("parent", "child"), [("users", "posts"), ("teams", "projects")])
def test_laravel_null_on_delete_without_nullable(parent: str, child: str) -> None:
    base = {
        f"database/migrations/2024_01_01_000000_create_{parent}.php": _PHP.format(
            table=parent, column="$table->string('name');"
        )
    }
    key = f"{parent[:-1]}_id"

    def found(column: str) -> list[str]:
        text = _PHP.format(table=child, column=column)
        path = f"database/migrations/2024_02_01_000000_create_{child}.php"
        return _found(text, "mysql", path=path, base=base)

    assert found(f"$table->foreignId('{key}')->constrained()->nullOnDelete();")
    assert found(f"$table->foreignId('{key}')->constrained()->onDelete('set null');")
    assert not found(f"$table->foreignId('{key}')->nullable()->constrained()->nullOnDelete();")
    assert not found(f"$table->foreignId('{key}')->constrained()->cascadeOnDelete();")


def test_the_servers_behave_as_the_rule_says(mariadb: Any) -> None:  # type: ignore[no-untyped-def]
    import psycopg
    import pymysql

    from tests.conftest import PG_DSN

    cursor = mariadb.cursor()
    cursor.execute("CREATE TABLE snr_users (id bigint PRIMARY KEY)")
    cursor.execute(
        "CREATE TABLE snr_orders (id bigint PRIMARY KEY, user_id bigint, CONSTRAINT snr_fk FOREIGN KEY (user_id) "
        "REFERENCES snr_users (id) ON DELETE SET NULL)"
    )
    with pytest.raises(pymysql.err.OperationalError, match="1830"):
        cursor.execute("ALTER TABLE snr_orders MODIFY user_id bigint NOT NULL")
    with psycopg.connect(PG_DSN) as connection:
        connection.execute("CREATE TEMP TABLE snr_users (id bigint PRIMARY KEY)")
        connection.execute(
            "CREATE TEMP TABLE snr_orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES snr_users (id) "
            "ON DELETE SET NULL)"
        )
        connection.execute("INSERT INTO snr_users VALUES (1)")
        connection.execute("INSERT INTO snr_orders VALUES (1, 1)")
        with pytest.raises(psycopg.errors.NotNullViolation):
            connection.execute("DELETE FROM snr_users WHERE id = 1")


@pytest.mark.parametrize(("parent", "child", "key"), NAMES)
@pytest.mark.parametrize("dialect", ["postgres", "mariadb"])
@pytest.mark.parametrize(
    ("column", "reported"),
    [
        ("bigint NOT NULL REFERENCES {parent} (id) ON UPDATE SET NULL", True),
        ("bigint NOT NULL REFERENCES {parent} (id) ON DELETE CASCADE ON UPDATE SET NULL", True),
        ("bigint REFERENCES {parent} (id) ON UPDATE SET NULL", False),
        ("bigint NOT NULL REFERENCES {parent} (id) ON UPDATE CASCADE", False),
    ],
)
def test_an_inline_key_that_sets_null_on_update(  # type: ignore[no-untyped-def]
    parent, child, key, dialect, column, reported
) -> None:
    sql = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n-- migration\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {key} {column.format(parent=parent)});"
    )
    found = _found(sql, dialect)
    assert bool(found) is reported
    assert not found or "ON UPDATE SET NULL" in found[0]
