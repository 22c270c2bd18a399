"""A CONCURRENTLY operation inside a transaction fails, and with it the whole migration.

## Why is this bad?
PostgreSQL refuses `CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX … CONCURRENTLY`
and `DETACH PARTITION … CONCURRENTLY` inside a transaction block ("cannot run inside a transaction
block"), and so does `VACUUM` (enum values added in a transaction are `enum-value-in-transaction`). A DO
block or procedure that COMMITs between its batches fails the same way ("invalid transaction
termination") when it is called inside a transaction block.
Whether a file runs in a transaction depends on its runner: Flyway, goose, dbmate, Diesel, Rails and
Django wrap each migration unless told not to, and golang-migrate, Prisma and dbmate (even with
`transaction:false`) send a multi-statement file as one implicit transaction.

## Use instead
Put the concurrent statement in a migration of its own and tell the runner not to wrap it:
`-- +goose NO TRANSACTION`, `-- migrate:up transaction:false`, Flyway `executeInTransaction=false`,
Diesel `run_in_transaction = false`, sqlx `-- no-transaction` as the file's first line, Rails
`disable_ddl_transaction!`, Django `atomic = False`.

## Framework notes
With `assume_in_transaction: true`, a plain SQL file that holds only the concurrent statement is taken
as the standalone migration this advice asks for (runners that wrap files, such as Flyway, run such a
file outside a transaction); a file with more statements is reported. sqlx runs even a lone statement in its
transaction unless the file's first line is `-- no-transaction`.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import (
    AddEnumValue,
    Migration,
    RawSQL,
    Transaction,
    statement_count,
    transaction_flags,
)
from bot.rules.context import Context
from bot.sql.transactions import outside_transaction_only, procedure_commits

RULE = Rule(
    id="concurrent-in-transaction",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Run the concurrent statement in its own migration, with the runner's transaction turned off.",
    bad=("BEGIN;\nCREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);\nCOMMIT;",),
    good=(
        "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_user_id_idx ON orders (user_id);",
    ),
    dialects=("postgres",),
    framework_help=(
        (
            "rails",
            "Add `disable_ddl_transaction!` to the migration class and keep the concurrent call alone in it.",
        ),
        (
            "django",
            "Set `atomic = False` on the Migration class and keep the concurrent operation alone in it.",
        ),
        ("alembic", "Run the concurrent statement inside `with op.get_context().autocommit_block():`."),
        ("liquibase", 'Put the statement in its own changeSet with `runInTransaction="false"`.'),
        (
            "laravel",
            "Set `public $withinTransaction = false;` in the migration class and keep the concurrent statement alone in it.",
        ),
        (
            "ecto",
            "Add `@disable_ddl_transaction true` and `@disable_migration_lock true` to the migration module and keep the concurrent command alone in it.",
        ),
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres or _alone_under_assumed_runner(migration, context):
        return
    block_reported = False  # a DO block's COMMITs fail alike: the first one says it
    for op, in_transaction in zip(migration.up, transaction_flags(migration), strict=True):
        if isinstance(op, Transaction) and op.action == "block-begin":
            block_reported = False
        refused = outside_transaction_only(op, context.version)
        called = isinstance(op, RawSQL) and op.category == "call"
        if refused is None and called and procedure_commits(op, context.before(op)):
            refused = "a procedure that COMMITs cannot be called inside a transaction block"
        if refused is None or not in_transaction or isinstance(op, AddEnumValue):
            continue
        ends_block = isinstance(op, Transaction) and op.action.startswith("block-")
        if ends_block and block_reported:
            continue
        block_reported = block_reported or ends_block
        why = migration.transaction_note or "the migration runs in a transaction"
        yield op.finding(
            RULE,
            f"`{' '.join(op.sql.split()[:3])} …`: {refused} ({why}).",
            blast_radius="The migration fails at this statement; the deploy stops and any earlier statements "
            "of the file roll back.",
            fix=_BLOCK_FIX if ends_block or called else None,
        )


_BLOCK_FIX = (
    "Turn the runner's transaction off for this migration (the same switch as for a concurrent index) so the "
    "block's COMMITs end its batches, or drop the COMMITs and let the block run as one transaction."
)


def _alone_under_assumed_runner(migration: Migration, context: Context) -> bool:
    """A plain SQL file that holds only the concurrent statement, under `assume_in_transaction: true`.

    Runners that wrap every file commonly run a file of one non-transactional statement outside a
    transaction (Flyway detects it), so a lone concurrent statement is the standalone migration we advise.
    sqlx does not: its file runs in its transaction unless its first line is `-- no-transaction`.
    """
    return (
        migration.framework == "sql"
        and not migration.file_transaction
        and statement_count(migration.up) == 1
        and context.runner.get("sqlx") is None
    )
