"""Statements that fail on every database, whatever rows it holds: an INSERT that leaves a NOT NULL column
out, literal rows whose unique key an earlier migration already inserted (or that repeat it), a default the
column's enum type or CHECK refuses. Each is shown failing on the real database."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

NAMES = [("settings", "name", "value"), ("feature_flags", "flag_key", "state")]


def _rules(sql: str, dialect: str, rule: str) -> list[str]:
    return [f.message for f in review_sql(sql, dialect=dialect).active if f.rule == rule]


def _fails(pg: Any, statements: str) -> bool:
    try:
        with pg.transaction():
            pg.execute(statements)
    except Exception:
        return True
    return False


@pytest.mark.parametrize(("table", "key", "other"), NAMES)
@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
def test_an_insert_leaving_out_a_not_null_column_without_default_fails(
    dialect: str, table: str, key: str, other: str
) -> None:
    schema = f"CREATE TABLE {table} (id integer PRIMARY KEY, {key} text NOT NULL, {other} text NOT NULL);\n"
    bad = f"{schema}-- migration\nINSERT INTO {table} (id, {key}) VALUES (1, 'a');\n"
    [message] = _rules(bad, dialect, "null-into-not-null")
    assert f"`{table}.{other}` is NOT NULL without a default" in message
    with_default = schema.replace(f"{other} text NOT NULL", f"{other} text NOT NULL DEFAULT ''")
    assert (
        _rules(
            f"{with_default}-- migration\nINSERT INTO {table} (id, {key}) VALUES (1, 'a');\n",
            dialect,
            "null-into-not-null",
        )
        == []
    )
    named = f"{schema}-- migration\nINSERT INTO {table} (id, {key}, {other}) VALUES (1, 'a', 'b');\n"
    assert _rules(named, dialect, "null-into-not-null") == []


@pytest.mark.parametrize(("table", "key", "other"), NAMES)
def test_the_left_out_column_fails_on_postgresql_and_mariadb(
    pg: Any, mariadb: Any, table: str, key: str, other: str
) -> None:
    schema = f"CREATE TABLE {table} (id integer PRIMARY KEY, {key} text NOT NULL, {other} text NOT NULL)"
    insert = f"INSERT INTO {table} (id, {key}) VALUES (1, 'a')"
    assert _fails(pg, f"{schema}; {insert}")
    with mariadb.cursor() as cursor:
        cursor.execute("SET SESSION sql_mode = 'STRICT_TRANS_TABLES'")
        cursor.execute(schema.replace(" text", " varchar(40)"))
        with pytest.raises(Exception, match="default value"):
            cursor.execute(insert)
        cursor.execute(f"DROP TABLE {table}")


@pytest.mark.parametrize(("table", "key", "other"), NAMES)
@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
def test_literal_rows_with_a_key_already_inserted_fail(
    dialect: str, table: str, key: str, other: str
) -> None:
    schema = (
        f"CREATE TABLE {table} (id integer PRIMARY KEY, {key} text UNIQUE, {other} text);\n"
        f"INSERT INTO {table} (id, {key}, {other}) VALUES (1, 'beta', 'on');\n"
    )
    again = f"{schema}-- migration\nINSERT INTO {table} (id, {key}, {other}) VALUES (2, 'beta', 'off');\n"
    [message] = _rules(again, dialect, "insert-collision")
    assert (
        f"`('beta')` into the unique key `{table}({key})`, and an earlier migration already inserted"
        in message
    )
    twice = f"{schema}-- migration\nINSERT INTO {table} (id, {key}) VALUES (2, 'gamma'), (3, 'gamma');\n"
    [message] = _rules(twice, dialect, "insert-collision")
    assert "the same INSERT lists it twice" in message
    # another key; the row deleted first; or renamed by an UPDATE: nothing collides
    for fine in (
        f"INSERT INTO {table} (id, {key}) VALUES (2, 'gamma');\n",
        f"DELETE FROM {table} WHERE {key} = 'beta';\nINSERT INTO {table} (id, {key}) VALUES (2, 'beta');\n",
        f"UPDATE {table} SET {key} = 'beta-old' WHERE id = 1;\nINSERT INTO {table} (id, {key}) VALUES (2, 'beta');\n",
    ):
        assert _rules(f"{schema}-- migration\n{fine}", dialect, "insert-collision") == [], fine
    skipped = "ON CONFLICT DO NOTHING" if dialect != "mysql" else ""
    if skipped:
        ignore = f"{schema}-- migration\nINSERT INTO {table} (id, {key}) VALUES (2, 'beta') {skipped};\n"
        assert _rules(ignore, dialect, "insert-collision") == []


def test_an_insert_in_a_branch_of_a_do_block_is_no_seeded_row() -> None:
    """The two INSERTs of an IF and its ELSE never both run: the second repeats no key."""
    sql = (
        "CREATE TABLE schedule (id serial PRIMARY KEY, vendor text, vendor_id int, UNIQUE (vendor, vendor_id));\n"
        "CREATE TABLE jobs (id serial PRIMARY KEY, params text);\n-- migration\n"
        "DO $$\nDECLARE j RECORD;\nBEGIN\n  FOR j IN SELECT * FROM jobs LOOP\n    IF j.params <> '' THEN\n"
        "      INSERT INTO schedule (vendor, vendor_id) VALUES ('GC', -1);\n    ELSE\n"
        "      INSERT INTO schedule (vendor, vendor_id) VALUES ('GC', -1);\n    END IF;\n  END LOOP;\nEND $$;\n"
    )
    assert _rules(sql, "postgres", "insert-collision") == []


@pytest.mark.parametrize(("table", "key", "other"), NAMES)
def test_the_repeated_key_fails_on_postgresql(pg: Any, table: str, key: str, other: str) -> None:
    schema = f"CREATE TABLE {table} (id integer PRIMARY KEY, {key} text UNIQUE); INSERT INTO {table} VALUES (1, 'beta')"
    assert _fails(pg, f"{schema}; INSERT INTO {table} VALUES (2, 'beta')")
    assert not _fails(pg, f"{schema}; INSERT INTO {table} VALUES (2, 'beta') ON CONFLICT DO NOTHING")


@pytest.mark.parametrize(
    ("enum", "labels", "column"), [("role", ("admin", "member"), "kind"), ("tier", ("free", "pro"), "plan")]
)
def test_a_default_the_enum_type_lacks_fails_on_postgresql(
    pg: Any, enum: str, labels: tuple[str, str], column: str
) -> None:
    schema = f"CREATE TYPE {enum} AS ENUM ('{labels[0]}', '{labels[1]}');\nCREATE TABLE accounts (id serial PRIMARY KEY);\n"
    bad = f"ALTER TABLE accounts ADD COLUMN {column} {enum} NOT NULL DEFAULT 'guest';\n"
    good = f"ALTER TABLE accounts ADD COLUMN {column} {enum} NOT NULL DEFAULT '{labels[1]}';\n"
    [message] = _rules(f"{schema}-- migration\n{bad}", "postgres", "value-not-allowed")
    assert f"gets the default 'guest', which its enum type `{enum}` refuses" in message
    assert _rules(f"{schema}-- migration\n{good}", "postgres", "value-not-allowed") == []
    assert _fails(pg, schema + bad)
    assert not _fails(pg, schema + good)


@pytest.mark.parametrize(("table", "column"), [("orders", "state"), ("tickets", "priority")])
def test_a_default_the_check_refuses_breaks_every_insert_that_relies_on_it(
    pg: Any, table: str, column: str
) -> None:
    schema = (
        f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} text CHECK ({column} IN ('low', 'high')));\n"
    )
    bad = f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT 'medium';\n"
    [message] = _rules(f"{schema}-- migration\n{bad}", "postgres", "value-not-allowed")
    assert "Every INSERT" in next(
        f.blast_radius
        for f in review_sql(f"{schema}-- migration\n{bad}", dialect="postgres").active
        if f.rule == "value-not-allowed"
    )
    assert message.startswith(f"`{table}.{column}` gets the default 'medium'")
    good = f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT 'low';\n"
    assert _rules(f"{schema}-- migration\n{good}", "postgres", "value-not-allowed") == []
    assert not _fails(pg, schema + bad)  # accepted …
    assert _fails(
        pg, f"{schema}{bad}INSERT INTO {table} DEFAULT VALUES;"
    )  # … and every insert relying on it fails


@pytest.mark.parametrize(("table", "column"), [("settings", "value"), ("metrics", "values")])
@pytest.mark.parametrize("dialect", ["mysql", "sqlite"])
def test_a_column_named_value_is_no_values_keyword(dialect: str, table: str, column: str) -> None:
    """MySQL and SQLite rows are read without the parser: a column called `value` in the column list must not
    be taken for the VALUES keyword (the rows were lost, and the seeded row with them)."""
    schema = (
        f"CREATE TABLE {table} (id integer PRIMARY KEY, name varchar(40) UNIQUE, {column} varchar(40));\n"
        f"INSERT INTO {table} (id, name, {column}) VALUES (1, 'theme', 'dark');\n"
    )
    again = f"{schema}-- migration\nINSERT INTO {table} (id, name, {column}) VALUES (2, 'theme', 'light');\n"
    [message] = _rules(again, dialect, "insert-collision")
    assert f"`('theme')` into the unique key `{table}(name)`" in message
