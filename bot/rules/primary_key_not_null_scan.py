"""A primary key on nullable columns makes them NOT NULL, with a full scan under an exclusive lock.

## Why is this bad?
`ALTER TABLE … ADD PRIMARY KEY USING INDEX …` is meant to be instant: the unique index was built
`CONCURRENTLY` beforehand. But a primary key requires its columns to be NOT NULL, and when they are
still nullable PostgreSQL silently sets them NOT NULL, scanning every row while it holds the ACCESS
EXCLUSIVE lock the constraint takes. The careful recipe ends in the very lock it was meant to avoid,
and fails if any row is NULL.

## Use instead
Make the columns NOT NULL first without the scan: `ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID`,
`VALIDATE CONSTRAINT …`, `ALTER COLUMN col SET NOT NULL` (PostgreSQL 12+ uses the validated CHECK),
then `ADD PRIMARY KEY USING INDEX …`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddConstraint, AddIndex, Migration, SetNotNull
from bot.rules.context import Context

RULE = Rule(
    id="primary-key-not-null-scan",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Set the key columns NOT NULL through a validated CHECK constraint first, then add the primary key.",
    bad=(
        "CREATE UNIQUE INDEX CONCURRENTLY events_id_key ON events (id);\n"
        "ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_key;",
    ),
    good=(
        "ALTER TABLE events ADD CONSTRAINT events_id_not_null CHECK (id IS NOT NULL) NOT VALID;\n"
        "ALTER TABLE events VALIDATE CONSTRAINT events_id_not_null;\n"
        "ALTER TABLE events ALTER COLUMN id SET NOT NULL;\n"
        "ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_key;",
    ),
    dialects=("postgres",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    index_columns = dict(context.catalog.index_columns)
    made_not_null: set[tuple[str, str]] = set()
    for op in migration.up:
        if isinstance(op, AddIndex) and op.name:
            index_columns[op.name] = tuple(c.strip('"').split()[0].lower() for c in op.columns if c.strip())
        elif isinstance(op, SetNotNull):
            made_not_null.add((op.table, op.column))
        elif isinstance(op, AddConstraint) and op.constraint == "check":
            made_not_null.update((op.table, c) for c in _not_null_columns(op.expression_sql))
        if not isinstance(op, AddConstraint) or op.constraint != "primary_key" or not op.using_index:
            continue
        columns = [c for c in index_columns.get(op.using_index, ()) if (op.table, c) not in made_not_null]
        known = {c: context.catalog.column(op.table, c) for c in columns}
        nullable = [c for c, column in known.items() if column is not None and column.nullable]
        unknown = [c for c, column in known.items() if column is None]
        if nullable:
            severity, names, certain = context.lock_severity(op.table, RULE.severity), nullable, True
        elif unknown:
            severity, names, certain = context.lock_severity(op.table, Severity.WARNING), unknown, False
        else:
            continue
        if severity is None:
            continue
        yield op.finding(
            RULE,
            _message(op.table, names, certain),
            severity=severity,
            blast_radius=f"Reads and writes on {context.size_words(op.table)} stop while every row is checked; "
            "the statement fails if any row is NULL.",
        )


def _message(table: str, names: list[str], certain: bool) -> str:
    listed = ", ".join(f"`{name}`" for name in names)
    scan = "scanning the table under ACCESS EXCLUSIVE"
    if certain:
        return f"The primary key on `{table}` sets {listed} NOT NULL, {scan}."
    verb, pronoun = ("is", "it") if len(names) == 1 else ("are", "them")
    return f"Unless {listed} {verb} NOT NULL already, the primary key on `{table}` sets {pronoun} NOT NULL, {scan}."


def _not_null_columns(expression: str) -> list[str]:
    return [m.lower() for m in re.findall(r"\"?(\w+)\"?\s+IS\s+NOT\s+NULL", expression, re.I)]
