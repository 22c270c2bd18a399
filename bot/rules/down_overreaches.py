"""The down migration finds the rows to restore by the value the up wrote, and so changes rows the up never did.

## Why is this bad?
The up sets `status = 'inactive'` on the users who have not logged in since 2024; the down sets
`status = 'active' WHERE status = 'inactive'`. Every user who was already inactive before the change (banned,
closed, unpaid) is reactivated by the rollback. A rollback runs when something already went wrong, and then
it silently rewrites rows that had nothing to do with the change. The value the up writes does not tell
which rows it wrote, unless no row could hold that value before (a value the same change introduces).
A down with no condition at all (`UPDATE users SET status = 'active'`, Rails' `User.update_all(status:
"active")`, Django's `User.objects.update(status="active")`) after an up that changed only the rows its
condition picked is the same mistake, wider: the rollback writes the value over every row of the table.

## Use instead
Keep the ids and old values of the rows the up changes (a backup table written in the up, or the rollback
plan's snapshot), and let the down restore exactly those:
`UPDATE users u SET status = b.status FROM users_status_backup b WHERE b.id = u.id`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from bot.model.catalog import Catalog
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.markup import code_span
from bot.model.migration import AddConstraint, AddEnumValue, DataUpdate, Migration, Operation
from bot.rules._backfill import every_row
from bot.rules.context import Context
from bot.sql.data_changes import constant, held_to_constants, statement_of
from bot.sql.names import backup_statement
from bot.sql.writes import assigned

RULE = Rule(
    id="down-overreaches",
    dimension=Dimension.ROLLBACK,
    severity=Severity.WARNING,
    help="Restore only the rows the up changed: keep their ids and old values in the up, and restore from them in the down.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY, status text, last_login date);\n-- migration\n"
        "-- +goose Up\nUPDATE users SET status = 'inactive' WHERE last_login < '2024-01-01';\n"
        "-- +goose Down\nUPDATE users SET status = 'active' WHERE status = 'inactive';",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY, status text, last_login date);\n-- migration\n"
        "-- +goose Up\nCREATE TABLE users_status_backup AS SELECT id, status FROM users WHERE last_login < '2024-01-01';\n"
        "UPDATE users SET status = 'inactive' WHERE last_login < '2024-01-01';\n"
        "-- +goose Down\nUPDATE users SET status = b.status FROM users_status_backup b WHERE b.id = users.id;",
    ),
)
EXAMPLE_PATH = "db/migrations/002_change.sql"


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not migration.down:
        return
    written = {
        (op.table, write.target, value): op
        for op in migration.up
        if isinstance(op, DataUpdate) and not context.catalog.is_new(op.table)
        for write in assigned(op, context.dialect)
        if (value := _literal(write.value)) is not None
    }
    yield from _unconditional(migration, context)
    if not written:
        return
    for down in migration.down:
        if not isinstance(down, DataUpdate):
            continue
        restored = {write.target for write in assigned(down, context.dialect)}
        for column, value in _selected_by_value(down, context.dialect):
            up = written.get((down.table, column, value))
            if up is None or column not in restored or _introduced(value, migration.up):
                continue
            if _new_column(context.before(up), down.table, column, value):
                continue  # a column the change adds: no row held the value before it
            yield down.finding(
                RULE,
                f"The down migration picks the rows of `{down.table}` to restore by `{column} = {value}`, the value the "
                f"up writes (line {up.location.line}): rows that held {value} before the change are changed by the "
                "rollback too.",
                blast_radius=(
                    f"A rollback rewrites `{down.table}.{column}` on every row holding {value}, not only on the rows the "
                    "up changed; those rows' own values are lost, and nothing fails."
                ),
                fix=(
                    "In the up, keep the ids and old values of the rows it changes ("
                    f"{code_span(backup_statement(down.table, (column,), context.dialect, '…'))} with the up's "
                    "condition), and restore exactly those rows from it in the down."
                ),
            )


def _unconditional(migration: Migration, context: Context) -> Iterator[Finding]:
    """A down that sets a column to one constant in every row, where the up changed only the rows its
    condition picked: the rollback writes that value over the rows the up never touched."""
    for down in migration.down or ():
        if not isinstance(down, DataUpdate) or not every_row(down):
            continue
        for write in assigned(down, context.dialect):
            value = _literal(write.value)
            up = _picked_by_up(migration, context, down.table, write.target)
            if value is None or value.upper() == "NULL" or up is None:
                continue
            column = write.target
            yield down.finding(
                RULE,
                f"The down migration sets `{down.table}.{column}` to {value} in every row, but the up changed only "
                f"the rows its condition picks (line {up.location.line}, `WHERE {up.where}`): the rollback "
                f"overwrites `{column}` in every other row too.",
                blast_radius=(
                    f"A rollback sets `{down.table}.{column}` to {value} on every row, not only on the rows the up "
                    "changed; the values the other rows held are lost, and nothing fails."
                ),
                fix=(
                    f"In the up, keep the ids and old values of the rows it changes (`CREATE TABLE "
                    f"{down.table}_{column}_backup AS SELECT id, {column} FROM {down.table} WHERE {up.where}`), "
                    "and restore exactly those rows from it in the down."
                ),
            )


def _picked_by_up(migration: Migration, context: Context, table: str, column: str) -> DataUpdate | None:
    """The up's UPDATE of a column that held data before the change, on the rows a condition picks."""
    for op in migration.up:
        if (
            isinstance(op, DataUpdate)
            and op.table == table
            and op.where
            and any(write.target == column for write in assigned(op, context.dialect))
        ):
            known = context.before(op).column(table, column)
            if known is not None and not known.added_in_change:
                return op
    return None


def _new_column(catalog: Catalog, table: str, column: str, value: str) -> bool:
    """A column added by this change (this migration or an earlier one of it), whose default is not the
    value: every row held NULL or the default before the up wrote the value."""
    found = catalog.column(table, column)
    if found is None or not found.added_in_change:
        return False
    default = (found.default or "").strip()
    return default.strip("'") != value.strip("'")


def _literal(node: exp.Expression) -> str | None:
    """A written constant as SQL (`'inactive'`, `0`, `true`); None for anything computed or NULL."""
    return node.sql(dialect="postgres") if constant(node) else None


def _selected_by_value(op: DataUpdate, dialect: str) -> Iterator[tuple[str, str]]:
    """(column, literal) for each `column = literal` AND-ed into the UPDATE's condition."""
    for column, value in held_to_constants(statement_of(op, dialect)):
        yield column, value.sql(dialect="postgres")


def _introduced(value: str, ops: tuple[Operation, ...]) -> bool:
    """The up itself makes the value possible (a new enum value, a CHECK that now admits it): no row could
    hold it before."""
    bare = value.strip("'")
    return any(
        (isinstance(op, AddEnumValue) and op.value == bare)
        or (isinstance(op, AddConstraint) and value in (op.expression_sql or ""))
        for op in ops
    )
