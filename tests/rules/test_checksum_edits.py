"""Runners that compare every applied migration's text with its file (Flyway's validation, sqlx) stop the next
deploy on any edit of it, a comment or a line's spacing included: critical. Runners that record versions only
never run it again, so such an edit changes nothing and is not reported."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review

NAMES = [
    ("db/migration/V3__orders.sql", "orders", "total"),
    ("src/main/resources/db/migration/V7__users.sql", "users", "email"),
]


def _edit(path: str, old: str, new: str, extra: dict[str, str] | None = None) -> list[tuple[str, str]]:
    base = {path: old, **(extra or {})}
    head = {path: new, **(extra or {})}
    changeset = ChangeSet(
        base="b",
        head="h",
        files=(ChangedFile(path, "modified", old, new),),
        head_tree=MemoryTree(head),
        base_tree=MemoryTree(base),
    )
    return [(f.severity, f.message) for f in review(changeset).active if f.rule == "applied-migration-edited"]


@pytest.mark.parametrize(("path", "table", "column"), NAMES)
@pytest.mark.parametrize("edit", ["comment", "spacing"])
def test_flyway_validation_counts_a_comment_or_spacing(path: str, table: str, column: str, edit: str) -> None:
    old = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n"
    new = f"-- {table} of each account\n" + old if edit == "comment" else old.replace(", ", ",  ")
    found = _edit(path, old, new)
    assert [s for s, _ in found] == ["critical"]
    assert "only comments or spacing change" in found[0][1]


@pytest.mark.parametrize(("path", "table", "column"), NAMES)
def test_with_flyway_validation_off_a_comment_changes_nothing(path: str, table: str, column: str) -> None:
    old = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n"
    new = f"-- {table} of each account\n" + old
    settings = {"src/main/resources/application.properties": "spring.flyway.validate-on-migrate=false\n"}
    assert _edit(path, old, new, settings) == []
