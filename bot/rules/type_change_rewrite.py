"""Changing a column's type rewrites the table and its indexes under an exclusive lock.

## Why is this bad?
Unless the new type is binary-coercible with the old one (`varchar(n)` to a longer `varchar` or to
`text`, `text` to `varchar`, a wider `numeric` of the same scale, a higher timestamp precision, `cidr` to
`inet`, `timestamp` to `timestamptz` on PostgreSQL 12+ when the session time zone is UTC), PostgreSQL
rewrites every row and rebuilds every index of the table while holding an ACCESS EXCLUSIVE lock
(`text` to `citext` keeps the rows but rebuilds the column's indexes, and so does a new collation,
`TYPE text COLLATE "C"`; even a binary-coercible change
checks every row again against the CHECK constraints that use the column); MySQL and MariaDB copy the table,
also when a utf8mb4 `varchar` grows past 255 bytes (64 characters) and needs a longer length prefix. The old release also
keeps writing values of the old type during the deploy.

## Use instead
Add a new column of the new type, write both columns from the application, backfill in batches,
switch reads, then drop the old column in a later pull request.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AlterColumnType, Migration, RawSQL
from bot.rules._costs import column_change
from bot.rules._online_ddl import refusal
from bot.rules.context import Context
from bot.sql import mysql_ddl
from bot.sql.conversions import COERCIBLE, INDEX_REBUILD, SCAN, Change, session_utc
from bot.sql.names import shown_type

RULE = Rule(
    id="type-change-rewrite",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Add a column of the new type, dual-write, backfill in batches, switch reads, then drop the old column.",
    bad=("ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2);",),
    good=("ALTER TABLE orders ADD COLUMN total_v2 numeric(12, 2);",),
    framework_help=(
        (
            "knex",
            "Add a column of the new type (not `.alter()`), dual-write, backfill in batches, switch reads, then drop the old column later.",
        ),
        (
            "node-pg-migrate",
            "Add a column of the new type (not `pgm.alterColumn(…, { type })`), dual-write, backfill in batches, switch reads, then drop the old column later.",
        ),
        (
            "typeorm",
            "Add a column of the new type (not `changeColumn`, which drops and re-adds it), dual-write, backfill in batches, switch reads, then drop the old column.",
        ),
        (
            "sequelize",
            "Add a column of the new type (not `changeColumn`), dual-write, backfill in batches, switch reads, then drop the old column.",
        ),
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for index, op in enumerate(migration.up):
        if not isinstance(op, AlterColumnType) or refusal(op, migration, context):
            continue  # (a statement the server refuses rather than copy is online-ddl-refused's)
        severity = context.lock_severity(op.table, RULE.severity, op)
        if severity is None:
            continue
        column = context.before(op).column(op.table, op.column)
        # the schema's type, else the one the migration states (Alembic's existing_type)
        old = column.type if column is not None and column.type else op.old_type
        earlier = [o.sql for o in migration.up[:index] if isinstance(o, RawSQL)]
        zone = context.rails_time_zone if migration.framework == "rails" else ""
        utc = session_utc(migration.framework, earlier, zone)
        change = column_change(op, old, context, utc) if old else None
        if change is not None and change.cost == COERCIBLE:
            continue
        if change is not None and context.mysql and mysql_ddl.member_change(old, op.new_type) is not None:
            continue  # ENUM/SET member changes are judged by mysql-table-copy
        message, severity = _message(op, old, change, context, severity)
        yield op.finding(
            RULE,
            message,
            severity=severity,
            blast_radius=f"Writes to {context.size_words(op.table, op)} wait while every row is copied into a new "
            "table and every index rebuilt (reads go on: the copy takes a shared lock)."
            if context.mysql and not (change and change.cost in (INDEX_REBUILD, SCAN))
            else f"Reads and writes on {context.size_words(op.table, op)} stop while "
            + (
                "the indexes on the column are rebuilt."
                if change and change.cost == INDEX_REBUILD
                else "every row is checked."
                if change and change.cost == SCAN
                else "every row is rewritten and every index rebuilt."
            ),
        )


def _message(
    op: AlterColumnType, old: str, change: Change | None, context: Context, severity: Severity
) -> tuple[str, Severity]:
    how = "copies" if context.mysql else "rewrites"
    if change is None:
        # Without the previous type (no schema or earlier migration names the column) this may restate the
        # same type, as Rails' change_column often does: say so, and do not block on a guess.
        message = (
            f"`{op.table}.{op.column}` changes type to `{shown_type(op.new_type)}`; its previous type is unknown, so "
            f"if it differs this {how} the table."
        )
        return message, Severity.WARNING if severity is Severity.CRITICAL else severity
    what = {INDEX_REBUILD: "rebuilds the indexes on the column", SCAN: "scans the table under its lock"}.get(
        change.cost, f"{how} the table"
    )
    if shown_type(old) == shown_type(op.new_type):  # `TYPE text COLLATE "C"` on a text column
        return (
            f"`{op.table}.{op.column}` keeps its type `{shown_type(old)}`, but {what} ({change.why}).",
            severity,
        )
    return (
        f"`{op.table}.{op.column}` changes type from `{shown_type(old)}` to `{shown_type(op.new_type)}`, which "
        f"{what} ({change.why}).",
        severity,
    )
