"""Reviews of a change beside the base branch's migrations, as the app builds them: the base tree is the base
branch as it is now, the head tree the pull request's branch (which may lack what landed since it started),
and the files are what the branch adds."""

from __future__ import annotations

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Finding
from bot.review import review


def findings(
    base: dict[str, str],
    added: dict[str, str],
    *,
    branch_lacks: tuple[str, ...] = (),
    rule: str | None = None,
    dialect: str = "postgres",
) -> list[Finding]:
    """The active findings of a change adding `added` to a base branch holding `base`; the branch itself does
    not have `branch_lacks` (base files that landed after it started)."""
    head = {p: t for p, t in base.items() if p not in branch_lacks} | added
    files = tuple(ChangedFile(path, "added", None, text) for path, text in added.items())
    changeset = ChangeSet("b", "h", files, MemoryTree(head), MemoryTree(base))
    found = review(changeset, dialect=dialect).active
    return [f for f in found if rule is None or f.rule == rule]


def rules_of(found: list[Finding]) -> set[str]:
    return {f.rule for f in found}
