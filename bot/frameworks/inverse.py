"""The operation that undoes an operation, for runners that derive the way back themselves.

Rails `change`, Django's operations and Liquibase's automatic rollback reverse what they did without
a written down migration. An operation whose inverse needs facts it does not carry (the type of a
dropped column, the rows an UPDATE changed) has none: `inverse` returns None for it.
"""

from __future__ import annotations

from dataclasses import replace

from bot.frameworks.origin import Origin
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    CreateTable,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropNotNull,
    DropTable,
    Operation,
    RawSQL,
    RenameColumn,
    RenameTable,
    SetNotNull,
    ValidateConstraint,
)


def inverse(op: Operation) -> Operation | None:
    base: Origin = {"location": op.location, "end_line": op.end_line, "sql": op.sql}
    if isinstance(op, CreateTable):
        return DropTable(table=op.table, **base)
    if isinstance(op, AddColumn):
        return DropColumn(table=op.table, column=op.column.name, **base)
    if isinstance(op, RenameColumn):
        return RenameColumn(table=op.table, column=op.new_name, new_name=op.column, **base)
    if isinstance(op, RenameTable):
        return RenameTable(table=op.new_name, new_name=op.table, **base)
    if isinstance(op, AddIndex):
        return DropIndex(name=op.name, table=op.table, concurrently=op.concurrently, **base)
    if isinstance(op, AddConstraint):
        return DropConstraint(table=op.table, name=op.name, **base)
    if isinstance(op, AlterColumnType) and op.old_type:
        return AlterColumnType(
            table=op.table, column=op.column, new_type=op.old_type, old_type=op.new_type, **base
        )
    if isinstance(op, SetNotNull):
        return DropNotNull(table=op.table, column=op.column, **base)
    if isinstance(op, DropNotNull):
        return SetNotNull(table=op.table, column=op.column, **base)
    if isinstance(op, ValidateConstraint | RawSQL) and (
        not isinstance(op, RawSQL) or op.category == "comment"
    ):
        return replace(op)
    return None
