"""Whether a migration fills a column it has just added (shared by the rules about added columns whose
default gives existing rows a value they should not have)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from bot.model.catalog import unqualified
from bot.model.kept import ByIdentity
from bot.model.migration import AddColumn, DataDelete, DataUpdate, Migration, Operation, RunCode, Truncate

if TYPE_CHECKING:
    from bot.rules.context import Context


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
        sets_column(op, table, column) or _runs_code_on(op, table, column) for m in later for op in _fills(m)
    )


def _can_fill(migration: Migration) -> tuple[Operation, ...]:
    return tuple(op for op in migration.up if isinstance(op, DataUpdate | RunCode))


# The operations of the up that can fill a column (an UPDATE, code): listed once per migration, since a lint
# asks about every later migration of a history for each column added.
_fills: ByIdentity[Migration, tuple[Operation, ...]] = ByIdentity(_can_fill)


def every_row(op: DataUpdate) -> bool:
    """No condition picks the rows: no WHERE, no join (`UPDATE … FROM` writes only the matched rows), no loop
    that runs it row by row."""
    if op.where or op.loop or op.saves == "one":
        return False
    tree = op.expression
    return not (isinstance(tree, exp.Update) and (tree.args.get("from_") or tree.args.get("joins")))


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


def added_by_change(op: Operation, context: Context) -> set[tuple[str, str]]:
    """Columns of the UPDATE that an earlier migration of the same change added: rolling the change back
    drops them, and until then they held no value of the release's."""
    if not isinstance(op, DataUpdate):
        return set()
    found = ((c, context.catalog.column(op.table, c)) for c, _ in op.assignments)
    added = {
        (unqualified(op.table), c) for c, column in found if column is not None and column.added_in_change
    }
    return added | _added_just_before(op, context)


def _added_just_before(op: DataUpdate, context: Context) -> set[tuple[str, str]]:
    """Columns the migration before this one in the same folder added: the schema step of a pair
    the framework writes as two files (Django's AddField, then the RunPython that fills the field), which ship
    together. Until the fill the column held its default only; rolling the fill back loses nothing of it."""
    own = context.migration.path if context.migration is not None else ""
    folder = own.rsplit("/", 1)[0]
    earlier = [m for m in context.change[: max(context.position, 0)] if m.path.rsplit("/", 1)[0] == folder]
    if not earlier or earlier[-1].path == own:
        return set()
    before = earlier[-1]
    return {
        (unqualified(e.table), e.column.name)
        for e in before.up
        if isinstance(e, AddColumn) and unqualified(e.table) == unqualified(op.table)
    }
