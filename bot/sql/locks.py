"""What PostgreSQL does to a table for each operation: which take ACCESS EXCLUSIVE, which run long.

Rules about transactions and timeouts share these answers, so they live here once.
"""

from __future__ import annotations

from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    DataDelete,
    DataInsert,
    DataUpdate,
    DetachPartition,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropNotNull,
    DropTable,
    LockTable,
    Maintenance,
    Operation,
    RawSQL,
    Reindex,
    RenameColumn,
    RenameConstraint,
    RenameTable,
    RunCode,
    SetDefault,
    SetNotNull,
    Truncate,
    ValidateConstraint,
)

_EXCLUSIVE = (
    AddColumn,
    DropColumn,
    RenameColumn,
    AlterColumnType,
    SetNotNull,
    DropNotNull,
    SetDefault,
    DropTable,
    RenameTable,
    Truncate,
    DropConstraint,
    RenameConstraint,
)
_LONG_RAW = {"do-block", "call", "refresh-view"}


def access_exclusive(op: Operation) -> bool:
    """Does the operation take an ACCESS EXCLUSIVE lock on its table (held until the transaction ends)?"""
    if isinstance(op, _EXCLUSIVE):
        return True
    if isinstance(op, AddConstraint):
        return op.constraint != "foreign_key"
    if isinstance(op, DropIndex | DetachPartition):
        return not op.concurrently
    if isinstance(op, Maintenance):
        return op.blocking
    if isinstance(op, LockTable):
        return op.mode in ("ACCESS EXCLUSIVE", "EXCLUSIVE")
    return isinstance(op, RawSQL) and op.category == "lock" and "SHARE" not in op.sql.upper()


def long_running(op: Operation) -> bool:
    """Does the operation scan, rewrite, build or change rows, so its time grows with the table?"""
    if isinstance(op, AddIndex):
        return not op.concurrently
    if isinstance(op, AddConstraint):
        return not op.not_valid and not op.using_index and op.constraint != "not_null"
    if isinstance(op, AddColumn):
        return op.column.volatile_default or op.column.generated
    if isinstance(op, DataInsert):
        return op.from_select
    if isinstance(op, RawSQL):
        return op.category in _LONG_RAW
    long_kinds = (
        ValidateConstraint,
        SetNotNull,
        AlterColumnType,
        DataUpdate,
        DataDelete,
        Maintenance,
        Reindex,
        RunCode,
    )
    return isinstance(op, long_kinds)
