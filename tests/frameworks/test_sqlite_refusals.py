"""Statements SQLite cannot read are unread statements (critical), never approved: sqlglot reads them leniently
(`DROP COLUMN IF EXISTS`, two `ADD COLUMN`s in one ALTER, an expression default without parentheses, `INSERT …
SELECT … ON CONFLICT` without a WHERE), SQLite stops at them ("syntax error")."""

from __future__ import annotations

import sqlite3

import pytest

from bot.model.findings import Finding, Review
from tests.conftest import review_sql

SCHEMA = "CREATE TABLE {t} (id integer PRIMARY KEY, {c} text, other text);\n-- migration\n"
NAMES = [("users", "verified_at"), ("sessions", "expires_at")]
REFUSED = [
    "ALTER TABLE {t} DROP COLUMN IF EXISTS {c};",
    "ALTER TABLE {t} ADD COLUMN a_{c} text, ADD COLUMN b_{c} text;",
    "CREATE TABLE {t}_log (id integer PRIMARY KEY, at timestamp DEFAULT datetime('now'));",
    "INSERT INTO {t} (id, {c}) SELECT id, {c} FROM {t} ON CONFLICT DO NOTHING;",
]
READ = [
    "ALTER TABLE {t} DROP COLUMN {c};",
    "ALTER TABLE {t} ADD COLUMN a_{c} text;",
    "CREATE TABLE {t}_log (id integer PRIMARY KEY, at timestamp DEFAULT (datetime('now')));",
    "INSERT INTO {t} (id, {c}) SELECT id, {c} FROM {t} WHERE true ON CONFLICT DO NOTHING;",
]


def _unread(run: Review, sql: str) -> Finding | None:
    return next((f for f in run.active if f.rule == "unparsed-statement" and sql[:30] in f.message), None)


def _sqlite_error(table: str, column: str, sql: str) -> str:
    """What a real SQLite database with the schema says of the statement ("" when it runs it)."""
    db = sqlite3.connect(":memory:")
    db.execute(SCHEMA.format(t=table, c=column).split("\n")[0])
    try:
        db.execute(sql)
    except sqlite3.Error as error:
        return str(error)
    finally:
        db.close()
    return ""


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize("statement", REFUSED)
def test_a_statement_sqlite_cannot_read_is_unread(table: str, column: str, statement: str) -> None:
    sql = statement.format(t=table, c=column)
    assert "syntax error" in _sqlite_error(table, column, sql)
    run = review_sql(SCHEMA.format(t=table, c=column) + sql, dialect="sqlite")
    found = _unread(run, sql)
    assert found is not None and "SQLite" in found.message and "syntax error" in found.message
    assert found.severity == "critical" and run.approval == "BLOCKED"


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize("statement", READ)
def test_the_form_sqlite_reads_is_not(table: str, column: str, statement: str) -> None:
    sql = statement.format(t=table, c=column)
    assert _sqlite_error(table, column, sql) == ""
    run = review_sql(SCHEMA.format(t=table, c=column) + sql, dialect="sqlite")
    assert "unparsed-statement" not in {f.rule for f in run.active}


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_an_alter_column_is_said_once_by_the_rule_that_gives_the_rebuild(table: str, column: str) -> None:
    sql = f"ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL;"
    rules = [f.rule for f in review_sql(SCHEMA.format(t=table, c=column) + sql, dialect="sqlite").active]
    assert "sqlite-alter-unsupported" in rules and "unparsed-statement" not in rules
