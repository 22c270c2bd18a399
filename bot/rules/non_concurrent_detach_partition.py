"""DETACH PARTITION without CONCURRENTLY locks the whole partitioned table.

## Why is this bad?
`ALTER TABLE … DETACH PARTITION` takes an ACCESS EXCLUSIVE lock on the parent table and the partition:
every read and write on every partition waits, and the statement itself queues behind every running
query on the parent.

## Use instead
`ALTER TABLE … DETACH PARTITION … CONCURRENTLY` (PostgreSQL 14 and later), in a migration that does not
run in a transaction. If it is interrupted, finish it with `DETACH PARTITION … FINALIZE`.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DetachPartition, Migration
from bot.rules.context import Context

RULE = Rule(
    id="non-concurrent-detach-partition",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Use `DETACH PARTITION … CONCURRENTLY` (PostgreSQL 14+) in a migration without a transaction.",
    bad=("ALTER TABLE events DETACH PARTITION events_2023;",),
    good=("ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;",),
    dialects=("postgres",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    for op in migration.up:
        if not isinstance(op, DetachPartition) or op.concurrently:
            continue
        severity = context.lock_severity(op.table, RULE.severity)
        if severity is None:
            continue
        newer = context.at_least(14)
        yield op.finding(
            RULE,
            f"Detaching `{op.partition}` from `{op.table}` takes an ACCESS EXCLUSIVE lock on the partitioned table.",
            severity=severity,
            blast_radius=f"Reads and writes on every partition of {context.size_words(op.table)} wait for the detach, "
            "which itself waits behind every running query.",
            fix=None
            if newer
            else "PostgreSQL 14+ detaches CONCURRENTLY (set `database_version` if production runs "
            "14 or later); before 14, set a short `lock_timeout`, retry on timeout, and run it at a quiet hour.",
            suggestion=op.sql.rstrip() + " CONCURRENTLY" if newer else None,
        )
