"""SQLite views and triggers, from earlier migrations or a schema dump: the tables and columns they use.
SQLite refuses to drop a column one of them names and renames it in them; a dropped table leaves them in
place, to fail on their next read or write."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review, Severity
from tests.conftest import review_sql

SCHEMA = """CREATE TABLE {table} (id integer PRIMARY KEY, {column} text, total int);
CREATE TABLE journal (id integer PRIMARY KEY, note text);
CREATE VIEW IF NOT EXISTS "open_{table}" AS SELECT id, {column} FROM {table} WHERE total > 0;
CREATE TRIGGER {table}_journal AFTER UPDATE OF total ON {table}
WHEN NEW.total > 0
BEGIN
  INSERT INTO journal (note) VALUES (NEW.{column});
END;
CREATE TEMP TRIGGER journal_guard BEFORE DELETE ON journal FOR EACH ROW BEGIN
  SELECT RAISE(ABORT, 'kept') WHERE (SELECT count(*) FROM {table} WHERE {column} = 'x') > 0;
END;
-- migration
"""
BASE = "db/migrations/000_schema.sql"
NAMES = [("orders", "legacy_status"), ("tickets", "old_state")]


def _finding(result: Review, rule: str) -> Finding:
    return next(f for f in result.findings if f.rule == rule)


def _places(finding: Finding) -> dict[str, str]:
    return {f"{r.path}:{r.line}": r.kind for r in finding.references}


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_dropped_column_a_view_or_trigger_names_is_refused(table: str, column: str) -> None:
    schema = SCHEMA.format(table=table, column=column)
    finding = _finding(
        review_sql(schema + f"ALTER TABLE {table} DROP COLUMN {column};", dialect="sqlite"), "column-dropped"
    )
    places = _places(finding)
    assert set(places) == {f"{BASE}:3", f"{BASE}:7", f"{BASE}:10"}
    assert places[f"{BASE}:3"] == f"database: view `open_{table}` names `{table}.{column}`"
    assert "SQLite refuses the DROP COLUMN" in (finding.blast_radius or "")
    assert "trigger `journal_guard` on `journal`" in places[f"{BASE}:10"]
    assert finding.severity is Severity.CRITICAL
    total = _places(
        _finding(
            review_sql(schema + f"ALTER TABLE {table} DROP COLUMN total;", dialect="sqlite"), "column-dropped"
        )
    )
    assert set(total) == {f"{BASE}:3", f"{BASE}:4"}  # the view's WHERE, the trigger's UPDATE OF


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_dropped_table_leaves_its_readers_to_fail(table: str, column: str) -> None:
    schema = SCHEMA.format(table=table, column=column)
    finding = _finding(review_sql(schema + f"DROP TABLE {table};", dialect="sqlite"), "table-dropped")
    assert set(_places(finding)) >= {f"{BASE}:3", f"{BASE}:10"}
    assert "SQLite lets the DROP TABLE through" in (finding.blast_radius or "")


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_renamed_column_is_followed_and_unrelated_columns_name_nothing(table: str, column: str) -> None:
    schema = SCHEMA.format(table=table, column=column)
    renamed = review_sql(schema + f"ALTER TABLE {table} RENAME COLUMN {column} TO state;", dialect="sqlite")
    assert not any(_places(f) for f in renamed.findings if f.rule == "column-renamed")
    other = review_sql(schema + "ALTER TABLE journal DROP COLUMN id;", dialect="sqlite")
    assert all(not _places(f) for f in other.findings if f.rule == "column-dropped")
