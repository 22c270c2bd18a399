"""What a statement costs on the schema it meets: shared by the rules that ask whether a statement's time
grows with its table (`missing-statement-timeout`) and what a column type change does
(`type-change-rewrite`). `bot.sql.locks.long_running` answers from the statement alone; these answers also
read the catalog: a type change PostgreSQL makes without touching a row, or `SET NOT NULL` on a column that
is already NOT NULL, is instant."""

from __future__ import annotations

import functools
import re

from bot.model.migration import AlterColumnType, DataDelete, DataUpdate, Operation, SetNotNull
from bot.rules.context import Context
from bot.sql.conversions import COERCIBLE, INDEX_REBUILD, SCAN, Change, change_cost
from bot.sql.data_changes import statement_of
from bot.sql.locks import long_running
from bot.sql.subqueries import listed_rows


def column_change(op: AlterColumnType, old: str, context: Context, utc: bool = False) -> Change:
    """How the database changes the column from `old` to the operation's type, with the indexes and
    validated CHECK constraints on the column as the statement finds them."""
    catalog = context.before(op)
    word = functools.cache(  # compiled only for a table with an index or a validated CHECK
        lambda: re.compile(rf'(?<![\w"]){re.escape(op.column)}(?![\w"])|"{re.escape(op.column)}"', re.I)
    )
    indexed = any(op.column in columns for columns in catalog.keys.get(op.table, [])) or any(
        d.table == op.table and any(word().search(c) for c in d.columns)
        for d in catalog.index_definitions.values()
    )
    change = change_cost(old, op.new_type, context.dialect, context.version, utc=utc, indexed=indexed)
    collation = _collation(op) if context.postgres else ""
    if change.cost == COERCIBLE and collation and indexed:
        # `TYPE text COLLATE "C"`: the values stay, but their order is another one (measured on PostgreSQL 15:
        # the table keeps its file, the column's unique index gets a new one)
        return Change(INDEX_REBUILD, f"the values stay, but the collation {collation} orders them anew")
    if change.cost == COERCIBLE and context.postgres:
        checked = [
            name
            for name, check in catalog.checks.items()
            if check.table == op.table and check.validated and word().search(check.expression)
        ]
        if checked:
            names = ", ".join(f"`{n}`" for n in sorted(checked))
            return Change(SCAN, f"the values stay, but every row is checked again against {names}")
    return change


def _collation(op: AlterColumnType) -> str:
    """The collation `ALTER COLUMN … TYPE … COLLATE x` gives the column (as written), "" when none."""
    found = re.search(
        rf'\b(?:ALTER\s+(?:COLUMN\s+)?)"?{re.escape(op.column)}"?\s+(?:SET\s+DATA\s+)?TYPE\s+[^,;]*?\bCOLLATE\s+("[^"]+"|[\w.]+)',
        op.sql,
        re.I,
    )
    return found.group(1) if found else ""


def slow(op: Operation, context: Context) -> bool:
    """Does the statement's time grow with the table, on the schema it meets?"""
    if not long_running(op):
        return False
    if isinstance(op, SetNotNull):
        column = context.before(op).column(op.table, op.column)
        return column is None or column.nullable  # already NOT NULL: nothing to check
    if isinstance(op, AlterColumnType):
        column = context.before(op).column(op.table, op.column)
        return column is None or not column.type or column_change(op, column.type, context).cost != COERCIBLE
    if isinstance(op, DataUpdate | DataDelete) and not op.loop:
        statement = statement_of(op, context.dialect)  # `WHERE id IN ('a', 'b')`: the rows it names
        return statement is None or not listed_rows(statement, op.table, context.before(op))
    return True
