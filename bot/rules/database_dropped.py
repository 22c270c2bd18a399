"""A migration that drops a database destroys everything in it.

## Why is this bad?
`DROP DATABASE` removes every table and every row of the database, at once and for good: no down
migration can bring it back. A migration is the wrong place for it; a typo in its name or a migration
run against the wrong connection is an outage.

## Use instead
Drop databases by hand, as an operation with a backup and a second person, never in a migration.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DropSchema, Migration
from bot.rules.context import Context

RULE = Rule(
    id="database-dropped",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Do not drop databases in migrations; do it by hand, with a backup, as a reviewed operation.",
    bad=("DROP DATABASE analytics;",),
    good=(
        "-- analytics is dropped by hand after a backup, not by a migration.\nDROP TABLE IF EXISTS analytics_scratch;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if isinstance(op, DropSchema) and op.kind == "database":
            yield op.finding(
                RULE,
                f"Database `{op.name}` is dropped by a migration.",
                blast_radius=f"Every table and row in `{op.name}` is lost; only a backup restores it.",
            )
