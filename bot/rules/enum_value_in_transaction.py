"""A new enum value cannot be used in the transaction that adds it (and before PostgreSQL 12, not added in one).

## Why is this bad?
Before PostgreSQL 12, `ALTER TYPE … ADD VALUE` fails inside a transaction block. From 12 on it may run
in one, but the new value cannot be used until the transaction commits: an `UPDATE … SET status =
'review'` or a `DEFAULT 'review'` in the same migration fails with "unsafe use of new value". The
deploy stops at that statement.

A runner that runs every pending migration in one transaction (Kysely's Migrator by default, Drizzle's migrator
on PostgreSQL) makes a value added by one migration unusable by the next one of the same run: both fail on a
deploy that ships them together (CI, a fresh database), though each works applied alone.

## Use instead
Add the value in one migration, and use it (backfill, default, constraint) in the next. Before
PostgreSQL 12, run `ADD VALUE` in a migration that does not run in a transaction. With Kysely, set the
Migrator's `transactionMode: 'per-migration'` (each migration commits before the next); with Drizzle, ship the
two migrations in different releases (its migrator has no such setting).
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddEnumValue, CreateEnum, Migration, Transaction, transaction_flags
from bot.rules.context import Context

RULE = Rule(
    id="enum-value-in-transaction",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Add the enum value in its own migration and use it in the next one.",
    bad=(
        "BEGIN;\nALTER TYPE order_status ADD VALUE 'review';\n"
        "UPDATE orders SET status = 'review' WHERE status = 'pending' AND id < 100;\nCOMMIT;",
    ),
    good=("ALTER TYPE order_status ADD VALUE 'review';",),
    dialects=("postgres",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    added: dict[str, AddEnumValue] = _added_earlier_in_the_run(migration, context)
    created: set[str] = set()  # types created in the transaction open now
    for op, in_transaction in zip(migration.up, transaction_flags(migration), strict=True):
        if isinstance(op, Transaction) and op.action in ("commit", "rollback"):
            added.clear()
            created.clear()
            continue
        if isinstance(op, CreateEnum):
            created.add(op.name)
        if isinstance(op, AddEnumValue) and in_transaction:
            if not context.at_least(12):
                yield op.finding(
                    RULE,
                    f"`ALTER TYPE {op.name} ADD VALUE` runs inside a transaction, which PostgreSQL before 12 refuses.",
                    blast_radius="The migration fails at this statement and the deploy stops.",
                )
            if op.name not in created:  # values of a type created in the same transaction are usable at once
                added[op.value] = op
            continue
        if not in_transaction:
            added.clear()
            created.clear()
            continue
        used = next((value for value in added if f"'{value}'" in op.sql), None)
        if used is not None:
            source = added[used]
            where = (
                f"line {source.location.line}"
                if source.location.path == migration.path
                else f"`{source.location.path}` line {source.location.line}, a migration the runner runs in the "
                "same transaction as this one"
            )
            yield op.finding(
                RULE,
                f"`'{used}'` is used in the same transaction that adds it to `{source.name}` ({where}).",
                blast_radius='PostgreSQL refuses with "unsafe use of new value"; the migration fails and rolls back.',
            )
            del added[used]


def _added_earlier_in_the_run(migration: Migration, context: Context) -> dict[str, AddEnumValue]:
    """The enum values the migrations before this one in the change add, when the runner runs them all in one
    transaction (`batch_transaction`): not committed when this one runs (values of a type the run creates
    are usable)."""
    if not migration.batch_transaction or context.position <= 0:
        return {}
    added: dict[str, AddEnumValue] = {}
    created: set[str] = set()
    folder = migration.path.rpartition("/")[0]
    for other in context.change[: context.position]:
        if not other.batch_transaction or (other.framework, other.path.rpartition("/")[0]) != (
            migration.framework,
            folder,
        ):
            continue  # another runner's, or another folder's (another Migrator's run)
        for op, in_transaction in zip(other.up, transaction_flags(other), strict=True):
            if isinstance(op, CreateEnum):
                created.add(op.name)
            elif isinstance(op, AddEnumValue) and in_transaction and op.name not in created:
                added[op.value] = op
    return added
