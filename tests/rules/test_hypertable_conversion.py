"""hypertable-conversion: TimescaleDB's `create_hypertable` on a table the change did not create. With
`migrate_data` it copies every row into chunks under an ACCESS EXCLUSIVE lock (severity by the table's size, as
for the other locks); without it, it refuses a table that holds a row ("table … is not empty"), and a second
call without `if_not_exists` refuses a table that already is a hypertable. Both signatures (the old one with the
time column, the one of 2.13 on with `by_range(…)`), arguments named or in their place.

The behaviour is TimescaleDB's own (`ts_hypertable_create_internal`: `table_open(…, AccessExclusiveLock)`, the
`is not empty` error without `migrate_data`, the rows moved to chunks before the lock is released); no TimescaleDB
server is installed here to run it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.model.config import Config
from bot.model.facts import Facts, TableFacts
from tests.conftest import review_sql

RULE = "hypertable-conversion"
NAMES = [("conditions", "time"), ("sensor_readings", "recorded_at")]


def _schema(table: str, column: str) -> str:
    return f"CREATE TABLE {table} (id bigint, {column} timestamptz NOT NULL, value double precision);\n"


def _found(sql: str, **options: Any) -> list[Any]:
    return [f for f in review_sql(sql, **options).active if f.rule == RULE]


def _migrating(table: str, column: str) -> list[str]:
    return [
        f"SELECT create_hypertable('{table}', '{column}', migrate_data => TRUE);",
        f"SELECT create_hypertable('{table}', by_range('{column}'), migrate_data => true);",
        f"SELECT create_hypertable('public.{table}'::regclass, '{column}', chunk_time_interval => INTERVAL '1 day', "
        "migrate_data := 'true');",
        f"SELECT create_hypertable('{table}', by_range('{column}'), true, false, true);",
        f"SELECT create_hypertable('{table}', '{column}', NULL, NULL, NULL, NULL, INTERVAL '7 days', TRUE, FALSE, "
        "NULL, TRUE);",
        f"SELECT * FROM create_hypertable('{table}', by_range('{column}', INTERVAL '1 day'), migrate_data => true);",
    ]


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_migrate_data_copies_the_rows_under_an_exclusive_lock(table: str, column: str) -> None:
    for call in _migrating(table, column):
        (finding,) = _found(f"{_schema(table, column)}-- migration\n{call}")
        assert finding.severity == "critical", call
        assert "copies every row" in finding.message and "ACCESS EXCLUSIVE" in finding.message
        assert "in batches" in finding.fix
    call = _migrating(table, column)[1]
    (small,) = _found(f"{_schema(table, column)}-- migration\n{call}", config=Config(small_tables=(table,)))
    assert small.severity == "warning"
    empty = Facts("replica", "postgres", "t", tables=(TableFacts(table, 0, 8192, "count"),))
    assert not _found(f"{_schema(table, column)}-- migration\n{call}", facts=empty)


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_without_migrate_data_a_table_with_rows_is_refused(table: str, column: str) -> None:
    for call in (
        f"SELECT create_hypertable('{table}', '{column}');",
        f"SELECT create_hypertable('{table}', by_range('{column}'), if_not_exists => TRUE);",
        f"SELECT create_hypertable('{table}', '{column}', migrate_data => false);",
    ):
        (finding,) = _found(f"{_schema(table, column)}-- migration\n{call}")
        assert finding.severity == "critical" and "is not empty" in finding.message, call
    seeded = f"{_schema(table, column)}INSERT INTO {table} (id, {column}) VALUES (1, now());\n"
    call = f"SELECT create_hypertable('{table}', '{column}');"
    (finding,) = _found(f"{seeded}-- migration\n{call}")
    assert "on every database, new ones included" in finding.blast_radius
    (finding,) = _found(f"{seeded}{call}")  # created and filled in the same migration
    assert "inserts rows" in finding.message


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_table_the_change_creates_or_other_calls_are_quiet(table: str, column: str) -> None:
    for call in (f"SELECT create_hypertable('{table}', '{column}');", *_migrating(table, column)):
        assert not _found(f"{_schema(table, column)}{call}"), call
    for call in (
        f"SELECT add_retention_policy('{table}', INTERVAL '90 days');",
        f"SELECT set_chunk_time_interval('{table}', INTERVAL '1 day');",
        f"SELECT count(*) FROM {table};",
    ):
        assert not _found(f"{_schema(table, column)}-- migration\n{call}"), call


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_table_that_already_is_a_hypertable(table: str, column: str) -> None:
    made = f"{_schema(table, column)}SELECT create_hypertable('{table}', '{column}');\n-- migration\n"
    assert not _found(f"{made}SELECT create_hypertable('{table}', '{column}', if_not_exists => TRUE);")
    (finding,) = _found(f"{made}SELECT create_hypertable('{table}', by_range('{column}'));")
    assert "already a hypertable" in finding.message and finding.severity == "critical"
    renamed = f"{made}ALTER TABLE {table} RENAME TO {table}_old;\n"
    assert "already" in _found(f"{renamed}SELECT create_hypertable('{table}_old', '{column}');")[0].message
    dropped = f"{made}DROP TABLE {table};\n{_schema(table, column)}"
    assert not _found(f"{dropped}SELECT create_hypertable('{table}', '{column}');")


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_the_migration_of_a_framework_that_runs_the_sql(table: str, column: str) -> None:
    base = {
        "alembic/versions/0001_a.py": _alembic("0001", "None", f'op.execute("""{_schema(table, column)}""")')
    }
    call = f"op.execute(\"SELECT create_hypertable('{table}', '{column}', migrate_data => true)\")"
    result = review_sql(_alembic("0002", '"0001"', call), path="alembic/versions/0002_b.py", base=base)
    (finding,) = [f for f in result.active if f.rule == RULE]
    assert finding.severity == "critical" and "copies every row" in finding.message


def _alembic(revision: str, down: str, body: str) -> str:
    return (
        f'revision = "{revision}"\ndown_revision = {down}\nfrom alembic import op\n\n\n'
        f"def upgrade():\n    {body}\n\n\ndef downgrade():\n    pass\n"
    )


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_call_performed_in_a_do_block(table: str, column: str) -> None:
    """Migrations that must also run where TimescaleDB is missing wrap the call in a DO block."""

    def block(call: str) -> str:
        return (
            "DO $$\nBEGIN\n    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN\n"
            f"        CREATE EXTENSION IF NOT EXISTS timescaledb;\n        PERFORM {call};\n    END IF;\nEND $$;\n"
        )

    migrating = f"create_hypertable('{table}', '{column}', if_not_exists => TRUE, migrate_data => TRUE)"
    (finding,) = _found(f"{_schema(table, column)}-- migration\n{block(migrating)}")
    assert finding.severity == "critical" and "copies every row" in finding.message and finding.line == 5
    assert not _found(f"{_schema(table, column)}{block(migrating)}")  # created by the same migration
    other = f"add_retention_policy('{table}', INTERVAL '90 days')"
    assert not _found(f"{_schema(table, column)}-- migration\n{block(other)}")
