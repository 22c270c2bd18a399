"""unparsed-statement: a statement of a PostgreSQL SQL file that PostgreSQL's own parser refuses is a migration that
fails when it runs (critical), not a statement the review could not read; what a runner fills in first (Flyway's
`${…}`, psql variables) and other dialects keep the plain warning."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import refusal, review_sql

RULE = "unparsed-statement"
NAMES = [("session_data", "deleted_at", "session_key", "data_key"), ("invoices", "voided_at", "memo", "note")]


def _broken(table: str, dropped: str, old: str, new: str) -> str:
    # two ALTER TABLE statements joined by a comma where the first should end (umami's 06_session_data)
    return (
        f'ALTER TABLE "{table}" DROP COLUMN "{dropped}",\n'
        f'ALTER TABLE "{table}" RENAME COLUMN "{old}" TO "{new}";\n'
    )


def _schema(table: str, dropped: str, old: str) -> str:
    return f'CREATE TABLE "{table}" (id integer PRIMARY KEY, "{dropped}" timestamp, "{old}" text);\n-- migration\n'


@pytest.mark.parametrize(("table", "dropped", "old", "new"), NAMES)
@pytest.mark.parametrize(
    "path", ["prisma/migrations/06_session_data/migration.sql", "db/migrations/006_data.sql"]
)
def test_a_statement_postgresql_refuses_fails_the_migration(
    table: str, dropped: str, old: str, new: str, path: str
) -> None:
    result = review_sql(_schema(table, dropped, old) + _broken(table, dropped, old, new), path=path)
    [found] = [f for f in result.active if f.rule == RULE]
    assert found.severity == "critical" and found.line == 1
    assert "PostgreSQL refuses this statement (syntax error at or near" in found.message
    assert "fails here when it runs" in found.message and "deploy stops" in found.blast_radius


@pytest.mark.parametrize(("table", "dropped", "old", "new"), NAMES)
def test_what_a_runner_fills_in_or_another_dialect_stays_a_statement_not_read(
    table: str, dropped: str, old: str, new: str
) -> None:
    flyway = f"ALTER TABLE {table} ${{action}} COLUMN {dropped};\n"
    result = review_sql(flyway, path=f"db/migration/V6__{table}.sql")
    assert [f.severity for f in result.active if f.rule == RULE] == ["warning"]
    # a schema filled in before the name changes nothing PostgreSQL's grammar decides
    qualified = f"ALTER TABLE ${{schema}}.{table} FROBNICATE COLUMN {dropped};\n"
    result = review_sql(qualified, path=f"db/migration/V6__{table}.sql")
    assert [f.severity for f in result.active if f.rule == RULE] == ["critical"]
    psql = f"ALTER TABLE :target FROBNICATE COLUMN {dropped};\n"
    result = review_sql(psql, path="db/migrations/007_x.sql")
    assert [f.severity for f in result.active if f.rule == RULE] == ["warning"]
    mysql = f"ALTER TABLE {table} FROBNICATE COLUMN {dropped};\n"
    result = review_sql(mysql, path="db/migrations/008_x.sql", dialect="mysql")
    assert [f.severity for f in result.active if f.rule == RULE] == ["warning"]


def test_postgresql_refuses_the_joined_statements(pg: Any) -> None:
    pg.execute('DROP TABLE IF EXISTS "refused_session_data"')
    pg.execute('CREATE TABLE "refused_session_data" (id integer, "deleted_at" timestamp, "session_key" text)')
    error = refusal(pg.execute, _broken("refused_session_data", "deleted_at", "session_key", "data_key"))
    assert 'syntax error at or near "TABLE"' in error
    pg.execute('DROP TABLE "refused_session_data"')
