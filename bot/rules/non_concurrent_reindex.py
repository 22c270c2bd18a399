"""REINDEX without CONCURRENTLY locks out writes, and for the rebuilt index, the reads that use it.

## Why is this bad?
`REINDEX INDEX` and `REINDEX TABLE` take a SHARE lock on the table (every INSERT, UPDATE and DELETE
waits) and an ACCESS EXCLUSIVE lock on each index being rebuilt (every query that would use it waits).
On a large table the rebuild takes minutes. `REINDEX SCHEMA`/`DATABASE` does this table after table.

## Use instead
`REINDEX INDEX CONCURRENTLY …` (PostgreSQL 12 and later), in a migration that does not run in a
transaction. A failed concurrent rebuild leaves an invalid `…_ccnew` index behind: drop it and retry.

## Framework notes
Before PostgreSQL 12, build a new index `CONCURRENTLY`, drop the old one `CONCURRENTLY`, and rename the
new one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddIndex, Migration, Reindex
from bot.rules.context import Context

RULE = Rule(
    id="non-concurrent-reindex",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Use `REINDEX … CONCURRENTLY` (PostgreSQL 12+) in a migration that does not run in a transaction.",
    bad=("REINDEX INDEX orders_user_id_idx;", "REINDEX TABLE orders;"),
    good=("REINDEX INDEX CONCURRENTLY orders_user_id_idx;",),
    dialects=("postgres",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    indexes = dict(context.catalog.indexes)
    for op in migration.up:
        if isinstance(op, AddIndex) and op.name:
            indexes[op.name] = op.table
        if not isinstance(op, Reindex) or op.concurrently:
            continue
        kind, _, target = op.target.partition(" ")
        table = op.table or (indexes.get(target, "") if kind == "index" else "")
        severity = context.lock_severity(table, RULE.severity) if table else RULE.severity
        if severity is None:
            continue
        on = context.size_words(table) if table else f"every table of {kind} `{target}`"
        suggestion = None
        if context.at_least(12) and kind in ("index", "table", "schema", "database"):
            suggestion = re.sub(rf"(?i)\b({kind})\b", r"\1 CONCURRENTLY", op.sql, count=1)
        yield op.finding(
            RULE,
            f"`REINDEX {kind.upper()} {target}` rebuilds without CONCURRENTLY, blocking writes while it runs.",
            severity=severity,
            blast_radius=f"Writes to {on} wait for the whole rebuild; queries that use the index being rebuilt wait too.",
            fix=None
            if context.at_least(12)
            else "Before PostgreSQL 12: build a replacement index CONCURRENTLY, "
            "drop the old one CONCURRENTLY, then rename the new one.",
            suggestion=suggestion,
        )
