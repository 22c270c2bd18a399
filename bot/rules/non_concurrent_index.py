"""Building an index without CONCURRENTLY blocks every write to the table until the build finishes.

## Why is this bad?
`CREATE INDEX` takes a SHARE lock on the table: reads go on, but every INSERT, UPDATE and DELETE waits
for the whole scan and sort. On a large table that is minutes of failed or queued writes, and the
queue of waiting writers holds up everything behind it.

## Use instead
`CREATE INDEX CONCURRENTLY` builds the index without blocking writes. It cannot run inside a
transaction, so put it in a migration of its own that the runner does not wrap (Rails
`disable_ddl_transaction!`, Django `atomic = False`, goose `-- +goose NO TRANSACTION`, Prisma: a
`migration.sql` with that one statement and no other, …), and use `IF NOT EXISTS` so a retry after a failed
build works.

A partitioned table's index cannot be built concurrently: create it `ON ONLY` the parent (an invalid index that
builds nothing), build the same index `CONCURRENTLY` on each partition, then `ALTER INDEX … ATTACH PARTITION`
each one; the parent's index turns valid when every partition's is attached.

## Framework notes
MySQL (InnoDB) and MariaDB build secondary indexes online by default, and SQLite has no concurrent
writers to block; this rule is for PostgreSQL.

An Alembic revision that counts the table's rows first and builds the index only below a limit (`if count <
1_000_000: op.create_index(…)`, larger tables left to a concurrent build elsewhere) bounds the wait: a warning
that says the limit. So for the other statements that hold a lock for as long as the table takes.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddIndex, Migration
from bot.rules.context import Context

RULE = Rule(
    id="non-concurrent-index",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Use `CREATE INDEX CONCURRENTLY` in a migration that does not run in a transaction.",
    bad=("CREATE INDEX orders_user_id_idx ON orders (user_id);",),
    good=(
        "-- +goose NO TRANSACTION\n-- +goose Up\n"
        "SET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_user_id_idx ON orders (user_id);",
    ),
    dialects=("postgres",),
    framework_help=(
        (
            "rails",
            "`add_index :table, :column, algorithm: :concurrently` in a migration with `disable_ddl_transaction!`.",
        ),
        (
            "django",
            "`AddIndexConcurrently` (django.contrib.postgres.operations) in a migration with `atomic = False`.",
        ),
        (
            "alembic",
            "`op.create_index(..., postgresql_concurrently=True)` inside `with op.get_context().autocommit_block():`.",
        ),
        (
            "liquibase",
            'a `<sql>CREATE INDEX CONCURRENTLY …</sql>` change in a changeSet with `runInTransaction="false"`.',
        ),
        (
            "knex",
            "`knex.raw('CREATE INDEX CONCURRENTLY IF NOT EXISTS … ON …')` in a migration that exports `config = { transaction: false }`.",
        ),
        (
            "node-pg-migrate",
            "`pgm.createIndex(table, columns, { concurrently: true, ifNotExists: true })` in a migration whose `up` calls `pgm.noTransaction()`.",
        ),
        (
            "typeorm",
            "`queryRunner.createIndex(table, new TableIndex({ …, isConcurrent: true }))` (or `CREATE INDEX CONCURRENTLY` through `queryRunner.query`) in a class with `transaction = false`.",
        ),
        (
            "sequelize",
            "`queryInterface.addIndex(table, [columns], { concurrently: true })`, outside `sequelize.transaction`.",
        ),
        (
            "kysely",
            "``await sql`CREATE INDEX CONCURRENTLY IF NOT EXISTS … ON … (…)`.execute(db)`` (the schema builder's `createIndex` has no CONCURRENTLY) in a migration outside the Migrator's transaction: `export default defineMigration({ config: { transaction: false }, … })` with the Migrator's `transactionMode: 'per-migration'`.",
        ),
        (
            "mikroorm",
            "`this.addSql('CREATE INDEX CONCURRENTLY …')` in a class whose `isTransactional()` returns false.",
        ),
        (
            "laravel",
            "`DB::statement('CREATE INDEX CONCURRENTLY IF NOT EXISTS … ON … (…)')` in a migration with `public $withinTransaction = false;` (the Blueprint's `index()` builds without CONCURRENTLY).",
        ),
        (
            "ecto",
            "`create index(:table, [:column], concurrently: true)` in a migration with `@disable_ddl_transaction true` and `@disable_migration_lock true`.",
        ),
        (
            "prisma",
            "A migration of its own (`prisma migrate dev --create-only`) whose `migration.sql` holds nothing but `CREATE INDEX CONCURRENTLY IF NOT EXISTS …`: Prisma sends the file as one script, which PostgreSQL runs as one transaction when it holds two statements or more (a `SET lock_timeout` beside it too).",
        ),
        (
            "prisma-push",
            "`prisma db push` builds every index without CONCURRENTLY: build it first with `CREATE INDEX CONCURRENTLY IF NOT EXISTS` under the name Prisma gives it (`<table>_<columns>_idx`, or its `map:`), run by `prisma db execute`; db push then finds it and leaves it.",
        ),
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, AddIndex) or op.concurrently:
            continue
        if op.if_not_exists and op.name and op.name in context.before(op).index_definitions:
            continue  # skipped where the index exists: nothing is built (guarded-create-skipped: if it differs)
        if context.postgres and context.before(op).materialized_view(op.table) is not None:
            continue  # nothing writes a materialized view: the build holds back only its REFRESH
        table = context.before(op).tables.get(op.table)
        if context.postgres and table is not None and table.partitioned:
            if not op.only:  # `ON ONLY` builds nothing: the parent holds no rows
                yield from _partitioned(op, context)
            continue
        severity = context.lock_severity(op.table, RULE.severity, op)
        if severity is None:
            continue
        concurrent = op.sql.replace("INDEX", "INDEX CONCURRENTLY", 1) if "INDEX" in op.sql else None
        yield op.finding(
            RULE,
            f"`CREATE {'UNIQUE ' if op.unique else ''}INDEX {op.name or '… ON ' + op.table + ' (' + ', '.join(op.columns) + ')'}` "
            f"on existing table `{op.table}` blocks writes while it builds.",
            severity=severity,
            blast_radius=f"Every INSERT, UPDATE and DELETE on {context.size_words(op.table, op)} waits for the "
            "whole index build; requests that write to it time out.",
            suggestion=concurrent if concurrent and "\n" not in op.sql else None,
            fix=_POP_FIX
            if context.runner.get("pop") is not None and ".autocommit." not in migration.path
            else None,
        )


# pop (Buffalo's, Ory's) runs each file in a transaction unless its name says `autocommit`
_POP_FIX = (
    "Use `CREATE INDEX CONCURRENTLY IF NOT EXISTS` in a file of its own named `<version>_<name>.autocommit.up.sql`: "
    "pop runs such a file outside a transaction."
)


def _partitioned(op: AddIndex, context: Context) -> Iterator[Finding]:
    """An index of a partitioned table is built on every partition under the same lock, and PostgreSQL
    refuses to build it concurrently: the way round is an index on the parent alone, then one per partition."""
    severity = context.lock_severity(op.table, RULE.severity, op)
    if severity is None:
        return
    name = op.name or f"{op.table}_{'_'.join(op.columns)}_idx"
    yield op.finding(
        RULE,
        f"`CREATE {'UNIQUE ' if op.unique else ''}INDEX {name}` on the partitioned table `{op.table}` builds the "
        "index on every partition while it blocks writes to all of them, and PostgreSQL cannot build it "
        "CONCURRENTLY.",
        severity=severity,
        blast_radius=f"Every INSERT, UPDATE and DELETE on every partition of `{op.table}` waits for the whole "
        "build; requests that write to it time out.",
        fix=f"Create it `ON ONLY {op.table}` (instant: an invalid index of the parent alone), build the same index "
        "`CONCURRENTLY` on each partition in a migration without a transaction, and `ALTER INDEX "
        f"{name} ATTACH PARTITION …` each one; the parent's index becomes valid when the last is attached.",
    )
