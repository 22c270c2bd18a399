"""Adding an exclusion constraint builds its index under an ACCESS EXCLUSIVE lock, with no online way.

## Why is this bad?
`ADD CONSTRAINT … EXCLUDE` builds a GiST (or other) index while holding an ACCESS EXCLUSIVE lock: no
reads or writes for the whole build. Unlike UNIQUE, there is no `USING INDEX` form to attach an index
built concurrently, and `NOT VALID` is not accepted. The build fails on the first conflicting pair.

## Use instead
Add exclusion constraints when the table is created, or at a quiet time with a short `lock_timeout`
and a measured build time; check for conflicting rows first. Consider enforcing the rule in a trigger
or the application until a maintenance window.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddConstraint, Migration
from bot.rules.context import Context

RULE = Rule(
    id="exclusion-constraint",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Add exclusion constraints with the table, or in a maintenance window with a lock_timeout.",
    bad=(
        "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&);",
    ),
    good=(
        "CREATE TABLE bookings (room_id bigint, during tstzrange, EXCLUDE USING gist (room_id WITH =, during WITH &&));",
    ),
    dialects=("postgres",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    for op in migration.up:
        if not isinstance(op, AddConstraint) or op.constraint != "exclusion":
            continue
        severity = context.lock_severity(op.table, RULE.severity)
        if severity is None:
            continue
        yield op.finding(
            RULE,
            f"The exclusion constraint {f'`{op.name}` ' if op.name else ''}on `{op.table}` builds its index under an "
            "ACCESS EXCLUSIVE lock, and has no concurrent form.",
            severity=severity,
            blast_radius=f"Reads and writes on {context.size_words(op.table)} stop for the whole index build; it fails "
            "on the first conflicting pair of rows.",
        )
