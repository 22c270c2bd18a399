"""The table-rebuild pattern: create a new table, copy the rows, drop the old one, rename the new one into place.

SQLite can change little with ALTER TABLE, so its documented way to change a column is this sequence (and
some tools use it on other databases too). It is one rebuild of the table, not a dropped table: the rows
are copied and the name lives on. What it can lose is the columns the new table leaves out.
"""

from __future__ import annotations

from bot.model.migration import CreateTable, DropTable, Migration, RenameTable


def rebuilt_tables(migration: Migration) -> dict[str, CreateTable]:
    """Tables that a migration drops and replaces by renaming a table it created: name → the new definition."""
    created: dict[str, CreateTable] = {}
    dropped: set[str] = set()
    rebuilt: dict[str, CreateTable] = {}
    for op in migration.up:
        if isinstance(op, CreateTable):
            created[op.table] = op
        elif isinstance(op, DropTable):
            dropped.add(op.table)
        elif isinstance(op, RenameTable) and op.table in created and op.new_name in dropped:
            rebuilt[op.new_name] = created[op.table]
    copied = migration.rebuilt_tables()  # only a table whose rows were copied over keeps them
    return {name: definition for name, definition in rebuilt.items() if name in copied}


def columns_left_out(definition: CreateTable, old_columns: list[str]) -> list[str]:
    """The old table's columns the new definition does not carry over."""
    kept = {column.name.lower() for column in definition.columns}
    return [name for name in old_columns if name.lower() not in kept]
