"""What a change removes or renames, as the targets the code-reference search looks for."""

from __future__ import annotations

from collections.abc import Iterable

from bot.migration import DropColumn, DropTable, Migration, RenameColumn, RenameTable
from bot.references import Target


def targets_of(migrations: Iterable[Migration]) -> list[Target]:
    found: dict[Target, None] = {}
    for migration in migrations:
        for op in migration.up:
            if isinstance(op, DropColumn):
                found[Target("column", op.table, op.column)] = None
            elif isinstance(op, RenameColumn):
                found[Target("column", op.table, op.column, op.new_name)] = None
            elif isinstance(op, DropTable):
                found[Target("table", op.table, op.table)] = None
            elif isinstance(op, RenameTable):
                found[Target("table", op.table, op.table, op.new_name)] = None
    return list(found)
