"""guarded-create-skipped: `CREATE … IF NOT EXISTS` of an object the schema has, with a definition the existing one
lacks, is skipped by the database (shown on the real PostgreSQL below): the columns or the index it defines are
never made where it matters. The table it names keeps its rows, so what follows it is judged as on an existing
table."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql, rule_ids

RULE = "guarded-create-skipped"
NAMES = [("events", "kind", "payload"), ("invoices", "number", "paid_at")]


def _schema(table: str, column: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text, created_at timestamptz);\n"
        f"CREATE INDEX {table}_{column}_idx ON {table} ({column});\n-- migration\n"
    )


def _found(sql: str, dialect: str = "postgres") -> list[str]:
    return [f.message for f in review_sql(sql, dialect=dialect).active if f.rule == RULE]


@pytest.mark.parametrize("dialect", ["postgres", "sqlite", "mysql"])
@pytest.mark.parametrize(("table", "column", "new"), NAMES)
def test_a_guarded_create_that_differs_is_skipped(table: str, column: str, new: str, dialect: str) -> None:
    schema = _schema(table, column)
    (message,) = _found(
        schema + f"CREATE TABLE IF NOT EXISTS {table} (id bigint PRIMARY KEY, {column} text, {new} text);",
        dialect,
    )
    assert f"has no `{new}`" in message
    (message,) = _found(
        schema + f"CREATE UNIQUE INDEX IF NOT EXISTS {table}_{column}_idx ON {table} ({column});", dialect
    )
    assert "without UNIQUE" in message
    (message,) = _found(
        schema + f"CREATE INDEX IF NOT EXISTS {table}_{column}_idx ON {table} ({column}, created_at);",
        dialect,
    )
    assert f"over ({column}) instead of ({column}, created_at)" in message


@pytest.mark.parametrize("dialect", ["postgres", "sqlite", "mysql"])
@pytest.mark.parametrize(("table", "column", "new"), NAMES)
def test_a_guarded_create_of_the_same_or_of_a_new_object_is_quiet(
    table: str, column: str, new: str, dialect: str
) -> None:
    schema = _schema(table, column)
    for sql in (
        f"CREATE TABLE IF NOT EXISTS {table} (id bigint PRIMARY KEY, {column} text);",  # fewer columns: nothing lost
        f"CREATE TABLE IF NOT EXISTS {table}_archive (id bigint PRIMARY KEY, {new} text);",
        f"CREATE INDEX IF NOT EXISTS {table}_{column}_idx ON {table} ({column});",
        f"CREATE INDEX IF NOT EXISTS {table}_{new}_idx ON {table} (created_at);",
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {new} text;",
    ):
        assert not _found(schema + sql, dialect), sql
    # a file that re-creates several existing tables is a baseline (or a script run on every start)
    baseline = schema.replace(
        "-- migration\n", "CREATE TABLE other (id bigint PRIMARY KEY);\n-- migration\n"
    ) + (
        f"CREATE TABLE IF NOT EXISTS {table} (id bigint PRIMARY KEY, {new} text);\n"
        "CREATE TABLE IF NOT EXISTS other (id bigint PRIMARY KEY, note text);"
    )
    assert not _found(baseline, dialect)


@pytest.mark.parametrize(("table", "column", "new"), NAMES)
def test_a_table_the_guard_skips_keeps_its_rows(table: str, column: str, new: str) -> None:
    """The index built after a guarded create of an existing table is built on that table, rows and all."""
    sql = _schema(table, column) + (
        f"CREATE TABLE IF NOT EXISTS {table} (id bigint PRIMARY KEY, {column} text, created_at timestamptz);\n"
        f"CREATE INDEX {table}_created_idx ON {table} (created_at);"
    )
    assert "non-concurrent-index" in rule_ids(review_sql(sql, dialect="postgres"))
    fresh = (
        f"-- migration\nCREATE TABLE IF NOT EXISTS {table} (id bigint PRIMARY KEY, created_at timestamptz);\n"
        + (f"CREATE INDEX {table}_created_idx ON {table} (created_at);")
    )
    assert "non-concurrent-index" not in rule_ids(review_sql(fresh, dialect="postgres"))


def test_postgres_skips_the_whole_statement(pg: Any) -> None:
    pg.execute("CREATE TEMP TABLE gcs_events (id bigint PRIMARY KEY, kind text)")
    pg.execute("CREATE INDEX gcs_events_kind_idx ON gcs_events (kind)")
    pg.execute("CREATE TEMP TABLE IF NOT EXISTS gcs_events (id bigint PRIMARY KEY, kind text, payload jsonb)")
    pg.execute("CREATE UNIQUE INDEX IF NOT EXISTS gcs_events_kind_idx ON gcs_events (kind)")
    columns = pg.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = 'gcs_events'::regclass AND attnum > 0"
    ).fetchall()
    assert sorted(c[0] for c in columns) == ["id", "kind"]
    unique = pg.execute(
        "SELECT indisunique FROM pg_index WHERE indexrelid = 'gcs_events_kind_idx'::regclass"
    ).fetchone()
    assert unique == (False,)
