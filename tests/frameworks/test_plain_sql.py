"""Plain SQL files in a migrations folder: which of them are migrations."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review
from tests.conftest import rule_ids


@pytest.mark.parametrize(
    ("folder", "snapshot", "new", "table"),
    [
        ("store/migration/postgres", "LATEST.sql", "0.31/02__reaction_memo.sql", "reaction"),
        ("db/migrations", "schema.sql", "0002_add_note.sql", "orders"),
    ],
)
@pytest.mark.parametrize("versioned", [False, True])
def test_the_schema_a_runner_loads_into_new_databases_is_no_migration(
    folder: str, snapshot: str, new: str, table: str, versioned: bool
) -> None:
    """memos keeps `LATEST.sql` (the whole schema, for new installs) beside its versioned migrations and edits
    it with each of them: it was reviewed as an applied migration edited, critical."""
    edited = f"{folder}/{'0001_init.sql' if versioned else snapshot}"
    before = f"CREATE TABLE {table} (id bigint PRIMARY KEY);\n"
    after = f"CREATE TABLE {table} (id bigint PRIMARY KEY, note text);\n"
    added = f"ALTER TABLE {table} ADD COLUMN note text;\n"
    base = {edited: before}
    head = {edited: after, f"{folder}/{new}": added}
    result = review(
        ChangeSet(
            base="b",
            head="h",
            files=(
                ChangedFile(edited, "modified", before, after),
                ChangedFile(f"{folder}/{new}", "added", None, added),
            ),
            head_tree=MemoryTree(head),
            base_tree=MemoryTree(base),
        )
    )
    assert [m.path for m in result.migrations][-1] == f"{folder}/{new}"
    assert ("applied-migration-edited" in rule_ids(result)) is versioned
    assert (edited in {m.path for m in result.migrations}) is versioned
