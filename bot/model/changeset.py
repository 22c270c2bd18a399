"""The input of a review: two commits, the files that changed between them, and read-only trees.

The command line builds a ChangeSet from `git`; the app builds one from GitHub's API and a tarball.
Nothing that reads a ChangeSet knows which.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


class Tree(Protocol):
    """A read-only view of one commit's files, by repository-relative POSIX path."""

    def paths(self) -> Iterator[str]: ...

    def read(self, path: str) -> str | None: ...


@dataclass(frozen=True)
class MemoryTree:
    files: Mapping[str, str] = field(default_factory=dict)

    def paths(self) -> Iterator[str]:
        return iter(sorted(self.files))

    def read(self, path: str) -> str | None:
        return self.files.get(path)


@dataclass(frozen=True)
class DirectoryTree:
    """Files under a directory on disk (a checkout, or an unpacked snapshot)."""

    root: Path
    skip_dirs: frozenset[str] = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".tox"})

    def paths(self) -> Iterator[str]:
        root = str(self.root)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in self.skip_dirs)
            rel = os.path.relpath(dirpath, root)
            for name in sorted(filenames):
                yield name if rel == "." else f"{rel}/{name}".replace(os.sep, "/")

    def read(self, path: str) -> str | None:
        target = (self.root / path).resolve()
        if not target.is_relative_to(self.root.resolve()) or not target.is_file():
            return None
        try:
            return target.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None


@dataclass(frozen=True)
class MergedTree:
    """The base branch's tree with the files a change adds, edits or moves laid over it: what the base branch
    holds once the change merges. A file the change removes stays (a runner has already run it, and a diff
    against a base branch that moved on lists that branch's newer files as removed)."""

    base: Tree
    over: Mapping[str, str]
    gone: frozenset[str] = frozenset()  # the old paths of moved files

    def paths(self) -> Iterator[str]:
        return iter(sorted({*(p for p in self.base.paths() if p not in self.gone), *self.over}))

    def read(self, path: str) -> str | None:
        if path in self.over:
            return self.over[path]
        return None if path in self.gone else self.base.read(path)

    def prefetch(self, paths: Sequence[str]) -> None:
        """Read ahead the base tree's files among `paths`, where that tree can (a git tree, in one process)."""
        read_ahead(self.base, [p for p in paths if p not in self.over and p not in self.gone])


def read_ahead(tree: Tree, paths: Sequence[str]) -> Sequence[str]:
    """Read `paths` ahead in one go where the tree can (a git tree: one `git cat-file` process rather than one
    per file; a tree in memory has nothing to read ahead); `paths` again, to walk."""
    prefetch = getattr(tree, "prefetch", None)
    if prefetch is not None and paths:
        prefetch(paths)
    return paths


@dataclass(frozen=True)
class ChangedFile:
    path: str
    status: str  # added | modified | removed | renamed
    base_text: str | None
    head_text: str | None
    previous_path: str | None = None


@dataclass(frozen=True)
class Acceptance:
    """Someone with write access, not the pull request's author, accepted what the author suppressed or said."""

    login: str
    rule: str  # a rule id; "evidence" for the author's statements; "*" (an approving review) for all of it
    reason: str
    via: str  # "comment" (`/accept RULE reason`) or "review" (an approving review)


@dataclass(frozen=True)
class ChangeSet:
    base: str
    head: str
    files: tuple[ChangedFile, ...]
    head_tree: Tree = field(default_factory=MemoryTree)
    base_tree: Tree = field(default_factory=MemoryTree)
    description: str = ""  # the pull request's description, where evidence may be stated
    config_text: str | None = None  # the repository configuration, read from the base side
    config_path: str = ".github/migration-review.yml"
    from_fork: bool = False  # the head lives in another repository: the production probe never runs
    # the pull request's author: when set, in-file suppressions and the author's evidence count only as
    # the base configuration allows, and where it asks for it, once accepted by someone else
    author: str = ""
    acceptances: tuple[Acceptance, ...] = ()
