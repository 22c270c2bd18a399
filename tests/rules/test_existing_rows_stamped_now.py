"""existing-rows-stamped-now: a time column added to a table that has rows, with a default of the current
time, gives every existing row the time of the migration."""

from __future__ import annotations

from typing import Any

import pytest

from bot.model.findings import Severity
from tests.conftest import review_sql

TABLES = [("customers", "created_at"), ("invoices", "issued_on")]


def _found(sql: str, **kw: Any) -> list[Any]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "existing-rows-stamped-now"]


@pytest.mark.parametrize(("table", "column"), TABLES)
@pytest.mark.parametrize(
    "default", ["now()", "CURRENT_TIMESTAMP", "statement_timestamp()", "(now() AT TIME ZONE 'utc')"]
)
def test_a_time_column_added_with_the_current_time_stamps_every_existing_row(
    pg, table, column, default
) -> None:  # type: ignore[no-untyped-def]
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, name text);\n"
    added = f"ALTER TABLE {table} ADD COLUMN {column} timestamptz NOT NULL DEFAULT {default};"
    (finding,) = _found(f"{schema}-- migration\n{added}")
    assert f"`{table}.{column}`" in finding.message and "time of the migration" in finding.message
    # what it says: the rows that were there all hold one time, the moment of the statement
    pg.execute(schema)
    pg.execute(f"INSERT INTO {table} VALUES (1, 'a'), (2, 'b')")
    pg.execute(added)
    assert pg.execute(f"SELECT count(DISTINCT {column}) FROM {table}").fetchone() == (1,)


@pytest.mark.parametrize(("table", "column"), TABLES)
def test_mysql_current_timestamp_does_the_same(table: str, column: str) -> None:
    sql = f"CREATE TABLE {table} (id bigint PRIMARY KEY);\n-- migration\nALTER TABLE {table} ADD COLUMN {column} DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP;"
    assert _found(sql, dialect="mysql")


@pytest.mark.parametrize(("table", "column"), TABLES)
@pytest.mark.parametrize(
    "migration",
    [
        # the default set afterwards: existing rows stay NULL
        "ALTER TABLE {t} ADD COLUMN {c} timestamptz;\nALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT now();",
        # filled by the migration itself from the real source
        "ALTER TABLE {t} ADD COLUMN {c} timestamptz NOT NULL DEFAULT now();\nUPDATE {t} SET {c} = '2020-01-01' WHERE id < 100;",
        # a constant date is no time of the migration
        "ALTER TABLE {t} ADD COLUMN {c} timestamptz NOT NULL DEFAULT '2020-01-01';",
        # a table the change creates has no rows to stamp
        "CREATE TABLE {t}_v2 (id bigint PRIMARY KEY);\nALTER TABLE {t}_v2 ADD COLUMN {c} timestamptz NOT NULL DEFAULT now();",
    ],
)
def test_careful_variants_are_quiet(table: str, column: str, migration: str) -> None:
    sql = f"CREATE TABLE {table} (id bigint PRIMARY KEY);\n-- migration\n" + migration.format(
        t=table, c=column
    )
    assert not _found(sql)


@pytest.mark.parametrize("column", ["updated_at", "modified", "last_seen_at", "lastSyncedAt"])
def test_columns_that_record_the_last_change_are_quiet(column: str) -> None:
    sql = f'CREATE TABLE customers (id bigint PRIMARY KEY);\n-- migration\nALTER TABLE customers ADD COLUMN "{column}" timestamptz NOT NULL DEFAULT now();'
    assert not _found(sql)


RAILS = "class AddTimestampsTo{Name} < ActiveRecord::Migration[7.1]\n  def change\n    add_timestamps :{table}{options}\n  end\nend\n"


@pytest.mark.parametrize(("table", "name"), [("customers", "Customers"), ("line_items", "LineItems")])
def test_rails_add_timestamps_with_a_default_of_now(table: str, name: str) -> None:
    base = {"db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY);\n"}
    path = f"db/migrate/20260101000000_add_timestamps_to_{table}.rb"
    now = RAILS.format(Name=name, table=table, options=", default: -> { 'CURRENT_TIMESTAMP' }, null: false")
    (finding,) = _found(now, path=path, base=base)  # created_at only: updated_at records the last change
    assert f"`{table}.created_at`" in finding.message
    assert not _found(RAILS.format(Name=name, table=table, options=", null: true"), path=path, base=base)


def test_knex_timestamps_defaulting_to_now() -> None:
    base = {"db/structure.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);\n"}
    text = "exports.up = (knex) => knex.schema.alterTable('orders', (t) => {\n  t.timestamps(true, true);\n});\nexports.down = () => {};\n"
    (finding,) = _found(text, path="migrations/20260101000000_timestamps.js", base=base)
    assert "`orders.created_at`" in finding.message
    plain = text.replace("timestamps(true, true)", "timestamps()")
    assert not _found(plain, path="migrations/20260101000000_timestamps.js", base=base)


@pytest.mark.parametrize(
    ("column", "type_", "default"),
    [
        ("signing_secret", "uuid", "uuid_in(md5(random()::text || clock_timestamp()::text)::cstring)"),
        ("token", "text", "md5(now()::text || random()::text)"),
    ],
)
def test_a_value_computed_from_the_clock_that_is_no_time_is_quiet(
    column: str, type_: str, default: str
) -> None:
    sql = f"CREATE TABLE users (id bigint PRIMARY KEY);\n-- migration\nALTER TABLE users ADD COLUMN {column} {type_} NOT NULL DEFAULT {default};"
    assert not _found(sql)


@pytest.mark.parametrize(
    ("table", "column", "state"),
    [
        ("documents", "deleted_at", "deleted"),
        ("webhooks", "expires_at", "expired"),
        ("jobs", "processedAt", "processed"),
    ],
)
def test_a_time_that_puts_the_row_in_a_state_puts_every_existing_row_in_it(pg, table, column, state) -> None:  # type: ignore[no-untyped-def]
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, title text)"
    added = f'ALTER TABLE {table} ADD COLUMN "{column}" timestamptz DEFAULT now()'
    (finding,) = _found(f"{schema};\n-- migration\n{added};")
    assert finding.severity is Severity.CRITICAL and f"all of them are {state}" in finding.message
    # what it says: the rows that were there all hold a time, so none reads as "not yet"
    pg.execute(schema)
    pg.execute(f"INSERT INTO {table} VALUES (1, 'a'), (2, 'b')")
    pg.execute(added)
    assert pg.execute(f'SELECT count(*) FROM {table} WHERE "{column}" IS NULL').fetchone() == (0,)


@pytest.mark.parametrize("column", ["endorsed_at", "weekend_starts_at", "trended_at"])
def test_words_that_only_contain_a_state_are_ordinary_times(column: str) -> None:
    sql = f"CREATE TABLE t (id bigint PRIMARY KEY);\n-- migration\nALTER TABLE t ADD COLUMN {column} timestamptz DEFAULT now();"
    (finding,) = _found(sql)
    assert finding.severity is Severity.WARNING


@pytest.mark.parametrize("column", ["foo", "c", "payload"])
def test_a_name_that_says_no_moment_is_quiet(column: str) -> None:
    sql = f"CREATE TABLE t (id bigint PRIMARY KEY);\n-- migration\nALTER TABLE t ADD COLUMN {column} timestamptz DEFAULT now();"
    assert not _found(sql)
