"""Columns that go with their table: a migration that drops a column and then the whole table."""

from __future__ import annotations

from collections.abc import Sequence

from bot.model.catalog import same_table
from bot.model.migration import CreateTable, DropTable, Operation


def drops_table_later(later: Sequence[Operation], table: str) -> bool:
    """Do the operations that follow go on to drop the whole table (without creating one of that name again
    first)? Django's autodetector removes a model's relations before it deletes the model: those columns go
    with the table, and the table's drop is what rules judge."""
    for each in later:
        if isinstance(each, CreateTable) and same_table(each.table, table):
            return False
        if isinstance(each, DropTable) and same_table(each.table, table):
            return True
    return False
