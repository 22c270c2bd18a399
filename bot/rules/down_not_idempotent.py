"""A down migration that cannot be run twice: no `IF EXISTS` / `IF NOT EXISTS`.

## Why is this bad?
Rollbacks happen under pressure, and often after a partial failure: the up migration stopped half-way,
or the down migration itself failed on its third statement. A down migration that outside a transaction
says `DROP TABLE payouts;` or `ALTER TABLE orders ADD COLUMN legacy_status text;` fails on the objects
that are already gone or already back, and the rollback stops with the schema in between.

## Use instead
`DROP … IF EXISTS`, `ADD COLUMN IF NOT EXISTS`, `CREATE INDEX … IF NOT EXISTS`, so every statement of the
down migration can be re-run until it completes.

A migration of one statement each way cannot be left half-way by either side (a statement that fails
changes nothing), so the rule speaks only when the up or the down migration has several statements. A down
with several unguarded statements is one finding, at the first, naming the others.

## Framework notes
Inside a transaction (most frameworks on PostgreSQL) a failed down migration rolls back whole, so the rule
stays quiet there; MySQL commits every DDL statement, so there it always applies. MySQL has no `IF EXISTS`
for columns and indexes (MariaDB has), nor SQLite for columns: for SQL migrations there, the fix says what
works instead. Rails runs a down only for a migration recorded as applied, whose up finished: a down of one
statement is never left half-way there. Liquibase rolls back changeSet by changeSet, each in its own transaction,
and only those it still records as run: a changelog whose changeSets all run in transactions is never left
half-way either.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import (
    AddColumn,
    AddIndex,
    CreateTable,
    DropColumn,
    DropIndex,
    DropTable,
    Migration,
    Operation,
    Transaction,
    wrapped,
)
from bot.rules.context import Context

RULE = Rule(
    id="down-not-idempotent",
    dimension=Dimension.ROLLBACK,
    severity=Severity.WARNING,
    help="Use `IF EXISTS` / `IF NOT EXISTS` in every statement of the down migration so it can be re-run.",
    bad=(
        "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE payouts (id bigint PRIMARY KEY);\n"
        "CREATE INDEX CONCURRENTLY orders_paid_at_idx ON orders (paid_at);\n"
        "-- +goose Down\nDROP INDEX CONCURRENTLY orders_paid_at_idx;\nDROP TABLE payouts;",
    ),
    good=(
        "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE payouts (id bigint PRIMARY KEY);\n"
        "CREATE INDEX CONCURRENTLY orders_paid_at_idx ON orders (paid_at);\n"
        "-- +goose Down\nDROP INDEX CONCURRENTLY IF EXISTS orders_paid_at_idx;\nDROP TABLE IF EXISTS payouts;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not migration.down:
        return
    if wrapped(migration) and not context.mysql:
        return  # every statement in a transaction: the runner's, or one per Liquibase changeSet
    # one statement each way (the runner's own COMMIT and BEGIN around an autocommit block are none):
    # neither side can stop half-way, a failed one changed nothing
    if _statements(migration.down) == 1 and (
        _statements(migration.up) <= 1 or migration.framework == "rails"
    ):
        return  # Rails runs a down only for a migration it recorded as applied: never after a half-way up
    derived = {
        op.location for op in migration.up
    }  # inverses the runner derives (Rails `change`) share a line
    unguarded = [
        (op, guard)
        for op in migration.down
        if op.location not in derived and (guard := _missing_guard(op)) is not None
    ]
    if not unguarded:
        return
    op, guard = unguarded[0]
    others = [f"`{_statement(o)}`" for o, _ in unguarded[1:4]]
    more = len(unguarded) - 4
    also = (
        f" Nor do {', '.join(others)}{f' and {more} more' if more > 0 else ''}, each a place where a retried"
        " rollback stops."
        if others
        else ""
    )
    guards = sorted({g for _, g in unguarded})
    fix = " and ".join(f"Add `{g}` (Rails: `{_RAILS[g]}`; Alembic: `{_ALEMBIC[g]}`)" for g in guards) + "."
    unsupported = _SQL_ONLY.get(migration.dialect)
    sql_only = migration.framework in _SQL_FRAMEWORKS and unsupported is not None
    if sql_only and unsupported and any(isinstance(o, unsupported[0]) for o, _ in unguarded):
        fix = unsupported[1]
    yield op.finding(
        RULE,
        f"The down migration's `{_statement(op)}` has no `{guard}`: it fails if it runs a second "
        f"time, or after a partial failure.{also}",
        blast_radius="A rollback that is retried after a failure stops at the first statement that already "
        "ran, leaving the schema half-way between the two versions.",
        fix=_FRAMEWORK_FIX.get(migration.framework, fix),
    )


_RAILS = {"IF EXISTS": "if_exists: true", "IF NOT EXISTS": "if_not_exists: true"}
_ALEMBIC = {"IF EXISTS": "if_exists=True", "IF NOT EXISTS": "if_not_exists=True"}
_FRAMEWORK_FIX = {
    "laravel": "Guard it with `if (Schema::hasColumn(…))` / `Schema::hasTable(…)` / `Schema::hasIndex(…)`, "
    "or use `Schema::dropIfExists`.",
    "ecto": "Use `drop_if_exists`, `remove_if_exists`, `create_if_not_exists` or `add_if_not_exists`.",
}


# Migrations written in SQL, where the guard is the database's own syntax
_SQL_FRAMEWORKS = frozenset(
    {"sql", "golang-migrate", "goose", "dbmate", "flyway", "sqitch", "prisma", "diesel"}
)
# The statements a database has no IF [NOT] EXISTS for (MySQL: columns and indexes; SQLite: columns), and
# what makes the down re-runnable there instead
_SQL_ONLY: dict[str, tuple[tuple[type[Operation], ...], str]] = {
    "mysql": (
        (AddColumn, DropColumn, AddIndex, DropIndex),
        "MySQL has no `IF EXISTS` for columns and indexes: write each table's changes as one `ALTER TABLE` "
        "(MySQL applies one statement whole, or not at all), one table per migration where a down touches "
        "several, and `IF EXISTS` / `IF NOT EXISTS` on the table statements.",
    ),
    "sqlite": (
        (AddColumn, DropColumn),
        "SQLite has no `IF EXISTS` for columns: run the down in a transaction (SQLite's DDL is "
        "transactional), and `IF EXISTS` / `IF NOT EXISTS` on the table and index statements.",
    ),
}


def _statement(op: Operation) -> str:
    """The SQL the operation amounts to, whatever the framework wrote."""
    if isinstance(op, DropTable | CreateTable):
        return f"{'DROP' if isinstance(op, DropTable) else 'CREATE'} TABLE {op.table}"
    if isinstance(op, DropColumn):
        return f"ALTER TABLE {op.table} DROP COLUMN {op.column}"
    if isinstance(op, AddColumn):
        return f"ALTER TABLE {op.table} ADD COLUMN {op.column.name}"
    if isinstance(op, DropIndex | AddIndex):
        return f"{'DROP' if isinstance(op, DropIndex) else 'CREATE'} INDEX {op.name}"
    return " ".join(op.sql.split())[:70]


def _missing_guard(op: Operation) -> str | None:
    if isinstance(op, DropTable | DropColumn | DropIndex) and not op.if_exists:
        return "IF EXISTS"
    if isinstance(op, AddColumn | CreateTable | AddIndex) and not op.if_not_exists:
        return "IF NOT EXISTS"
    return None


def _statements(ops: tuple[Operation, ...]) -> int:
    return sum(1 for op in ops if not isinstance(op, Transaction))
