"""row-security-without-policy: row-level security turned on for an existing table that no policy opens hides
every row from the roles that do not own it (FORCE: from its owner too), and refuses their inserts; shown on
PostgreSQL 15 below. Policies created in the same migration, or by an earlier one, are quiet."""

from __future__ import annotations

import os
from typing import Any

import pytest

from bot.model.findings import Severity
from tests.conftest import refusal, review_sql

RULE = "row-security-without-policy"
NAMES = [("documents", "owner_id"), ("invoices", "account_id")]


def _schema(table: str, column: str, policy: str = "") -> dict[str, str]:
    return {
        "db/migrations/000_schema.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} bigint NOT NULL);\n",
        **({"db/migrations/000b_policy.sql": policy} if policy else {}),
    }


def _found(sql: str, base: dict[str, str]) -> list[Any]:
    return [f for f in review_sql(sql, dialect="postgres", base=base).active if f.rule == RULE]


def _policy(table: str, column: str) -> str:
    return f"CREATE POLICY {table}_own ON {table} USING ({column} = current_setting('app.user')::bigint);\n"


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_enabled_on_an_existing_table_without_a_policy(table: str, column: str) -> None:
    [finding] = _found(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;", _schema(table, column))
    assert finding.severity is Severity.WARNING and f"`{table}`" in finding.message
    [forced] = _found(
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;\nALTER TABLE {table} FORCE ROW LEVEL SECURITY;",
        _schema(table, column),
    )
    assert forced.severity is Severity.CRITICAL and forced.line == 2 and "owner" in forced.message


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_policy_in_the_migration_or_before_it_is_quiet(table: str, column: str) -> None:
    enable = (
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;\nALTER TABLE {table} FORCE ROW LEVEL SECURITY;\n"
    )
    assert not _found(_policy(table, column) + enable, _schema(table, column))
    assert not _found(enable + _policy(table, column), _schema(table, column))
    assert not _found(enable, _schema(table, column, _policy(table, column)))
    # a policy of another table, or one dropped since, opens nothing
    other = _policy("accounts", "id").replace(" ON accounts", " ON accounts")
    base = _schema(table, column, "CREATE TABLE accounts (id bigint PRIMARY KEY);\n" + other)
    assert _found(enable, base)
    dropped = _schema(table, column, _policy(table, column) + f"DROP POLICY {table}_own ON {table};\n")
    assert _found(enable, dropped)
    # a table the change creates: no release reads it yet
    create = f"CREATE TABLE {table}_new (id bigint PRIMARY KEY);\nALTER TABLE {table}_new ENABLE ROW LEVEL SECURITY;"
    assert not _found(create, _schema(table, column))


def test_the_server_hides_the_rows_and_refuses_inserts(pg: Any) -> None:
    owner = f"mr_rls_owner_{os.getpid()}"
    pg.execute(f"CREATE ROLE {owner}")
    try:
        schema = pg.execute("SELECT current_schema()").fetchone()[0]
        pg.execute(f"GRANT USAGE, CREATE ON SCHEMA {schema} TO {owner}")
        pg.execute(f"SET ROLE {owner}")
        pg.execute("CREATE TABLE documents (id int, owner_id int)")
        pg.execute("INSERT INTO documents VALUES (1, 1), (2, 2)")
        pg.execute("ALTER TABLE documents ENABLE ROW LEVEL SECURITY")
        assert pg.execute("SELECT count(*) FROM documents").fetchone() == (2,)  # the owner is exempt
        pg.execute("ALTER TABLE documents FORCE ROW LEVEL SECURITY")
        assert pg.execute("SELECT count(*) FROM documents").fetchone() == (0,)
        assert "row-level security" in refusal(pg.execute, "INSERT INTO documents VALUES (3, 3)")
        pg.execute("CREATE POLICY documents_all ON documents USING (true) WITH CHECK (true)")
        assert pg.execute("SELECT count(*) FROM documents").fetchone() == (2,)
    finally:
        pg.execute("RESET ROLE")
        pg.execute("DROP TABLE IF EXISTS documents")
        pg.execute(f"DROP OWNED BY {owner}")
        pg.execute(f"DROP ROLE {owner}")
