"""TRUNCATE … CASCADE also empties every table whose foreign keys point at the truncated one.

## Why is this bad?
`CASCADE` follows foreign keys recursively: the statement names one table, and empties others that
the author may not know reference it, now or after a later migration adds a foreign key. Those rows
are gone, without a trace in the migration's text. `TRUNCATE` also takes an ACCESS EXCLUSIVE lock
on every table it reaches.

## Use instead
Name every table to truncate explicitly, without `CASCADE` (PostgreSQL then refuses when another table
still references it, which is the check you want), or delete the rows you mean to delete.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, Truncate
from bot.rules.context import Context

RULE = Rule(
    id="truncate-cascade",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Name every table to truncate and drop `CASCADE`, so a table nobody named is never emptied.",
    bad=("TRUNCATE TABLE accounts CASCADE;",),
    good=("TRUNCATE TABLE accounts, account_sessions;",),
    dialects=("postgres",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    seen: set[tuple[object, str]] = set()
    for op in migration.up:
        if not isinstance(op, Truncate) or not op.cascade or context.catalog.is_new(op.table):
            continue
        key = (op.location, op.sql)
        if key in seen:
            continue
        seen.add(key)
        yield op.finding(
            RULE,
            f"`TRUNCATE {op.table} … CASCADE` also empties every table with a foreign key to it, unnamed here.",
            blast_radius="All rows of the truncated table and of every table that references it, directly or through "
            "other tables, are lost; each is locked ACCESS EXCLUSIVE meanwhile.",
        )
