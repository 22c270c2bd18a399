"""An applied migration edited: a re-applied script that declares its own revision."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql


@pytest.mark.parametrize(("table", "marker"), [("tagstats", "-- revision:"), ("mirrorconfig", "-- version:")])
def test_a_guarded_script_whose_declared_revision_changes_is_re_applied(table: str, marker: str) -> None:
    """A bridge script that declares its revision and guards every statement is re-applied by a runner keyed
    on that revision: the edit is a warning to check the runner, not a block. Without the changed marker, or
    with a statement that cannot run twice, it stays the edit of an applied migration."""
    path = "internal/schema/migrations/0001_bridge.sql"
    old = f"{marker} aaa111\nCREATE TABLE IF NOT EXISTS base_{table} (id integer PRIMARY KEY);\n"
    added = f"CREATE TABLE IF NOT EXISTS {table} (id integer PRIMARY KEY);\nINSERT OR IGNORE INTO kinds (name) VALUES ('{table}');\n"

    def severity(text: str) -> str:
        result = review_sql(text, path=path, previous=old, dialect="sqlite")
        [found] = [f for f in result.active if f.rule == "applied-migration-edited"]
        return found.severity.value

    assert severity(old.replace("aaa111", "bbb222") + added) == "warning"
    assert severity(old + added) == "critical"  # the revision it declares is the same: the runner skips it
    unguarded = old.replace("aaa111", "bbb222") + f"CREATE TABLE {table} (id integer PRIMARY KEY);\n"
    assert severity(unguarded) == "critical"
