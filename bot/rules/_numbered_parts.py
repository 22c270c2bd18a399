"""One migration written as numbered parts (pop's split files, `20200519101057000001_recovery.mysql.up.sql` to
`…000004_…`): the rules that compare an up with its down judge the parts whole."""

from __future__ import annotations

import re

from bot.model.migration import Migration, Operation
from bot.rules.context import Context


def numbered_parts(migration: Migration, context: Context) -> tuple[Migration, ...]:
    """The numbered parts of one migration (pop's split files, `20200519101057000001_recovery.mysql.up.sql`
    to `…000004_…`: one version's statements, one per file), in order; () for a migration of one file. Each
    part's down is not the inverse of its own up: the parts' downs together undo the parts' ups."""
    found = _PART.search(migration.path)
    if found is None:
        return ()
    folder = migration.path[: found.start()]
    parts = []
    for other in context.change:
        match = _PART.search(other.path)
        same = match is not None and other.path[: match.start()] == folder
        if (
            same
            and match is not None
            and (match.group(1), match.group(3)) == (found.group(1), found.group(3))
        ):
            parts.append(other)
    return tuple(sorted(parts, key=lambda m: m.path)) if len(parts) > 1 else ()


_PART = re.compile(r"(?<![^/])(\d{14})(\d{6})_([^/]+?)\.up\.sql$")


def both_ways(
    migration: Migration, context: Context
) -> tuple[tuple[Operation, ...], tuple[Operation, ...] | None] | None:
    """(up, down) of the whole migration, the parts' downs last part first; None when `migration` is a part
    after the first (the whole is judged at its first part); down None when a part has no way back."""
    parts = numbered_parts(migration, context)
    if parts and parts[0] is not migration:
        return None
    if not parts:
        return migration.up, migration.down
    up = tuple(op for part in parts for op in part.up)
    if any(part.down is None for part in parts):
        return up, None
    return up, tuple(op for part in reversed(parts) for op in part.down or ())
