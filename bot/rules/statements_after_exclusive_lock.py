"""More work after a lock that blocks writes, in the same transaction, keeps the table locked for all of it.

## Why is this bad?
PostgreSQL holds every lock until the transaction ends. Once a statement has taken an ACCESS EXCLUSIVE
lock (most `ALTER TABLE` forms, `DROP INDEX`, `TRUNCATE`, …), every query on that table waits until the
commit; after a SHARE lock (`CREATE INDEX`) or a SHARE ROW EXCLUSIVE one (a foreign key added), every write
does. A quick `ADD COLUMN` followed by an index build, a backfill or a constraint validation in the
same transaction keeps the table unreadable for the whole of that slow step. Taking a second table's
lock while holding the first also invites deadlocks with the application.

A quick statement (a catalog-only `ALTER` of another table) adds only its wait for its own lock: a note
without a `lock_timeout`, nothing once one bounds that wait.

## Use instead
Run the slow statement before the one that takes the exclusive lock, or in a separate migration (or
transaction) so that the lock is released at once. Keep each exclusive-lock transaction to quick
statements on one table.

## Framework notes
Applies where the runner (or the file) wraps several statements in one transaction: Flyway, goose,
dbmate, Rails, Django, Alembic, or an explicit `BEGIN … COMMIT`. MySQL commits after every DDL
statement, so this rule is for PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.catalog import Catalog, unqualified
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import (
    AddConstraint,
    CreateTable,
    DropTable,
    Migration,
    Operation,
    RawSQL,
    RenameTable,
    SetTimeout,
    Transaction,
    ValidateConstraint,
)
from bot.rules._costs import slow
from bot.rules.context import Context
from bot.sql.locks import access_exclusive, locks, long_running, reads_catalog
from bot.sql.transactions import Held, with_held_locks

RULE = Rule(
    id="statements-after-exclusive-lock",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.WARNING,
    help="Move slow statements before the exclusive lock, or into a separate migration or transaction.",
    bad=(
        "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\n"
        "UPDATE orders SET note = '' WHERE id < 1000;\nCOMMIT;",
    ),
    good=(
        "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\n"
        "UPDATE orders SET note = '' WHERE id < 1000;",
    ),
    dialects=("postgres",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    reported: set[tuple[int, str, bool]] = set()  # (holder's line, table, quick): a slow statement after a
    # quick one that waited on the same lock is still reported
    bounded = bool(context.config.timeouts_set_by_runner or context.runner.get("lock_timeout"))
    # a locked table can be gone by a later statement only where one takes a table out of the schema
    tables_leave = any(
        isinstance(op, DropTable | RenameTable) or (isinstance(op, CreateTable) and op.temporary)
        for op in migration.up
    )
    for op, in_transaction, held in with_held_locks(migration, context.version, context.before):
        if isinstance(op, SetTimeout) and op.setting == "lock_timeout":
            bounded = not op.disables
        if not in_transaction or isinstance(op, Transaction | SetTimeout):
            continue
        holder = _holder(op, held, context, tables_leave)
        if holder is None:
            continue
        quick = not slow(op, context) and not _reads_locked(op, holder.lock.table)
        key = (holder.op.location.line, holder.lock.table, quick)
        if key in reported or (quick and bounded):
            continue  # a quick statement's only wait is for its own lock, which a lock_timeout bounds
        reported.add(key)
        yield _finding(op, holder, context, quick)


def _holder(op: Operation, held: tuple[Held, ...], context: Context, tables_leave: bool) -> Held | None:
    """The earliest lock that blocks writes on an existing table and that this statement keeps held longer.

    `tables_leave`: the migration drops, renames or shadows (a temporary table) a table; without that, no
    locked table can be gone by the time of `op`, and the schema `op` sees is not worked out to ask."""
    if not held or (op.tables and not _existing(op, context)):
        return None
    if isinstance(op, AddConstraint) and op.on_column:
        return None  # part of its column's ADD COLUMN (Django's ForeignKey field), not a statement after it
    # the schema the statement sees is worked out only when asked: most statements drop no foreign key
    # (what their locks would read it for) and have no held lock left to check
    before = context.before(op) if reads_catalog(op) else None
    mine = {(lock.table, lock.level) for lock in locks(op, context.version, before)}
    long = long_running(op)
    exclusive: bool | None = None  # whether it takes an ACCESS EXCLUSIVE lock: asked once, if at all
    for h in held:
        if _same_statement(op, h.op) or not h.lock.level.blocks_writes:
            continue
        if context.catalog.is_new(h.lock.table) or h.lock.table in context.catalog.created_in_change:
            continue
        if any(t == h.lock.table and level >= h.lock.level for t, level in mine):
            continue  # it takes the same lock on the same table itself: the earlier lock adds nothing
        if not long:
            if exclusive is None:
                exclusive = access_exclusive(op)
            other_table = exclusive and bool(op.tables) and h.lock.table not in op.tables
            if not (other_table or _reads_locked(op, h.lock.table)):
                continue
        if not tables_leave:
            return h
        if before is None:
            before = context.before(op)
        if not _gone(h, before, context):
            return h
    return None


def _reads_locked(op: Operation, table: str) -> bool:
    """A query of the locked table (`SELECT count(*) FROM t`) keeps the lock held while it reads."""
    return isinstance(op, RawSQL) and op.category == "select" and table in op.reads


def _gone(held: Held, now: Catalog, context: Context) -> bool:
    """The locked table was dropped (or renamed) since (`now`: the schema the statement sees): a query that
    waits for it fails after the commit anyway."""
    table = held.lock.table
    return not _known(table, now) and _known(table, context.before(held.op))


def _known(table: str, catalog: Catalog) -> bool:
    if table in catalog.tables:
        return True
    wanted = unqualified(table)  # `same_table` with each table of the schema, its own key worked out once
    return any(unqualified(t) == wanted for t in catalog.tables)


def _same_statement(op: Operation, other: Operation) -> bool:
    return op.location == other.location and op.sql == other.sql


def _existing(op: Operation, context: Context) -> bool:
    return any(not context.catalog.is_new(table) for table in op.tables)


_GUARD = re.compile(r"\bIF\s+(?:NOT\s+)?EXISTS\s+", re.I)


def _finding(op: Operation, holder: Held, context: Context, quick: bool) -> Finding:
    held, table, level = holder.op, holder.lock.table, holder.lock.level
    severity = Severity.INFO if quick else context.lock_severity(table, RULE.severity) or Severity.INFO
    words = _GUARD.sub("", op.sql).split()  # `CREATE INDEX IF NOT …` would name no index
    first = " ".join(words[:4]) + (" …" if len(words) > 4 else "")
    # one operation of a framework runs several statements from one line (Django's AddField of a foreign
    # key: the column, its constraint, its index): name the earlier statement, not the line
    by = (
        f"by this operation's earlier `{' '.join(held.sql.split()[:4])} …`"
        if held.location == op.location
        else f"by line {held.location.line}"
    )
    message = (
        f"`{first}` runs while `{table}` is still locked {level.words} {by} "
        f"(it blocks {level.blocked} until the transaction commits)."
    )
    fix = None
    if isinstance(op, ValidateConstraint) and isinstance(held, AddConstraint) and held.not_valid:
        message = (
            f"`VALIDATE CONSTRAINT {op.name}` runs in the same transaction as the NOT VALID constraint of line "
            f"{held.location.line}, so its full scan happens under that {level.words} lock on `{table}`, "
            f"which blocks {level.blocked}."
        )
        fix = "Validate the constraint in a separate migration (or after a COMMIT), where it blocks no reads or writes."
        # the same scan under the same lock as adding the constraint valid at once: as severe (constraint-not-valid)
        severity = context.lock_severity(table, Severity.CRITICAL) or Severity.INFO
    what = "query" if level.blocks_reads else "write"
    radius = f"Every {what} on {context.size_words(table)} waits until the transaction commits, " + (
        "for as long as this statement waits for its own lock (it does no slow work itself; "
        "a lock_timeout bounds the wait)."
        if quick
        else "for as long as this statement takes."
    )
    return op.finding(RULE, message, fix=fix, severity=severity, blast_radius=radius)
