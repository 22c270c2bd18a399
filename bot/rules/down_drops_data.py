"""The down migration drops or empties a table or column that held data before the up ran.

## Why is this bad?
A down migration undoes its up: what the up created, the down drops; what the up renamed, the down
renames back. A down that drops something the up did not create destroys data that was there before the
change. The usual slip is a rename: the up runs `ALTER TABLE users RENAME TO accounts` and the down
`DROP TABLE accounts`, which is every user there is. `rename_column :users, :bio, :about` undone with
`remove_column :users, :about` loses every bio. Rollbacks run when something has already gone wrong,
often in a hurry and without a second review; this one turns a bad deploy into lost data.

## Use instead
Undo exactly what the up did, in reverse order: rename back (`ALTER TABLE accounts RENAME TO users`),
restore the type or default the up changed, and drop only what the up created. If the up cannot be undone
without losing data, make the down refuse to run (`raise ActiveRecord::IrreversibleMigration`, a down that
fails with a message) rather than delete.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.catalog import Catalog, same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import (
    AddColumn,
    CreateTable,
    DataInsert,
    DataUpdate,
    DropColumn,
    DropTable,
    Migration,
    Operation,
    RenameColumn,
    RenameTable,
    Truncate,
)
from bot.rules._numbered_parts import numbered_parts
from bot.rules.context import Context

RULE = Rule(
    id="down-drops-data",
    dimension=Dimension.ROLLBACK,
    severity=Severity.CRITICAL,
    help="Undo exactly what the up did (rename back, restore what it changed); drop only what the up created.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n-- migration\n"
        "-- +goose Up\nALTER TABLE users RENAME TO accounts;\n-- +goose Down\nDROP TABLE accounts;",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n-- migration\n"
        "-- +goose Up\nALTER TABLE users RENAME TO accounts;\n-- +goose Down\nALTER TABLE accounts RENAME TO users;",
    ),
)
EXAMPLE_PATH = "db/migrations/002_rename_users.sql"


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    parts = numbered_parts(migration, context)
    if parts and parts[0] is not migration:
        return  # one migration written as numbered parts: judged whole, at its first part
    up = tuple(op for part in parts for op in part.up) if parts else migration.up
    # the runner rolls the parts back last first
    down = tuple(op for part in reversed(parts) for op in part.down or ()) if parts else migration.down
    if not down or not up:
        return
    if not any(isinstance(op, DropTable | DropColumn | Truncate) for op in down):
        return  # nothing dropped: no need to work out what the up leaves
    before = context.catalog if parts else context.before(migration.up[0])
    tables, columns = _after_up(up, before)
    for index, op in enumerate(down):
        lost = _lost(op, tables, columns)
        if lost is None or _copied_before(op, down[:index]):
            continue
        what, old = lost
        renamed = f" (the up renamed `{old}` to it)" if old else ""
        yield op.finding(
            RULE,
            f"The down migration {'empties' if isinstance(op, Truncate) else 'drops'} {what}, which the up did "
            f"not create{renamed}: rolling back destroys data that was there before the change.",
            blast_radius=f"Every row of {context.size_words(str(getattr(op, 'table', '')))} that existed before "
            "this migration, lost when it is rolled back.",
            fix="Undo what the up did instead"
            + (f" (rename it back to `{old}`)" if old else "")
            + "; if the up cannot be undone without losing data, make the down fail with a message rather "
            "than drop it.",
        )


def _after_up(
    up: tuple[Operation, ...], before: Catalog
) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """The tables and columns that exist after the up and held data before it (not created by this change),
    each with the name it had before (keyed by its name after the up)."""
    tables = {name: name for name, table in before.tables.items() if not table.created_in_change}
    columns = {
        (name, column.name): column.name
        for name in tables
        for column in before.tables[name].columns.values()
        if not column.added_in_change
    }
    for op in up:
        if isinstance(op, CreateTable | DropTable):
            tables.pop(op.table, None)
            columns = {key: old for key, old in columns.items() if not same_table(key[0], op.table)}
        elif isinstance(op, RenameTable) and op.table in tables:
            tables[op.new_name] = tables.pop(op.table)
            columns = {
                ((op.new_name if same_table(t, op.table) else t), c): old for (t, c), old in columns.items()
            }
        elif isinstance(op, AddColumn):
            columns.pop((op.table, op.column.name), None)
        elif isinstance(op, DropColumn):
            columns.pop((op.table, op.column), None)
        elif isinstance(op, RenameColumn) and (op.table, op.column) in columns:
            columns[(op.table, op.new_name)] = columns.pop((op.table, op.column))
    return tables, columns


def _lost(
    op: Operation, tables: dict[str, str], columns: dict[tuple[str, str], str]
) -> tuple[str, str] | None:
    """What the down operation destroys that held data before the up, and its name before the up when the
    up renamed it ("" when it did not)."""
    if isinstance(op, DropTable | Truncate) and op.table in tables:
        old = tables[op.table]
        return f"`{op.table}`", "" if old == op.table else old
    if isinstance(op, DropColumn) and (op.table, op.column) in columns:
        old = columns[(op.table, op.column)]
        return f"`{op.table}.{op.column}`", "" if old == op.column else old
    return None


def _copied_before(op: Operation, earlier: tuple[Operation, ...]) -> bool:
    """The down reads what it drops into another column or table first (a column rebuilt in a new position:
    add `bio_new`, `UPDATE … SET bio_new = bio`, drop `bio`, rename): the data moves, it is not lost."""
    if isinstance(op, DropColumn):
        read = re.compile(rf"\b{re.escape(op.column)}\b", re.I)
        return any(
            isinstance(e, DataUpdate | DataInsert)
            and read.search(e.sql.split("=", 1)[-1] if isinstance(e, DataUpdate) else e.sql)
            for e in earlier
        )
    source = re.compile(rf"\bFROM\s+[\"`\[]?{re.escape(str(getattr(op, 'table', '')))}\b", re.I)
    # or a table made from it (`CREATE TEMPORARY TABLE __temp__t AS SELECT … FROM t`, SQLite's rebuild as
    # Doctrine writes it)
    return any(
        (isinstance(e, DataInsert) or (isinstance(e, CreateTable) and _AS_SELECT.search(e.sql)))
        and source.search(e.sql)
        for e in earlier
    )


_AS_SELECT = re.compile(r"\bAS\s*\(?\s*SELECT\b", re.I)
