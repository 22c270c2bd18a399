"""Which statements of a migration share a transaction, and the locks each one finds already held.

A file's statements run in the runner's transaction (when it wraps the file), in the file's own
`BEGIN … COMMIT` segments, or each on its own. PostgreSQL holds every lock until the transaction ends, so
the locks of one transaction accumulate: a quick `ADD CONSTRAINT … NOT VALID` followed by `VALIDATE` in the
same transaction keeps writes blocked for the whole validation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bot.model.catalog import Catalog
from bot.model.migration import (
    AddEnumValue,
    AddIndex,
    DetachPartition,
    DropIndex,
    Maintenance,
    Migration,
    Operation,
    RawSQL,
    Reindex,
    Transaction,
    transaction_flags,
)
from bot.sql.locks import Lock, locks, reads_catalog


@dataclass(frozen=True)
class Held:
    """A lock taken by an earlier statement of the same transaction, and that statement."""

    lock: Lock
    op: Operation


def with_held_locks(
    migration: Migration,
    version: tuple[int, ...] = (13,),
    catalog_of: Callable[[Operation], Catalog] | None = None,
) -> Iterator[tuple[Operation, bool, tuple[Held, ...]]]:
    """For each `up` operation: whether it runs in a transaction, and the locks held when it starts.

    `catalog_of` gives the schema as an operation sees it, for the locks it takes on tables it does not name.
    """
    held: list[Held] = []
    for op, in_transaction in zip(migration.up, transaction_flags(migration), strict=True):
        if isinstance(op, Transaction):
            if op.action in ("commit", "rollback", "block-commit", "block-rollback"):
                held = []
            yield op, in_transaction, ()
            continue
        if not in_transaction:
            held = []
        yield op, in_transaction, tuple(held)
        called = catalog_of is not None and isinstance(op, RawSQL) and op.category == "call"
        if called and catalog_of is not None and procedure_commits(op, catalog_of(op)):
            held = []  # its first COMMIT ends the transaction that held them
            continue
        if in_transaction:
            catalog = catalog_of(op) if catalog_of is not None and reads_catalog(op) else None
            held.extend(Held(lock, op) for lock in locks(op, version, catalog) if lock.table)


_CALLED = re.compile(r"^\s*CALL\s+([\w.\"]+)\s*\(", re.I)
_ENDS = re.compile(r"\b(?:COMMIT|ROLLBACK)\s*(?:AND\s+(?:NO\s+)?CHAIN\s*)?;", re.I)


def procedure_commits(op: Operation, catalog: Catalog) -> bool:
    """`CALL backfill()` of a procedure whose body COMMITs or ROLLBACKs (PostgreSQL 11+): it ends the
    caller's transaction, and fails when called inside a transaction block."""
    called = _CALLED.match(op.sql) if isinstance(op, RawSQL) and op.category == "call" else None
    if called is None:
        return False
    name = called.group(1).replace('"', "").lower().split(".")[-1]
    procedure = catalog.objects.get(f"function:{name}")
    body = procedure.sql.split("$", 1)[-1] if procedure is not None else ""
    return _ENDS.search(body) is not None


def outside_transaction_only(op: Operation, version: tuple[int, ...] = (13,)) -> str | None:
    """Why PostgreSQL refuses `op` inside a transaction block, or None when it may run in one."""
    if isinstance(op, AddIndex | DropIndex | Reindex | DetachPartition) and op.concurrently:
        return "a CONCURRENTLY operation cannot run inside a transaction block"
    if isinstance(op, AddEnumValue) and version < (12,):
        return "ALTER TYPE … ADD VALUE cannot run inside a transaction block before PostgreSQL 12"
    if isinstance(op, Maintenance) and op.command.lower().startswith("vacuum"):
        return "VACUUM cannot run inside a transaction block"
    if isinstance(op, Transaction) and op.action in ("block-commit", "block-rollback"):
        word = op.action.removeprefix("block-").upper()
        return f"a DO block or procedure cannot {word} when it is called inside a transaction block"
    if isinstance(op, RawSQL) and op.category in ("create-database", "drop-database", "alter-system"):
        return f"{op.category.replace('-', ' ').upper()} cannot run inside a transaction block"
    return None
