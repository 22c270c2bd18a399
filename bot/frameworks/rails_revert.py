"""Rails `revert`: `revert do … end` runs the inverse of the block's statements, last first, and
`revert SomeMigration` runs the way back of that earlier migration. Either is read as those operations,
not as opaque code; their own way back is what they revert."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from bot.frameworks.inverse import inverse
from bot.model.changeset import Tree
from bot.model.findings import Location
from bot.model.migration import Operation

_MIGRATION_FILE = re.compile(r"(?:^|/)db/(?:\w+_)?migrate/\d+_(\w+)\.rb$")


def inverted(ops: Sequence[Operation]) -> list[Operation] | None:
    """The inverse of each operation, last first; None when Rails could not reverse one of them."""
    undone = [inverse(op) for op in reversed(ops)]
    return None if any(op is None for op in undone) else [op for op in undone if op is not None]


def migration_file(name: str, tree: Tree) -> str | None:
    """The file of the migration class `name` (`AddEmailToUsers` → `db/migrate/…_add_email_to_users.rb`)."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.split("::")[-1]).lower()
    found = [p for p in tree.paths() if (m := _MIGRATION_FILE.search(p)) and m.group(1) == snake]
    return max(found) if found else None


def moved(ops: Sequence[Operation], path: str, line: int, end_line: int) -> list[Operation]:
    """Another migration's operations, placed at the `revert` call that runs them."""
    return [replace(op, location=Location(path, line), end_line=end_line) for op in ops]
