"""The SQL statements a framework runs for one call that does several things.

Django's `AddField` of a ForeignKey runs `ALTER TABLE … ADD COLUMN`, `CREATE INDEX` and `ALTER TABLE … ADD
CONSTRAINT` one after the other; Rails' `add_reference` and `change_column_null … false, "x"` do the same.
Each operation keeps the line of the call, and gets the statement it stands for as its text, so rules
that reason about separate statements (a lock held while the next one runs) see them as the runner
runs them, and messages quote what will run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    DataUpdate,
    DropConstraint,
    DropNotNull,
    Operation,
    SetDefault,
    SetNotNull,
)


def separate(ops: Sequence[Operation]) -> tuple[Operation, ...]:
    """Operations read from one framework call (same line and text) get the SQL of their own statement."""
    counts = Counter((op.location, op.sql) for op in ops if op.expression is None)
    return tuple(
        replace(op, sql=describe(op)) if op.expression is None and counts[(op.location, op.sql)] > 1 else op
        for op in ops
    )


def describe(op: Operation) -> str:
    if isinstance(op, AddColumn):
        column = op.column
        null = "" if column.nullable else " NOT NULL"
        default = f" DEFAULT {column.default}" if column.default is not None else ""
        return f"ALTER TABLE {op.table} ADD COLUMN {column.name} {column.type}{null}{default}".replace(
            "  ", " "
        )
    if isinstance(op, AddIndex):
        unique = "UNIQUE " if op.unique else ""
        concurrently = "CONCURRENTLY " if op.concurrently else ""
        return f"CREATE {unique}INDEX {concurrently}{op.name} ON {op.table} ({', '.join(op.columns)})"
    if isinstance(op, AddConstraint):
        return f"ALTER TABLE {op.table} ADD CONSTRAINT {op.name} {_constraint(op)}"
    if isinstance(op, DropConstraint):
        return f"ALTER TABLE {op.table} DROP CONSTRAINT {op.name}"
    if isinstance(op, AlterColumnType):
        collate = f" COLLATE {op.collation}" if op.collation else ""
        return f"ALTER TABLE {op.table} ALTER COLUMN {op.column} TYPE {op.new_type}{collate}"
    if isinstance(op, SetNotNull | DropNotNull):
        verb = "SET" if isinstance(op, SetNotNull) else "DROP"
        return f"ALTER TABLE {op.table} ALTER COLUMN {op.column} {verb} NOT NULL"
    if isinstance(op, SetDefault):
        action = f"SET DEFAULT {op.default}" if op.default is not None else "DROP DEFAULT"
        return f"ALTER TABLE {op.table} ALTER COLUMN {op.column} {action}"
    if isinstance(op, DataUpdate):
        sets = ", ".join(f"{column} = {value}" for column, value in op.assignments) or "…"
        where = f" WHERE {op.where}" if op.where else ""
        return f"UPDATE {op.table} SET {sets}{where}"
    return f"{op.sql} ({op.kind})"


def _constraint(op: AddConstraint) -> str:
    columns = ", ".join(op.columns)
    if op.constraint == "foreign_key":
        clause = f"FOREIGN KEY ({columns}) REFERENCES {op.references or '…'}"
        clause += f" ON DELETE {op.on_delete.upper()}" if op.on_delete else ""
        clause += f" ON UPDATE {op.on_update.upper()}" if op.on_update else ""
    elif op.constraint == "check":
        clause = f"CHECK ({op.expression_sql or '…'})"
    else:
        clause = f"{op.constraint.replace('_', ' ').upper()} ({columns})"
    return clause + (" NOT VALID" if op.not_valid else "")
