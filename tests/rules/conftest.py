"""Run the review on SQL text the way `migration-review lint` does, with an optional base schema."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.findings import Finding
from bot.review import review

Lint = Callable[..., list[Finding]]


def _lint(
    sql: str,
    dialect: str = "postgres",
    *,
    config: str | None = None,
    base: str | None = None,
    path: str = "db/migrations/002_change.sql",
    extra: dict[str, str] | None = None,
) -> list[Finding]:
    """Findings for `sql` as a changed migration; `base` is an earlier migration already in the repository."""
    base_files = {"db/migrations/001_base.sql": base} if base is not None else {}
    files = [ChangedFile(path, "added", None, sql)]
    files += [ChangedFile(p, "added", None, text) for p, text in (extra or {}).items()]
    changeset = ChangeSet(
        base="base",
        head="head",
        files=tuple(files),
        base_tree=MemoryTree(base_files),
        head_tree=MemoryTree({**base_files, **{f.path: f.head_text or "" for f in files}}),
        config_text=config,
    )
    return list(review(changeset, dialect=dialect, lint=True).findings)


@pytest.fixture
def lint() -> Lint:
    return _lint
