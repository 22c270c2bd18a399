"""The table-rebuild pattern: create a new table, copy the rows, drop the old one, rename the new one into place.

SQLite can change little with ALTER TABLE, so its documented way to change a column is this sequence (and
some tools use it on other databases too). It is one rebuild of the table, not a dropped table: the rows
are copied and the name lives on. What it can lose is the columns the new table leaves out.
"""

from __future__ import annotations

from bot.model.migration import CreateTable, Migration, Rebuild


def rebuilt_tables(migration: Migration) -> dict[str, CreateTable]:
    """Tables that a migration rebuilds (`Migration.rebuilds`), by the name of the table the rebuild drops,
    each with the definition of the table that replaces it."""
    return {r.dropped: d for r, d in _definitions(migration)}


def replaced_tables(migration: Migration) -> dict[str, CreateTable]:
    """The same rebuilds by the table's own name (the one it has before and after)."""
    return {r.table: d for r, d in _definitions(migration)}


def _definitions(migration: Migration) -> list[tuple[Rebuild, CreateTable]]:
    created = {op.table: op for op in migration.up if isinstance(op, CreateTable)}
    return [(r, created[r.copy]) for r in migration.rebuilds() if r.copy in created]


def columns_left_out(definition: CreateTable, old_columns: list[str]) -> list[str]:
    """The old table's columns the new definition does not carry over (`LIKE old` carries every one)."""
    if definition.like:
        return []
    if definition.as_select and not definition.columns:  # `CREATE TABLE new AS SELECT …`: what it selects
        if not definition.selected or any(column == "*" for _, _, column in definition.selected):
            return []
        kept = {name.lower() for name, _, _ in definition.selected}
        return [name for name in old_columns if name.lower() not in kept]
    kept = {column.name.lower() for column in definition.columns}
    return [name for name in old_columns if name.lower() not in kept]
