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


@pytest.mark.parametrize(
    ("path", "version"),
    [
        ("src/main/resources/db/migration/V1_20_3__auto_assignment_approval.sql", "1.20.3"),
        ("db/migration/POSTGRESQL/V42__orders_index.sql", "42"),
    ],
)
def test_flyway_edit_stops_every_deploy_on_its_checksum(path: str, version: str) -> None:
    previous = "CREATE TABLE t (id bigint PRIMARY KEY, a int);\n"
    result = review_sql(previous + "CREATE INDEX t_a ON t (a);\n", path=path, previous=previous)
    (edit,) = [f for f in result.active if f.rule == "applied-migration-edited"]
    assert f'"Migration checksum mismatch for migration version {version}"' in edit.blast_radius
    # a project that turns Flyway's validation off lets the edit through to new installs only
    for settings in (
        {"src/main/resources/application.yml": "spring:\n  flyway:\n    validate-on-migrate: false\n"},
        {"flyway.conf": "flyway.validateOnMigrate=false\n"},
    ):
        quiet = review_sql(
            previous + "CREATE INDEX t_a ON t (a);\n", path=path, previous=previous, head=settings
        )
        (edit,) = [f for f in quiet.active if f.rule == "applied-migration-edited"]
        assert "checksum mismatch" not in edit.blast_radius and "never run it again" in edit.blast_radius
