"""unique-without-duplicate-check: a unique key that includes a column the change added empty (no default,
nothing filled it) cannot meet duplicates among the existing rows: NULLs never collide."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review

RULE = "unique-without-duplicate-check"


def _review(table: str, owner: str, column: str, between: str) -> set[str]:
    base = {"db/migrations/001_schema.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {owner} bigint);"}
    added = {
        "db/migrations/002_add.sql": f"ALTER TABLE {table} ADD COLUMN {column} varchar(256);\n{between}",
        "db/migrations/003_unique.sql": f"CREATE UNIQUE INDEX CONCURRENTLY {table}_{column}_key ON {table} ({owner}, {column});",
    }
    changeset = ChangeSet(
        base="base",
        head="head",
        files=tuple(ChangedFile(p, "added", None, t) for p, t in added.items()),
        head_tree=MemoryTree({**base, **added}),
        base_tree=MemoryTree(base),
    )
    return {f.rule for f in review(changeset).active}


@pytest.mark.parametrize(
    ("table", "owner", "column"), [("webhooks", "app_id", "identifier"), ("extensions", "owner_id", "slug")]
)
def test_a_key_on_a_column_the_change_added_empty_is_quiet(table, owner, column) -> None:  # type: ignore[no-untyped-def]
    assert RULE not in _review(table, owner, column, "")


@pytest.mark.parametrize(
    ("table", "owner", "column"), [("webhooks", "app_id", "identifier"), ("extensions", "owner_id", "slug")]
)
def test_a_key_on_a_column_the_change_filled_is_checked(table, owner, column) -> None:  # type: ignore[no-untyped-def]
    fill = f"UPDATE {table} SET {column} = 'x' || {owner} WHERE id < 1000;"
    assert RULE in _review(table, owner, column, fill)
