"""Names followed through the renames of a migration's steps.

A migration that renames a column of a key often drops the key first and adds it again over the new name
(Django's `RemoveConstraint`, `RenameField`, `AddConstraint`: netbox's `content_type` to `object_type`). The
key before and the key after are then the same key over the same data, under other names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.model.catalog import same_table
from bot.model.migration import Operation, RenameColumn, RenameTable


def _same_column(a: str, b: str) -> bool:
    return a.strip('"`').lower() == b.strip('"`').lower()


def renamed(table: str, columns: Sequence[str], ops: Iterable[Operation]) -> tuple[str, tuple[str, ...]]:
    """The table and its columns as they are called after `ops` have run, each rename followed in order."""
    names = list(columns)
    for op in ops:
        if isinstance(op, RenameTable) and same_table(op.table, table):
            table = op.new_name
        elif isinstance(op, RenameColumn) and same_table(op.table, table):
            names = [op.new_name if _same_column(name, op.column) else name for name in names]
    return table, tuple(names)


def name_before(table: str, ops: Sequence[Operation]) -> str:
    """The name the table had before `ops` ran (a `RenameTable` among them undone)."""
    for op in reversed(ops):
        if isinstance(op, RenameTable) and same_table(op.new_name, table):
            table = op.table
    return table
