"""Whether a migration fills a column it has just added (shared by the rules about added columns whose
default gives existing rows a value they should not have)."""

from __future__ import annotations

from bot.model.migration import AddColumn, DataDelete, DataUpdate, Migration, Operation, RunCode, Truncate


def filled_later(
    migration: Migration, after: Operation, table: str, column: str, later: tuple[Migration, ...] = ()
) -> bool:
    """A later statement of the up sets the column (`UPDATE users SET is_active = true`), or a later migration
    of the change does (Django's data migration after the one that adds the field), or runs code on the
    table: the default then only stands in for rows inserted from now on."""
    ops = migration.up
    start = next((i for i, op in enumerate(ops) if op is after), -1) + 1
    if any(sets_column(op, table, column) for op in ops[start:]):
        return True
    return any(
        sets_column(op, table, column) or _runs_code_on(op, table, column) for m in later for op in m.up
    )


def sets_column(op: Operation, table: str, *columns: str) -> bool:
    """An UPDATE of the table that assigns one of the columns (a fill, a conversion, a remap of values)."""
    return (
        isinstance(op, DataUpdate)
        and op.table == table
        and any(assigned in columns for assigned, _ in op.assignments)
    )


def _runs_code_on(op: Operation, table: str, column: str) -> bool:
    """Code that works on the table's rows, or that names the column (`RunPython(populate_number_of_orders)`
    handing the work to a task the review cannot read)."""
    return isinstance(op, RunCode) and (table in op.touches or column.lower() in op.sql.lower())


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
