"""The table-rebuild pattern: create a new table, copy the rows, drop the old one, rename the new one into place.

SQLite can change little with ALTER TABLE, so its documented way to change a column is this sequence (and
some tools use it on other databases too). It is one rebuild of the table, not a dropped table: the rows
are copied and the name lives on. What it can lose is the columns the new table leaves out.
"""

from __future__ import annotations

from bot.model.migration import CreateTable, Migration, RenameTable


def rebuilt_tables(migration: Migration) -> dict[str, CreateTable]:
    """Tables that a migration rebuilds (create new, copy the rows, drop, rename: `Migration.rebuilt_tables`),
    each with the definition of the table that replaces it."""
    copied = migration.rebuilt_tables()
    created = {op.table: op for op in migration.up if isinstance(op, CreateTable)}
    return {
        op.new_name: created[op.table]
        for op in migration.up
        if isinstance(op, RenameTable) and op.new_name in copied and op.table in created
    }


def columns_left_out(definition: CreateTable, old_columns: list[str]) -> list[str]:
    """The old table's columns the new definition does not carry over."""
    kept = {column.name.lower() for column in definition.columns}
    return [name for name in old_columns if name.lower() not in kept]
