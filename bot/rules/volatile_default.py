"""A column added with a volatile default rewrites the whole table under an exclusive lock.

## Why is this bad?
Since PostgreSQL 11 a constant default is stored once and adding the column is instant. A volatile
default (`gen_random_uuid()`, `random()`, `clock_timestamp()`, a `serial` column's `nextval`) must be
computed for every existing row, so the table is rewritten while reads and writes wait. Before
PostgreSQL 11 every default rewrote the table. MySQL before 8.0.12 copies the table for any added
column.

## Use instead
Add the column without a default (or with a constant), set the default afterwards for new rows, and
backfill existing rows in batches.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, Migration
from bot.rules.context import Context

RULE = Rule(
    id="volatile-default",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Add the column without the volatile default, set the default for new rows, then backfill in batches.",
    bad=("ALTER TABLE orders ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();",),
    good=(
        "ALTER TABLE orders ADD COLUMN public_id uuid;\n"
        "ALTER TABLE orders ALTER COLUMN public_id SET DEFAULT gen_random_uuid();",
        "ALTER TABLE orders ADD COLUMN archived boolean NOT NULL DEFAULT false;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, AddColumn):
            continue
        column = op.column
        volatile = column.volatile_default
        if column.default_functions:  # read by PostgreSQL's grammar: the repository's functions are known
            volatile = context.before(op).calls_volatile(column.default_functions)
        rewrites = volatile or (column.generated and context.postgres)
        why = ""
        if context.postgres and not context.at_least(11) and column.default is not None and not rewrites:
            rewrites, why = (
                True,
                f" on {_label(context)} (before 11, every default, even a constant, rewrites the table)",
            )
        if context.mysql and not context.at_least(8, 0, 12) and context.dialect == "mysql" and not rewrites:
            rewrites, why = True, f" on {_label(context)} (before 8.0.12, adding any column copies the table)"
        if not rewrites:
            continue
        severity = context.lock_severity(op.table, RULE.severity)
        if severity is None:
            continue
        what = (
            f"default `{column.default}`"
            if column.default
            else (f"type `{column.type}`" if not column.generated else "a stored generated expression")
        )
        yield op.finding(
            RULE,
            f"`{op.table}.{column.name}` is added with {what}, computed for every existing row{why}.",
            severity=severity,
            blast_radius=f"{context.size_words(op.table)} is rewritten under an exclusive lock: reads and writes wait "
            "for the whole rewrite.",
        )


def _label(context: Context) -> str:
    """The database and version the repository says it runs (`PostgreSQL 9.4`)."""
    return context.database.label if context.database is not None else context.dialect
