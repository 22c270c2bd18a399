"""unbatched-data-change says what is true of the database and of the pattern: SQLite has no row locks or
replicas a batch loop would spare, and a DELETE the migration refills from its own copy is a rewrite of the
table, not a change to batch."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import PG_DSN, review_sql

NAMES = [("accounts", "plan"), ("LedgerEntry", "memo")]


def _found(sql: str, **kwargs: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kwargs).active if f.rule == "unbatched-data-change"]


def _schema(table: str, column: str) -> str:
    return f'CREATE TABLE "{table}" (id integer PRIMARY KEY, "{column}" text);\n-- migration\n'


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_whole_table_update_on_sqlite_is_not_reported(table: str, column: str) -> None:
    sql = _schema(table, column) + f'UPDATE "{table}" SET "{column}" = lower("{column}");\n'
    assert not _found(sql, dialect="sqlite")
    for dialect in ("postgres", "mysql"):
        [finding] = _found(sql.replace('"', "`") if dialect == "mysql" else sql, dialect=dialect)
        assert finding.severity is Severity.CRITICAL and "in one statement" in finding.message


def _refill(table: str, column: str) -> str:
    return (
        f'CREATE TABLE "{table}_copy" AS SELECT * FROM "{table}";\nDELETE FROM "{table}";\n'
        f'INSERT INTO "{table}" SELECT id, upper("{column}") FROM "{table}_copy";\n'
    )


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_delete_refilled_from_the_migrations_own_copy_is_a_rewrite_not_a_batch(
    table: str, column: str
) -> None:
    child = f'CREATE TABLE "{table}_notes" (id integer PRIMARY KEY, owner integer REFERENCES "{table}" (id) ON DELETE CASCADE);\n'
    sql = _schema(table, column).replace("-- migration\n", child + "-- migration\n") + _refill(table, column)
    [finding] = _found(sql)
    assert (
        finding.line == 2 and "refills from" in finding.message and "batching the DELETE" in finding.message
    )
    assert finding.severity is Severity.CRITICAL
    assert "readers see it empty" in finding.blast_radius and f"`{table}_notes`" in finding.blast_radius
    assert "UPDATE" in finding.fix and "LOCK TABLE" in finding.fix
    wrapped = _found(sql.replace("-- migration\n", "-- migration\nBEGIN;\n") + "COMMIT;\n")
    [inside] = wrapped
    assert "between the copy and the DELETE are deleted" in inside.blast_radius
    plain = _schema(table, column) + f'DELETE FROM "{table}";\n'  # nothing refills it: the usual finding
    [alone] = _found(plain)
    assert "in one statement" in alone.message and "refills" not in alone.message


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_postgres_loses_a_row_written_between_the_copy_and_the_delete(
    pg: Any, table: str, column: str
) -> None:
    schema = pg.execute("SELECT current_schema()").fetchone()[0]
    pg.execute(f'CREATE TABLE "{table}" (id integer PRIMARY KEY, "{column}" text)')
    pg.execute(f"INSERT INTO \"{table}\" VALUES (1, 'a'), (2, 'b')")
    other = psycopg.connect(PG_DSN, autocommit=True)
    try:
        other.execute(f"SET search_path TO {schema}")
        migration, *rest = _refill(table, column).splitlines()
        with pg.transaction():  # the migration, in one transaction at READ COMMITTED
            pg.execute(migration)
            other.execute(f"INSERT INTO \"{table}\" VALUES (3, 'written meanwhile')")  # the application
            for statement in rest:
                pg.execute(statement)
    finally:
        other.close()
    assert [row[0] for row in pg.execute(f'SELECT id FROM "{table}" ORDER BY id')] == [1, 2]
