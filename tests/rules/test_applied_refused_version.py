"""An applied migration whose base branch's version PostgreSQL rejects (a MySQL backtick left in the
PostgreSQL copy), inside the transaction its runner wraps it in, ran nowhere: every database that tried it
rolled back and did not record it. Fixing it is no edit of something databases ran (a note), and what the
fixed version does is reviewed as running on every database. Outside a transaction, or when the old version
parses, the edit stays a critical finding."""

from __future__ import annotations

from typing import Any

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review
from bot.review import review
from tests.conftest import refusal

# (table, column): two name sets
NAMES = [("twofactor_incomplete", "device_type"), ("invoices", "currency_code")]


def _review(table: str, column: str, before: str, after: str, metadata: str = "") -> Review:
    folder = f"migrations/postgresql/2024-09-04-091351_add_{column}"
    created = "migrations/postgresql/2024-01-01-000000_create/up.sql"
    base = {
        created: f"CREATE TABLE {table} (id bigint PRIMARY KEY, note text);\n",
        created.replace("up.sql", "down.sql"): f"DROP TABLE {table};\n",
        f"{folder}/up.sql": before,
        f"{folder}/down.sql": f"ALTER TABLE {table} DROP COLUMN {column};\n",
    }
    if metadata:
        base[f"{folder}/metadata.toml"] = metadata
    path = f"{folder}/up.sql"
    return review(
        ChangeSet(
            "b",
            "h",
            (ChangedFile(path, "modified", before, after),),
            MemoryTree({**base, path: after}),
            MemoryTree(base),
        )
    )


def _found(result: Review, rule: str) -> list[str]:
    return [f.severity.value for f in result.active if f.rule == rule]


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_fixing_a_version_postgresql_rejected_is_reviewed_as_running_everywhere(
    pg: Any, table: str, column: str
) -> None:
    before = f"ALTER TABLE `{table}` ADD COLUMN `{column}` INTEGER NOT NULL;\n"
    after = f"ALTER TABLE {table} ADD COLUMN {column} INTEGER NOT NULL;\n"
    assert "syntax error" in refusal(pg.execute, before)  # the old version runs nowhere
    result = _review(table, column, before, after)
    assert _found(result, "applied-migration-edited") == ["info"]
    # the fixed version runs on every database, rows and all: its finding is not a new-installs note
    assert _found(result, "not-null-without-default") == ["critical"]


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_an_edit_of_a_version_that_ran_or_ran_outside_a_transaction_stays_critical(
    table: str, column: str
) -> None:
    before = f"ALTER TABLE {table} ADD COLUMN {column} INTEGER;\n"
    after = f"ALTER TABLE {table} ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0;\n"
    assert _found(_review(table, column, before, after), "applied-migration-edited") == ["critical"]
    # outside a transaction the statements before the rejected one ran and stayed
    rejected = (
        f"ALTER TABLE {table} ADD COLUMN note2 text;\nALTER TABLE `{table}` ADD COLUMN `{column}` INTEGER;\n"
    )
    fixed = f"ALTER TABLE {table} ADD COLUMN note2 text;\nALTER TABLE {table} ADD COLUMN {column} INTEGER;\n"
    no_transaction = "run_in_transaction = false\n"
    assert _found(_review(table, column, rejected, fixed, no_transaction), "applied-migration-edited") == [
        "critical"
    ]
