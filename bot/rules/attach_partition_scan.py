"""ATTACH PARTITION scans the partition under an ACCESS EXCLUSIVE lock unless a CHECK already proves its bounds.

## Why is this bad?
`ALTER TABLE measurements ATTACH PARTITION measurements_2026 FOR VALUES FROM (…) TO (…)` checks every row of
the partition against the bounds while holding an ACCESS EXCLUSIVE lock on it: no reads or writes of that
partition until the scan ends. A default partition, when there is one, is scanned the same way for rows
that belong to the new bounds. Before PostgreSQL 12 the partitioned table itself is locked ACCESS
EXCLUSIVE too, so every partition waits.

## Use instead
Prove the bounds first, without blocking: `ALTER TABLE measurements_2026 ADD CONSTRAINT bounds CHECK (…)
NOT VALID`, then `VALIDATE CONSTRAINT bounds` (reads and writes go on), then attach: PostgreSQL sees the
CHECK implies the bounds and skips the scan. Drop the CHECK afterwards if you like.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, RawSQL
from bot.rules.context import Context

RULE = Rule(
    id="attach-partition-scan",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.WARNING,
    help="Add a CHECK matching the bounds as NOT VALID, validate it, then attach: the attach skips its scan.",
    bad=(
        "CREATE TABLE readings (id bigint, taken_at timestamptz NOT NULL) PARTITION BY RANGE (taken_at);\n"
        "CREATE TABLE readings_2026 (id bigint, taken_at timestamptz NOT NULL);\n-- migration\n"
        "ALTER TABLE readings ATTACH PARTITION readings_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');",
    ),
    good=(
        "CREATE TABLE readings (id bigint, taken_at timestamptz NOT NULL) PARTITION BY RANGE (taken_at);\n"
        "CREATE TABLE readings_2026 (id bigint, taken_at timestamptz NOT NULL);\n"
        "ALTER TABLE readings_2026 ADD CONSTRAINT readings_2026_bounds CHECK (taken_at >= '2026-01-01' AND "
        "taken_at < '2027-01-01') NOT VALID;\nALTER TABLE readings_2026 VALIDATE CONSTRAINT readings_2026_bounds;\n"
        "-- migration\n"
        "ALTER TABLE readings ATTACH PARTITION readings_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');",
    ),
    dialects=("postgres",),
)
_PARTITION = re.compile(r"\bATTACH\s+PARTITION\s+((?:\"[^\"]+\"|\w+)(?:\.(?:\"[^\"]+\"|\w+))?)", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    for op in migration.up:
        if not isinstance(op, RawSQL) or op.category != "attach-partition":
            continue
        match = _PARTITION.search(op.sql)
        if match is None:
            continue
        partition = match.group(1).replace('"', "").lower().removeprefix("public.")
        catalog = context.before(op)
        if catalog.is_new(partition) or any(
            c.validated and c.table == partition for c in catalog.checks.values()
        ):
            continue  # empty, or a validated CHECK PostgreSQL can prove the bounds from
        before_12 = not context.at_least(12)
        yield op.finding(
            RULE,
            f"Attaching `{partition}` to `{op.table}` scans every row of `{partition}` against its bounds under "
            "an ACCESS EXCLUSIVE lock"
            + (f", and before PostgreSQL 12 locks all of `{op.table}` the same way." if before_12 else "."),
            severity=Severity.CRITICAL if before_12 else None,
            blast_radius=f"Reads and writes of {context.size_words(partition)} wait for the scan"
            + (f", and so does every query on `{op.table}`" if before_12 else "")
            + "; a default partition, if any, is scanned and locked the same way.",
        )
