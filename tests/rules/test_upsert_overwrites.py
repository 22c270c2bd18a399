"""upsert-overwrites: a migration's seed upsert that overwrites rows production already has; MySQL's
REPLACE, which deletes them (and what their foreign keys cascade to)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

RULE = "upsert-overwrites"


def _found(sql: str, **kw: Any) -> list[Any]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


@pytest.mark.parametrize(
    ("table", "key", "column"), [("settings", "key", "value"), ("feature_flags", "name", "enabled")]
)
def test_an_upsert_that_overwrites_existing_rows_is_found(table, key, column) -> None:  # type: ignore[no-untyped-def]
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {key} text UNIQUE, {column} text);\n-- migration\n"
    )
    seed = f"INSERT INTO {table} (id, {key}, {column}) VALUES (1, 'a', 'b') ON CONFLICT ({key}) "
    (finding,) = _found(schema + seed + f"DO UPDATE SET {column} = EXCLUDED.{column};")
    assert f"`{column}`" in finding.message and "DO NOTHING" in finding.fix
    assert not _found(schema + seed + "DO NOTHING;")
    # only where it still holds the old seeded value
    assert not _found(
        schema + seed + f"DO UPDATE SET {column} = EXCLUDED.{column} WHERE {table}.{column} = 'old';"
    )
    # a recomputation from other tables overwrites on purpose
    recompute = (
        f"INSERT INTO {table} (id, {key}, {column}) SELECT id, {key}, {column} FROM {table} ON CONFLICT ({key}) "
        f"DO UPDATE SET {column} = EXCLUDED.{column};"
    )
    assert not _found(schema + recompute)
    # a table created in the change has no production rows
    assert not _found(
        schema.replace("-- migration\n", "").replace("CREATE TABLE", "-- migration\nCREATE TABLE")
        + seed
        + f"DO UPDATE SET {column} = EXCLUDED.{column};"
    )


@pytest.mark.parametrize(("table", "column"), [("settings", "value"), ("plans", "price_label")])
def test_mysql_on_duplicate_key_update(table, column) -> None:  # type: ignore[no-untyped-def]
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, code varchar(20) UNIQUE, {column} varchar(50));\n-- migration\n"
    (finding,) = _found(
        schema
        + f"INSERT INTO {table} (id, code, {column}) VALUES (1, 'a', 'b') ON DUPLICATE KEY UPDATE {column} = VALUES({column});",
        dialect="mysql",
    )
    assert f"`{column}`" in finding.message
    assert not _found(
        schema + f"INSERT IGNORE INTO {table} (id, code, {column}) VALUES (1, 'a', 'b');", dialect="mysql"
    )


@pytest.mark.parametrize(("parent", "child"), [("accounts", "members"), ("teams", "invites")])
def test_replace_deletes_the_row_and_what_cascades_from_it(mariadb, parent, child) -> None:  # type: ignore[no-untyped-def]
    schema = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY, name varchar(50) NOT NULL);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, parent_id bigint NOT NULL, "
        f"FOREIGN KEY (parent_id) REFERENCES {parent} (id) ON DELETE CASCADE);\n"
    )
    change = f"REPLACE INTO {parent} (id, name) VALUES (1, 'Main');"
    (finding,) = _found(schema + "-- migration\n" + change, dialect="mysql")
    assert finding.severity.value == "critical" and f"`{child}`" in finding.blast_radius
    with mariadb.cursor() as cursor:
        for statement in schema.strip().split(";\n"):
            cursor.execute(statement.rstrip(";"))
        cursor.execute(f"INSERT INTO {parent} VALUES (1, 'Old')")
        cursor.execute(f"INSERT INTO {child} VALUES (10, 1)")
        cursor.execute(change.rstrip(";"))
        cursor.execute(f"SELECT count(*) FROM {child}")
        assert cursor.fetchone() == (0,)  # the child went with the replaced row
    no_children = f"CREATE TABLE {parent} (id bigint PRIMARY KEY, name varchar(50) NOT NULL);\n-- migration\n"
    (plain,) = _found(no_children + change, dialect="mysql")
    assert plain.severity.value == "warning"


@pytest.mark.parametrize(("table", "key"), [("settings", "name"), ("plans", "code")])
def test_an_upsert_of_keys_the_migrations_never_seeded_is_a_rerunnable_insert(table, key) -> None:  # type: ignore[no-untyped-def]
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {key} text UNIQUE, v text);\n"
        f"INSERT INTO {table} (id, {key}, v) VALUES (1, 'seeded', 'a');\n-- migration\n"
    )
    upsert = f"INSERT INTO {table} (id, {key}, v) VALUES ({{id}}, '{{k}}', 'b') ON CONFLICT ({key}) DO UPDATE SET v = EXCLUDED.v;"
    assert _found(schema + upsert.format(id=1, k="seeded"))
    assert not _found(schema + upsert.format(id=2, k="brand_new"))
