"""Whether a migration fills a column it has just added (shared by the rules about added columns whose
default gives existing rows a value they should not have)."""

from __future__ import annotations

from bot.model.migration import AddColumn, DataDelete, DataUpdate, Migration, Operation, Truncate


def filled_later(migration: Migration, after: Operation, table: str, column: str) -> bool:
    """A later statement of the up sets the column (`UPDATE users SET is_active = true`): the default then
    only stands in for rows inserted from now on."""
    ops = migration.up
    start = next((i for i, op in enumerate(ops) if op is after), -1) + 1
    return any(
        isinstance(later, DataUpdate)
        and later.table == table
        and any(assigned == column for assigned, _ in later.assignments)
        for later in ops[start:]
    )


def added_in(migration: Migration, table: str, column: str) -> bool:
    """The up adds the column (so it holds nothing but its default before the change fills it)."""
    return any(
        isinstance(op, AddColumn) and op.table == table and op.column.name == column for op in migration.up
    )


def emptied_before(migration: Migration, until: Operation, table: str) -> bool:
    """An earlier statement of the up deletes every row of the table (`DELETE FROM t`, `TRUNCATE t`): a
    default given to "existing rows" after it reaches none."""
    for op in migration.up:
        if op is until:
            return False
        if isinstance(op, Truncate) and op.table == table:
            return True
        if isinstance(op, DataDelete) and op.table == table and op.where is None:
            return True
    return False
