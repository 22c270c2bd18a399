"""DDL on an existing table without a lock_timeout can stall every query on that table.

## Why is this bad?
An `ALTER TABLE` waits for its lock behind every running transaction on the table, and while it
waits, every new query on the table queues behind it. Without a `lock_timeout`, one long report or
an idle transaction turns a one-millisecond change into minutes of downtime.

## Use instead
Start the migration with `SET lock_timeout = '5s';` (MySQL: `SET SESSION lock_wait_timeout = 5;`),
and retry the migration when it times out. A timeout the runner sets for every migration is read from
the repository (strong_migrations' initializer, an `env.py` or settings that set it on the connection,
Flyway's init SQL, golang-migrate's `x-lock-timeout`, a role's defaults in a schema dump) and keeps this
rule quiet; for a runner the review cannot see, say `timeouts_set_by_runner: true` in
`.github/migration-review.yml`. A lock on the runner's own history table (`databasechangelog`,
`flyway_schema_history`, `schema_migrations`) is no finding: only the runner, which is running this, uses it.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import RUNNER_TABLES
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropNotNull,
    DropTable,
    Migration,
    Operation,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetNotNull,
    SetTimeout,
    Truncate,
)
from bot.rules.context import Context
from bot.sql.locks import blocking

RULE = Rule(
    id="missing-lock-timeout",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.WARNING,
    help="Set `lock_timeout` (MySQL: `lock_wait_timeout`) before the first DDL statement, and retry on timeout.",
    bad=("ALTER TABLE orders ADD COLUMN note text;",),
    good=("SET lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN note text;",),
    framework_help=(
        (
            "rails",
            "Set `lock_timeout` for migrations (`ActiveRecord::Base.connection.execute(\"SET lock_timeout = '5s'\")`, or the strong_migrations `lock_timeout` setting).",
        ),
        (
            "django",
            "Run `SET lock_timeout = '5s'` first (`RunSQL`), or set it for the migrate command's connection.",
        ),
        (
            "alembic",
            "`op.execute(\"SET lock_timeout = '5s'\")` at the start of `upgrade()`, or in `env.py` for every revision.",
        ),
        (
            "laravel",
            "`DB::statement(\"SET lock_timeout = '5s'\")` at the start of `up()` (MySQL: `SET SESSION lock_wait_timeout = 5`).",
        ),
        (
            "ecto",
            "`execute \"SET lock_timeout TO '5s'\"` at the start of the migration (MySQL: `SET SESSION lock_wait_timeout = 5`).",
        ),
        (
            "sequelize",
            "`await queryInterface.sequelize.query(\"SET lock_timeout = '5s'\")` at the start of `up`.",
        ),
        (
            "knex",
            "`await knex.raw(\"SET lock_timeout = '5s'\")` at the start of `up`.",
        ),
        (
            "kysely",
            "``await sql`SET lock_timeout = '5s'`.execute(db)`` at the start of `up`.",
        ),
        (
            "node-pg-migrate",
            "`pgm.sql(\"SET lock_timeout = '5s'\")` at the start of `up`.",
        ),
        (
            "typeorm",
            "`await queryRunner.query(\"SET lock_timeout = '5s'\")` at the start of `up`.",
        ),
        (
            "prisma-push",
            "`prisma db push` sends no statement of yours: set it for the role it connects as (`ALTER ROLE … SET "
            "lock_timeout = '5s'`), or apply this change as SQL (`prisma migrate diff --script`, with `SET lock_timeout "
            "= '5s'` first, run by `prisma db execute`).",
        ),
    ),
)

# The frameworks whose own advice above is PostgreSQL's, as written on MySQL and MariaDB
_MYSQL_FIX = {
    "rails": 'Run `execute "SET SESSION lock_wait_timeout = 5"` at the start of the migration (or set the '
    "strong_migrations `lock_timeout`, which sets it on MySQL), and retry the deploy if it times out.",
    "django": "Run `SET SESSION lock_wait_timeout = 5` first (`RunSQL`), or set it in the migrate command's "
    "connection `OPTIONS` (`init_command`).",
    "alembic": '`op.execute("SET SESSION lock_wait_timeout = 5")` at the start of `upgrade()`, or in `env.py` '
    "for every revision.",
    "laravel": '`DB::statement("SET SESSION lock_wait_timeout = 5")` at the start of `up()`.',
    "sequelize": '`await queryInterface.sequelize.query("SET SESSION lock_wait_timeout = 5")` at the start of `up`.',
    "knex": '`await knex.raw("SET SESSION lock_wait_timeout = 5")` at the start of `up`.',
    "kysely": "``await sql`SET SESSION lock_wait_timeout = 5`.execute(db)`` at the start of `up`.",
    "typeorm": '`await queryRunner.query("SET SESSION lock_wait_timeout = 5")` at the start of `up`.',
    "ecto": '`execute "SET SESSION lock_wait_timeout = 5"` at the start of the migration (MyXQL).',
    "prisma-push": "`prisma db push` sends no statement of yours: apply this change as SQL (`prisma migrate diff "
    "--script`, with `SET SESSION lock_wait_timeout = 5` first, run by `prisma db execute`).",
}

LOCKING = (
    AddColumn,
    AddConstraint,
    AlterColumnType,
    DropColumn,
    DropConstraint,
    DropNotNull,
    DropTable,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetNotNull,
    Truncate,
    AddIndex,
    DropIndex,
)
_SETTINGS = {"lock_timeout", "lock_wait_timeout", "innodb_lock_wait_timeout"}


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if (
        context.config.timeouts_set_by_runner
        or context.runner.get("lock_timeout")
        or context.dialect == "sqlite"
    ):
        return
    for op in migration.up:
        if isinstance(op, SetTimeout) and op.setting in _SETTINGS and not op.disables:
            return
        locked = _locked(op, context)
        if locked is None:
            continue
        tables, words = locked
        table = tables[0]
        setting = "SET SESSION lock_wait_timeout = 5;" if context.mysql else "SET lock_timeout = '5s';"
        yield op.finding(
            RULE,
            f"No lock timeout is set before this statement takes {words} on {_named(table, op)}"
            + (f" and on {_and([f'`{t}`' for t in tables[1:]])}." if tables[1:] else "."),
            blast_radius=f"While it waits for the lock, every new {'query' if 'reads' in words or 'writes' not in words else 'write'} on "
            f"{_and([context.size_words(t) for t in tables]) if table else 'the table'} queues behind it.",
            fix=_MYSQL_FIX[migration.framework]
            if context.mysql and migration.framework in _MYSQL_FIX
            else RULE.help_for(migration.framework)
            if migration.framework in dict(RULE.framework_help)
            else f"Add `{setting}` at the top of the migration and retry the deploy if it times out.",
        )
        return


def _locked(op: Operation, context: Context) -> tuple[list[str], str] | None:
    """The existing tables `op` locks against reads or writes at its first lock's level (its own table first,
    then those it does not name: the tables a dropped foreign key references) and that lock in words; None
    when it locks none."""
    if not context.postgres:
        if not isinstance(op, LOCKING) or _exempt(op):
            return None
        table = _table(op, context)
        return None if table and (context.catalog.is_new(table) or _runners(table)) else ([table], "a lock")
    found = [
        (lock.table or _table(op, context), lock)
        for lock in blocking(op, context.version, context.before(op))
    ]
    found = [
        (table, lock)
        for table, lock in found
        if not (table and (context.catalog.is_new(table) or _runners(table)))
    ]
    if not found:
        return None
    lock = found[0][1]
    article = "an" if lock.level.words[0] in "AEIOU" else "a"
    tables = list(
        dict.fromkeys([found[0][0], *(t for t, other in found[1:] if t and other.level is lock.level)])
    )
    return tables, f"{article} {lock.level.words} lock (blocking {lock.level.blocked})"


def _runners(table: str) -> bool:
    """The migration runner's own history table: only the runner, which runs this, waits on it."""
    return table.rpartition(".")[2].strip('"`').lower() in RUNNER_TABLES


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" and {words[-1]}"


def _table(op: Operation, context: Context) -> str:
    table = getattr(op, "table", "") or ""
    return table or (context.catalog.indexes.get(op.name, "") if isinstance(op, DropIndex) else "")


def _exempt(op: object) -> bool:
    # Concurrent index builds wait for old transactions by design and take no blocking lock.
    return isinstance(op, AddIndex | DropIndex) and op.concurrently


def _named(table: str, op: Operation) -> str:
    """The table in backticks; when the schema does not say which table an index belongs to, the index."""
    if table:
        return f"`{table}`"
    name = getattr(op, "name", "")
    return f"the table of `{name}`" if name else "the table it changes"
