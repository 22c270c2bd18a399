"""Shared helpers: build a ChangeSet from migration text, a schema before it and code files, and review it."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from bot.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.findings import Finding, Review
from bot.review import review

SCHEMA_PATH = "db/migrations/00001_schema.sql"
MIGRATION_PATH = "db/migrations/00002_change.sql"
MARKER = "-- migration\n"


def changeset(
    sql: str,
    *,
    schema: str = "",
    code: Mapping[str, str] | None = None,
    path: str = MIGRATION_PATH,
    extra: Mapping[str, str] | None = None,
    description: str = "",
) -> ChangeSet:
    """`sql` may start with schema statements, separated from the migration by a `-- migration` line."""
    if MARKER in sql:
        before, sql = sql.split(MARKER, 1)
        schema = f"{schema}\n{before}" if schema else before
    base: dict[str, str] = dict(code or {})
    if schema:
        base[SCHEMA_PATH] = schema
    added = {path: sql, **(extra or {})}
    files = tuple(ChangedFile(p, "added", None, text) for p, text in added.items())
    return ChangeSet("base", "head", files, head_tree=MemoryTree({**base, **added}), base_tree=MemoryTree(base),
                     description=description)


def run(sql: str, **kwargs: object) -> Review:
    return review(changeset(sql, **kwargs))  # type: ignore[arg-type]


@pytest.fixture
def reviewed() -> Callable[..., Review]:
    return run


@pytest.fixture
def findings() -> Callable[..., list[Finding]]:
    def of(rule: str, sql: str, **kwargs: object) -> list[Finding]:
        return [f for f in run(sql, **kwargs).findings if f.rule == rule]

    return of
