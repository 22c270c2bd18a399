"""More work after an ACCESS EXCLUSIVE lock in the same transaction keeps the table locked for all of it.

## Why is this bad?
PostgreSQL holds every lock until the transaction ends. Once a statement has taken an ACCESS EXCLUSIVE
lock (most `ALTER TABLE` forms, `DROP INDEX`, `TRUNCATE`, …), every query on that table waits until the
commit. A quick `ADD COLUMN` followed by an index build, a backfill or a constraint validation in the
same transaction keeps the table unreadable for the whole of that slow step. Taking a second table's
lock while holding the first also invites deadlocks with the application.

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

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import (
    AddConstraint,
    Migration,
    Operation,
    SetTimeout,
    Transaction,
    ValidateConstraint,
    transaction_flags,
)
from bot.rules.context import Context
from bot.sql.locks import access_exclusive, long_running

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
    held: Operation | None = None
    for op, in_transaction in zip(migration.up, transaction_flags(migration), strict=True):
        if isinstance(op, Transaction):
            if op.action in ("commit", "rollback"):
                held = None
            continue
        if not in_transaction or isinstance(op, SetTimeout):
            continue
        if held is not None and not _same_statement(op, held) and _matters(op, held, context):
            yield _finding(op, held, context)
            held = None  # one finding per lock holder is enough
            continue
        if held is None and access_exclusive(op) and _existing(op, context):
            held = op


def _same_statement(op: Operation, other: Operation) -> bool:
    return op.location == other.location and op.sql == other.sql


def _existing(op: Operation, context: Context) -> bool:
    return any(not context.catalog.is_new(table) for table in op.tables)


def _matters(op: Operation, held: Operation, context: Context) -> bool:
    if not _existing(op, context) and op.tables:
        return False
    if access_exclusive(op) and set(op.tables) <= set(held.tables):
        return False  # it takes the same lock on the same table itself: the earlier lock adds nothing
    other_table = access_exclusive(op) and bool(op.tables) and op.tables != held.tables
    return long_running(op) or other_table


def _finding(op: Operation, held: Operation, context: Context) -> Finding:
    table = held.tables[0]
    severity = context.lock_severity(table, RULE.severity) or Severity.INFO
    words = op.sql.split()
    first = " ".join(words[:4]) + (" …" if len(words) > 4 else "")
    message = f"`{first}` runs while `{table}` is still locked ACCESS EXCLUSIVE by line {held.location.line}."
    fix = None
    if isinstance(op, ValidateConstraint) and isinstance(held, AddConstraint) and held.not_valid:
        message = (
            f"`VALIDATE CONSTRAINT {op.name}` runs in the same transaction as the NOT VALID constraint of line "
            f"{held.location.line}, so its full scan happens under that ACCESS EXCLUSIVE lock."
        )
        fix = "Validate the constraint in a separate migration (or after a COMMIT), where it blocks no reads or writes."
    return op.finding(
        RULE,
        message,
        fix=fix,
        severity=severity,
        blast_radius=f"Every query on {context.size_words(table)} waits until the transaction commits, "
        "for as long as this statement takes.",
    )
