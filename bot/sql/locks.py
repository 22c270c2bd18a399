"""The table-level locks PostgreSQL takes for each operation, how long it does work under them, and what they block.

Follows PostgreSQL's table-level lock table (ACCESS SHARE … ACCESS EXCLUSIVE). Every lock is held until the
transaction ends, so the locks of one transaction accumulate: `bot.sql.transactions` walks them. Rules
about locking, transactions and timeouts share these answers, so they live here once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from bot.model.catalog import Catalog, same_table
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    ColumnSpec,
    CreateTable,
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
from bot.sql.pg_hypertables import hypertables


class Level(IntEnum):
    ACCESS_SHARE = 1
    ROW_SHARE = 2
    ROW_EXCLUSIVE = 3
    SHARE_UPDATE_EXCLUSIVE = 4
    SHARE = 5
    SHARE_ROW_EXCLUSIVE = 6
    EXCLUSIVE = 7
    ACCESS_EXCLUSIVE = 8

    @property
    def words(self) -> str:
        return self.name.replace("_", " ")

    @property
    def blocks_reads(self) -> bool:
        """Conflicts with the ACCESS SHARE lock every SELECT takes."""
        return self is Level.ACCESS_EXCLUSIVE

    @property
    def blocks_writes(self) -> bool:
        """Conflicts with the ROW EXCLUSIVE lock every INSERT, UPDATE and DELETE takes."""
        return self >= Level.SHARE

    @property
    def blocked(self) -> str:
        return (
            "reads and writes"
            if self.blocks_reads
            else "writes"
            if self.blocks_writes
            else "no reads or writes"
        )


# How long the operation works while it holds the lock.
CATALOG, SCAN, REWRITE, INDEX_BUILD, ROWS = "catalog-only", "scan", "rewrite", "index build", "rows"
LONG = (SCAN, REWRITE, INDEX_BUILD, ROWS)


@dataclass(frozen=True)
class Lock:
    table: str
    level: Level
    duration: str = CATALOG

    @property
    def long(self) -> bool:
        return self.duration in LONG


AE, SRE, SHARE, SUE, RX = (
    Level.ACCESS_EXCLUSIVE,
    Level.SHARE_ROW_EXCLUSIVE,
    Level.SHARE,
    Level.SHARE_UPDATE_EXCLUSIVE,
    Level.ROW_EXCLUSIVE,
)
_CATALOG_ONLY = (
    DropColumn,
    RenameColumn,
    DropNotNull,
    SetDefault,
    DropTable,
    RenameTable,
    Truncate,
    DropConstraint,
    RenameConstraint,
)
_LOCK_MODE = re.compile(r"\bIN\s+((?:ACCESS|ROW|SHARE|EXCLUSIVE|UPDATE|\s)+?)\s+MODE\b", re.I)
_LOCK_TABLES = re.compile(
    r"^\s*LOCK\s+(?:TABLE\s+)?(?:ONLY\s+)?(.+?)(?:\s+IN\s+|\s+NOWAIT|\s*;|\s*$)", re.I | re.S
)


def locks(
    op: Operation, version: tuple[int, ...] = (13,), catalog: Catalog | None = None
) -> tuple[Lock, ...]:
    """The table-level locks `op` takes on PostgreSQL `version`, with how long it works under each.

    With the `catalog` as `op` sees it, the locks a statement takes on tables it does not name are known
    too: dropping a foreign key (by name, with its column or with its table) drops its triggers on the
    referenced table, which takes ACCESS EXCLUSIVE there.
    """
    own = _own_locks(op, version)
    if catalog is None or not reads_catalog(op):
        return own
    if isinstance(op, CreateTable):
        # `CREATE TABLE IF NOT EXISTS` of a table the schema has stops at the name, before its foreign keys
        return () if op.table in catalog.tables else own
    return own + _dropped_keys(op, catalog)


def reads_catalog(op: Operation) -> bool:
    """Does `locks` of `op` depend on the catalog it is given? (Only a dropped foreign key's locks do, and
    those of `CREATE TABLE IF NOT EXISTS`: a caller need not work out the schema an operation sees for the
    others.)"""
    return isinstance(op, DropTable | DropColumn | DropConstraint) or (
        isinstance(op, CreateTable) and op.if_not_exists
    )


def _dropped_keys(op: Operation, catalog: Catalog) -> tuple[Lock, ...]:
    if isinstance(op, DropTable):
        keys = [k for k in catalog.foreign_keys.values() if same_table(k.table, op.table)]
    elif isinstance(op, DropColumn):
        keys = [
            k
            for k in catalog.foreign_keys.values()
            if op.column in k.columns and same_table(k.table, op.table)
        ]
    elif isinstance(op, DropConstraint):
        keys = [catalog.foreign_keys[name] for name in catalog.foreign_keys_named(op.table, op.name)]
    else:
        return ()
    # an association only the models declare (no key of the database) locks nothing when it goes
    referenced = {k.references for k in keys if not k.declared and not same_table(k.references, op.table)}
    return tuple(Lock(table, AE) for table in sorted(referenced))


def _own_locks(op: Operation, version: tuple[int, ...]) -> tuple[Lock, ...]:
    table = getattr(op, "table", "") or ""
    if isinstance(op, _CATALOG_ONLY):
        return (Lock(table, AE),)
    if isinstance(op, AddColumn):
        return _add_column(op, version)
    if isinstance(op, AddConstraint):
        return _add_constraint(op)
    if isinstance(op, CreateTable):
        return _create_table(op)
    if isinstance(op, ValidateConstraint):
        return (Lock(table, SUE, SCAN),)
    if isinstance(op, SetNotNull):
        return (Lock(table, AE, SCAN),)
    if isinstance(op, AlterColumnType):
        return (Lock(table, AE, REWRITE),)
    if isinstance(op, LockTable):
        return (Lock(table, Level[op.mode.strip().upper().replace(" ", "_")]),)
    return _indexes_and_rest(op, table)


def _indexes_and_rest(op: Operation, table: str) -> tuple[Lock, ...]:
    if isinstance(op, AddIndex):
        return (Lock(table, SUE if op.concurrently else SHARE, INDEX_BUILD),)
    if isinstance(op, DropIndex):
        return (Lock(table, SUE if op.concurrently else AE),)
    if isinstance(op, Reindex):
        return (Lock(table or op.target, SUE if op.concurrently else SHARE, INDEX_BUILD),)
    if isinstance(op, DetachPartition):
        level = SUE if op.concurrently else AE
        return (Lock(table, level), Lock(op.partition, AE if not op.concurrently else SUE))
    if isinstance(op, Maintenance):
        return (Lock(table, AE if op.blocking else SUE, REWRITE if op.blocking else SCAN),)
    if isinstance(op, DataUpdate | DataDelete):
        return (Lock(table, RX, ROWS),)
    if isinstance(op, DataInsert):
        return (Lock(table, RX, ROWS if op.from_select else CATALOG),)
    if isinstance(op, RawSQL):
        return _raw(op)
    return ()


def _add_column(op: AddColumn, version: tuple[int, ...]) -> tuple[Lock, ...]:
    column = op.column
    stored = column.generated and not column.virtual
    rewrite = column.volatile_default or stored or (version < (11,) and column.default is not None)
    duration = REWRITE if rewrite else INDEX_BUILD if column.unique or column.primary_key else CATALOG
    found = [Lock(op.table, AE, duration)]
    if column.references:
        # The referenced table is locked against writes; the new key is validated at once (every row read) only
        # where the column has a DEFAULT: without one every row holds NULL and PostgreSQL skips the scan.
        found.append(Lock(column.references, SRE, SCAN if _validates_reference(column) else CATALOG))
    return tuple(found)


def _validates_reference(column: ColumnSpec) -> bool:
    return bool(column.references) and column.default is not None


def _add_constraint(op: AddConstraint) -> tuple[Lock, ...]:
    if op.constraint == "foreign_key":
        duration = CATALOG if op.not_valid else SCAN
        found = [Lock(op.table, SRE, duration)]
        if op.references and op.references != op.table:
            found.append(Lock(op.references, SRE, duration))
        return tuple(found)
    if op.constraint in ("unique", "primary_key", "exclusion"):
        return (Lock(op.table, AE, CATALOG if op.using_index else INDEX_BUILD),)
    return (Lock(op.table, AE, CATALOG if op.not_valid else SCAN),)


def _create_table(op: CreateTable) -> tuple[Lock, ...]:
    """A new table locks nothing anyone uses, but each table its foreign keys reference is locked against writes."""
    referenced = {c.references for c in op.columns if c.references}
    referenced |= {c.references for c in op.constraints if c.references}
    referenced.discard(op.table)
    return tuple(Lock(table, SRE) for table in sorted(t for t in referenced if t))


def _raw(op: RawSQL) -> tuple[Lock, ...]:
    if op.category == "lock":
        mode = _LOCK_MODE.search(op.sql)
        level = Level[re.sub(r"\s+", "_", mode.group(1).strip().upper())] if mode else AE
        match = _LOCK_TABLES.match(op.sql)
        names = [n.strip().strip('"').lower() for n in match.group(1).split(",")] if match else [op.table]
        return tuple(Lock(name.removeprefix("public."), level) for name in names if name)
    if op.category == "trigger" and op.table:
        return (Lock(op.table, SRE),)
    if op.category == "trigger-toggle" and op.table:
        return (Lock(op.table, SRE),)
    if op.category in _IDENTITY_CHANGES and op.table:
        return (Lock(op.table, AE),)  # catalog only: checked on PostgreSQL 15 with pg_locks
    if op.category == "attach-partition" and op.table:
        return (Lock(op.table, SUE, SCAN),)  # the partition's rows are checked against its bounds
    if op.category == "create-hypertable" and op.table:
        # TimescaleDB locks the table, and with `migrate_data` copies its rows into chunks under the lock
        return (Lock(op.table, AE, ROWS if _migrates_data(op) else CATALOG),)
    return ()


def _migrates_data(op: RawSQL) -> bool:
    return any(h.table == op.table and h.migrate_data for h in hypertables(op.sql))


def access_exclusive(op: Operation) -> bool:
    """Does the operation take an ACCESS EXCLUSIVE lock on its table (held until the transaction ends)?"""
    return any(lock.level is AE for lock in locks(op))


def blocking(
    op: Operation, version: tuple[int, ...] = (13,), catalog: Catalog | None = None
) -> tuple[Lock, ...]:
    """The locks of `op` that block writes (or reads too)."""
    return tuple(lock for lock in locks(op, version, catalog) if lock.level.blocks_writes)


_LONG_RAW = {"do-block", "call", "refresh-view"}
# `ALTER COLUMN … SET GENERATED …` / `SET INCREMENT BY …` / `RESTART`, and `ADD GENERATED … AS IDENTITY`
_IDENTITY_CHANGES = ("alter-table-set-identity", "alter-table-add-identity")


def long_running(op: Operation) -> bool:
    """Does the operation scan, rewrite, build or change rows, so its time grows with the table?"""
    if isinstance(op, AddIndex):
        return not op.concurrently
    if isinstance(op, AddConstraint):
        if op.on_column and op.constraint == "foreign_key":
            return False  # validated, if at all, by its column's ADD COLUMN (below)
        return not op.not_valid and not op.using_index and op.constraint != "not_null"
    if isinstance(op, AddColumn):
        return (
            op.column.volatile_default
            or (op.column.generated and not op.column.virtual)
            or _validates_reference(op.column)
        )
    if isinstance(op, DataInsert):
        return op.from_select
    if isinstance(op, RawSQL):
        return op.category in _LONG_RAW or (op.category == "create-hypertable" and _migrates_data(op))
    if isinstance(op, RunCode):
        return not op.offline
    long_kinds = (
        ValidateConstraint,
        SetNotNull,
        AlterColumnType,
        DataUpdate,
        DataDelete,
        Maintenance,
        Reindex,
    )
    return isinstance(op, long_kinds)
