"""Places in the head tree that still use what a migration removes or renames.

This first version answers every question with "no places found"; the search over the tree replaces it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.changeset import Tree


@dataclass(frozen=True)
class Target:
    kind: str  # column | table | enum-value | index | constraint
    table: str
    name: str
    new_name: str | None = None


@dataclass(frozen=True)
class Use:
    path: str
    line: int
    text: str
    area: str
    confidence: str
    safe: str | None = None


class ReferenceIndex:
    def __init__(self, found: dict[Target, tuple[Use, ...]] | None = None, searched: bool = False) -> None:
        self._found = found or {}
        self.searched = searched

    def uses(self, target: Target) -> tuple[Use, ...]:
        return self._found.get(target, ())

    def notes(self) -> tuple[str, ...]:
        return ()


def search(
    tree: Tree, targets: Sequence[Target], *, exclude: Sequence[str] = (), skip_paths: Collection[str] = ()
) -> ReferenceIndex:
    return ReferenceIndex()
