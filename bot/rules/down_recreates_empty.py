"""A down migration that re-creates a dropped column or table empty: the data is lost on the way back.

## Why is this bad?
`ALTER TABLE orders DROP COLUMN legacy_status` going up and `ADD COLUMN legacy_status text` going down
looks reversible, and the rollback even succeeds, but every row comes back with NULL. Code that reads the
column after the rollback sees data that silently disappeared; for a table, all of its rows are gone.

## Use instead
Take a snapshot before dropping (`CREATE TABLE orders_legacy_status_backup AS SELECT id, legacy_status
FROM orders`, in the up migration or as a deploy step) and restore from it in the down migration
(`UPDATE orders SET legacy_status = b.legacy_status FROM orders_legacy_status_backup b WHERE b.id = orders.id`).
Drop the backup in a later pull request, once the release is settled.

## Framework notes
Django reverses `RemoveField` by adding the field back, empty; the same holds for any runner that derives
the way back itself.

A column re-created NOT NULL without a default (what Alembic's autogenerate writes in `downgrade()` for a
dropped required column, `nullable=False`) is worse: PostgreSQL and SQLite refuse to add it to a table with
rows, so the rollback itself fails. MySQL and MariaDB fill it with the type's implicit default.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.markup import code_span
from bot.model.migration import (
    AddColumn,
    ColumnSpec,
    CreateTable,
    DataInsert,
    DataUpdate,
    DropColumn,
    DropTable,
    Migration,
    Operation,
)
from bot.rules._whole_table import drops_table_later
from bot.rules.context import Context
from bot.rules.missing_down_migration import DERIVED_DOWN
from bot.sql.names import backup_statement

RULE = Rule(
    id="down-recreates-empty",
    dimension=Dimension.ROLLBACK,
    severity=Severity.WARNING,
    help="Snapshot the dropped data before the drop and restore it from the snapshot in the down migration.",
    bad=(
        "-- +goose Up\nALTER TABLE orders DROP COLUMN legacy_status;\n"
        "-- +goose Down\nALTER TABLE orders ADD COLUMN legacy_status text;",
    ),
    good=(
        "-- +goose Up\nCREATE TABLE orders_legacy_status_backup AS SELECT id, legacy_status FROM orders;\n"
        "ALTER TABLE orders DROP COLUMN legacy_status;\n"
        "-- +goose Down\nALTER TABLE orders ADD COLUMN legacy_status text;\n"
        "UPDATE orders SET legacy_status = b.legacy_status FROM orders_legacy_status_backup b WHERE b.id = orders.id;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if migration.down is None:
        return
    restored = {op.table for op in migration.down if isinstance(op, DataUpdate | DataInsert)}
    snapshots = [op.table for op in migration.up if isinstance(op, CreateTable) and op.as_select]
    for i, op in enumerate(migration.up):
        if not isinstance(op, DropColumn | DropTable) or context.catalog.is_new(op.table):
            continue
        if isinstance(op, DropColumn) and not context.mysql:
            back = _recreation(op, migration.down)
            if isinstance(back, AddColumn) and _refused_on_rows(back.column):
                yield _refused(back)
                continue
        if any(same_table(op.table, table) for table in restored):
            continue
        if isinstance(op, DropColumn) and drops_table_later(migration.up[i + 1 :], op.table):
            continue  # the table comes back empty as a whole: one finding, the table's
        back = _recreation(op, migration.down)
        # the way back the runner derives itself (Rails' `change`) sits on the line of the statement it reverses
        derived = (
            migration.framework in DERIVED_DOWN
            and isinstance(op, DropColumn)
            and (back is None or back.location == op.location)
        )
        if back is None and not derived:
            continue
        what = f"column `{op.table}.{op.column}`" if isinstance(op, DropColumn) else f"table `{op.table}`"
        saved = (op.column,) if isinstance(op, DropColumn) else ()
        taken = (
            f" The up migration already copies data into `{snapshots[0]}`: restore from it in the down migration."
            if snapshots
            else ""
        )
        who = (
            f"Reversing it, {migration.framework.capitalize()} re-creates"
            if derived
            else "The down migration re-creates"
        )
        yield (back or op).finding(
            RULE,
            f"{who} the dropped {what} empty: its data does not come back.{taken}",
            blast_radius=_refilled(op, back),
            fix=f"Before the drop run {code_span(backup_statement(op.table, saved, context.dialect) + ';')} and restore "
            "from it in the down migration after re-creating the "
            + ("column." if isinstance(op, DropColumn) else "table."),
        )


def _refused_on_rows(column: ColumnSpec) -> bool:
    """NOT NULL with nothing to fill the existing rows with: PostgreSQL and SQLite refuse it on a table with rows."""
    return not column.nullable and column.default is None and not column.identity and not column.generated


def _refused(back: AddColumn) -> Finding:
    column = back.column.name
    return back.finding(
        RULE,
        f"The down migration re-creates the dropped column `{back.table}.{column}` NOT NULL without a default: "
        f'the rollback fails on a table with rows (`column "{column}" of relation "{back.table}" contains '
        "null values`), and the column's data would not come back anyway.",
        severity=Severity.CRITICAL,
        blast_radius=f"The rollback stops at this statement on every database where `{back.table}` has a row: "
        "the release cannot be taken back by its own down migration.",
        fix=f"Re-create `{column}` as nullable (or with a default), restore its values from a snapshot taken "
        "before the drop, and only then set it NOT NULL.",
    )


def _refilled(op: DropColumn | DropTable, back: Operation | None) -> str:
    """What the rows hold after the rollback: NULL in the column, or the default it is re-created with."""
    if isinstance(op, DropTable):
        return f"After a rollback `{op.table}` exists again with no rows."
    default = back.column.default if isinstance(back, AddColumn) else None
    if default is None:
        return f"After a rollback every row of `{op.table}` has NULL in the re-created column."
    return (
        f"After a rollback every row of `{op.table}` has the column's default, `{default}`, in the re-created "
        "column, whatever it held before."
    )


def _recreation(op: DropColumn | DropTable, down: tuple[Operation, ...]) -> Operation | None:
    for back in down:
        if (
            isinstance(op, DropColumn)
            and isinstance(back, AddColumn)
            and (back.table, back.column.name) == (op.table, op.column)
        ):
            return back
        if (
            isinstance(op, DropTable)
            and isinstance(back, CreateTable)
            and back.table == op.table
            and not back.as_select
        ):
            return back
    return None
