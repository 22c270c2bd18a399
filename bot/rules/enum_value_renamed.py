"""Renaming an enum value breaks every query and every running release that uses the old one.

## Why is this bad?
`ALTER TYPE … RENAME VALUE` changes the stored label at once: the release still running during the
deploy writes the old value and fails ("invalid input value for enum"), and queries, reports and
application constants that compare with the old label stop matching.

## Use instead
Add the new value, make the code accept both, backfill rows from the old value to the new one, switch
writes, and stop using the old value (PostgreSQL cannot drop enum values; a new type is needed for that).
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, RawSQL
from bot.references.blast_radius import assess
from bot.references.search import Target
from bot.references.targets import enum_rename
from bot.rules.context import Context

RULE = Rule(
    id="enum-value-renamed",
    dimension=Dimension.CODE_REFERENCES,
    severity=Severity.WARNING,
    help="Add the new value, accept both in code, backfill, then stop using the old value.",
    bad=("ALTER TYPE order_status RENAME VALUE 'canceled' TO 'cancelled';",),
    good=("ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'cancelled' AFTER 'canceled';",),
    dialects=("postgres",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        renamed = enum_rename(op) if isinstance(op, RawSQL) else None
        if renamed is None:
            continue
        name, old, new = renamed
        target = Target("enum-value", name, old, new)
        found = assess(context.references.uses(target), old, removed=context.references.removed_uses(target))
        still = f" while {found.still_used()}" if found.blocking else ""
        written = enum_rename(op, folded=False) if isinstance(op, RawSQL) else None
        shown = (written or renamed)[0]  # a quoted name as the database keeps it
        yield op.finding(
            RULE,
            f"Enum `{shown}` value `{old}` is renamed to `{new}`{still}.",
            blast_radius=f"The running release fails when it writes `{old}`, and every comparison with `{old}` "
            f"in code, queries and reports stops matching. {found.blast_radius}",
            severity=found.severity,
            references=found.references,
        )
