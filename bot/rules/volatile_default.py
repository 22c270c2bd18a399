"""A column added with a volatile default rewrites the whole table under an exclusive lock.

## Why is this bad?
Since PostgreSQL 11 a constant default is stored once and adding the column is instant. A volatile
default (`gen_random_uuid()`, `random()`, `clock_timestamp()`, a `serial` column's `nextval`, an identity column's
sequence) must be
computed for every existing row, so the table is rewritten while reads and writes wait. Before
PostgreSQL 11 every default rewrote the table. A STORED generated column is computed for every row
too. MySQL before 8.0.12 copies the table for any added column.

## Use instead
Add the column without a default (or with a constant), set the default afterwards for new rows, and
backfill existing rows in batches. For a generated column: a plain column filled for new rows by a
trigger or the code and backfilled in batches, or on PostgreSQL 18 a VIRTUAL generated column, which is
computed when read and added without a rewrite.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, Migration
from bot.rules._online_ddl import refusal
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


_GENERATED_FIX = (
    "Add a plain nullable column, fill it for new rows (a trigger or the code), and backfill existing rows in "
    "batches; on PostgreSQL 18 a VIRTUAL generated column is added without a rewrite."
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    statements: dict[tuple[object, ...], list[tuple[AddColumn, str, str]]] = {}
    for op in migration.up:
        if refusal(op, migration, context):
            continue  # the server refuses the statement rather than copy (online-ddl-refused)
        if isinstance(op, AddColumn) and (found := _rewrite(op, context)) is not None:
            statements.setdefault(_statement(op), []).append((op, *found))
    for columns in statements.values():
        op = columns[0][0]
        severity = context.lock_severity(op.table, RULE.severity)
        if severity is None:
            continue
        why = columns[0][2]
        added = [f"`{o.table}.{o.column.name}` ({what})" for o, what, _ in columns]
        listed = added[0] if len(added) == 1 else ", ".join(added[:-1]) + f" and {added[-1]}"
        verb = "is" if len(added) == 1 else "are"
        yield op.finding(
            RULE,
            f"{listed} {verb} added, computed for every existing row{why}.",
            severity=severity,
            blast_radius=f"{context.size_words(op.table)} is rewritten under an exclusive lock: reads and writes wait "
            "for the whole rewrite.",
            fix=_GENERATED_FIX if all(o.column.generated for o, _, _ in columns) else None,
        )


def _statement(op: AddColumn) -> tuple[object, ...]:
    """The statement an operation comes from: the subcommands of one ALTER TABLE share its lines."""
    return (op.location, op.end_line, op.table)


def _rewrite(op: AddColumn, context: Context) -> tuple[str, str] | None:
    """Why adding the column rewrites the table: what it is added with, and the server's part in it
    (`on PostgreSQL 9.4 (…)`); None when it rewrites nothing."""
    column = op.column
    volatile = column.volatile_default
    if column.default_functions:  # read by PostgreSQL's grammar: the repository's functions are known
        volatile = context.before(op).calls_volatile(column.default_functions)
    # an identity column takes the sequence's next value in every existing row, as `serial` does
    identity = column.identity and context.postgres and not volatile
    rewrites = volatile or identity or (column.generated and not column.virtual and context.postgres)
    why = ""
    if context.postgres and not context.at_least(11) and column.default is not None and not rewrites:
        rewrites, why = (
            True,
            f" on {_label(context)} (before 11, every default, even a constant, rewrites the table)",
        )
    if context.mysql and not context.at_least(8, 0, 12) and context.dialect == "mysql" and not rewrites:
        rewrites, why = True, f" on {_label(context)} (before 8.0.12, adding any column copies the table)"
    if not rewrites:
        return None
    if column.generated and not column.default:
        return "a stored generated expression", why
    if identity:
        return "an identity column: each row takes the sequence's next value", why
    return (f"default `{column.default}`" if column.default else f"type `{column.type}`"), why


def _label(context: Context) -> str:
    """The database and version the repository says it runs (`PostgreSQL 9.4`)."""
    return context.database.label if context.database is not None else context.dialect
