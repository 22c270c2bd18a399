"""The pull request's changed files, complete, and the migrations among them read within limits.

GitHub's files API lists at most 3,000 files, while the pull request's `changed_files` says how many
changed. When the list is short, the changed files are found by comparing the snapshot of the merge
base (what GitHub counts from) with the head's. A list that still cannot account for every changed file
is `Incomplete`: the gate never concludes on files it could not see.

Migration files are read within a per-file and a total byte limit. One over a limit, binary or
unreadable is kept out of the review and named as `Unreviewed`; the check then blocks, never succeeds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from bot.app.github import FILES_LISTED, FileEntry, Pull
from bot.app.snapshot import SnapshotTree
from bot.frameworks import maybe_migration
from bot.model.changeset import ChangedFile

TOO_LARGE_TITLE = "Too large to review automatically"
INCOMPLETE_TITLE = "The changed files could not all be listed"
_SNIFF = 64 * 1024  # enough of a file to tell whether it is a migration


class Incomplete(Exception):
    """The changed-file list could not be proven complete."""


@dataclass(frozen=True)
class Unreviewed:
    path: str
    why: str


@dataclass(frozen=True)
class Limits:
    file_bytes: int  # per migration file
    total_bytes: int  # all migration files of one review together


def truncated(entries: list[FileEntry], pull: Pull) -> bool:
    """True when the files API listed fewer files than the pull request changes (or hit its cap)."""
    return len(entries) < pull.changed_files or len(entries) >= FILES_LISTED


def diff_trees(base: SnapshotTree, head: SnapshotTree) -> list[FileEntry]:
    """Every path whose bytes differ between the two snapshots, as the files API would list it."""
    entries = []
    for path in sorted(set(base.paths()) | set(head.paths())):
        before, after = base.size(path), head.size(path)
        if before is None:
            entries.append(FileEntry(path, "added", None))
        elif after is None:
            entries.append(FileEntry(path, "removed", None))
        elif before != after or base.data(path) != head.data(path):
            entries.append(FileEntry(path, "modified", None))
    return entries


def check_complete(entries: list[FileEntry], pull: Pull) -> None:
    """A rename is one file to GitHub and two paths to a tree diff; fewer paths than files is a gap."""
    if len(entries) < pull.changed_files:
        raise Incomplete(
            f"GitHub counts {pull.changed_files} changed files; only {len(entries)} could be listed"
        )


Detect = Callable[[str, str], bool]  # (path, the text's start) → is it a migration?


def within_limits(
    files: Iterable[ChangedFile], limits: Limits, is_migration: Detect
) -> tuple[tuple[ChangedFile, ...], tuple[Unreviewed, ...]]:
    """The files the review may read, and the migrations it must not (their text withheld)."""
    kept: list[ChangedFile] = []
    skipped: list[Unreviewed] = []
    total = 0
    for file in files:
        why = _refusal(file, limits, total, is_migration)
        if why is None:
            if file.head_text and maybe_migration(file.path):
                total += len(file.head_text.encode())
            kept.append(file)
            continue
        skipped.append(Unreviewed(file.path, why))
        kept.append(replace(file, head_text=None, base_text=None))
    return tuple(kept), tuple(skipped)


def _refusal(file: ChangedFile, limits: Limits, total: int, is_migration: Detect) -> str | None:
    if file.status == "removed" or not maybe_migration(file.path):
        return None
    if file.head_text is None:
        return "it could not be read from the head commit"
    if "\0" in file.head_text:
        return "it is binary"
    if not is_migration(file.path, file.head_text[:_SNIFF]):
        return None
    size = len(file.head_text.encode())
    if size > limits.file_bytes:
        return f"{size:,} bytes, over the limit of {limits.file_bytes:,} bytes per file"
    if total + size > limits.total_bytes:
        return f"the migrations together are over the limit of {limits.total_bytes:,} bytes"
    return None


def explain(reviewed: Iterable[str], unreviewed: tuple[Unreviewed, ...]) -> str:
    """What the review read and what it could not, for the check run and the comment."""
    lines = ["These migrations were not reviewed, so this check cannot pass:", ""]
    lines += [f"- `{item.path}`: {item.why}" for item in unreviewed]
    done = sorted(reviewed)
    lines += ["", "Reviewed: " + (", ".join(f"`{p}`" for p in done) if done else "nothing else.")]
    lines += ["", "Split the migration, or review it by hand and ask an administrator to merge."]
    return "\n".join(lines)
