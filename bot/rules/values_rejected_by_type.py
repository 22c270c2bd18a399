"""Production holds values that the column's new type rejects or truncates.

## Why is this bad?
A type change converts every existing value. Strings longer than the new length, text that is not a
number, numbers outside the new range, values that are not members of the new enum: PostgreSQL fails
the whole statement on the first one (after rewriting under an exclusive lock); MySQL outside strict
mode truncates or clamps them silently. The production probe counts them before the deploy. Without
a probe this rule stays quiet (see `lossy-type-change` for what the types alone show).

## Use instead
Clean the offending values first, or choose a type that holds them; convert with an explicit `USING`
when some values must change, and keep the old column until the new one is verified.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.facts import EXACT, Count, Facts
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AlterColumnType, Migration
from bot.rules.context import Context

RULE = Rule(
    id="values-rejected-by-type",
    dimension=Dimension.DATA_VERIFICATION,
    severity=Severity.CRITICAL,
    help="Clean or widen first: the new type cannot hold values production has.",
    bad=("ALTER TABLE users ALTER COLUMN nickname TYPE varchar(20);",),
    good=("ALTER TABLE users ALTER COLUMN nickname TYPE varchar(200);",),
)

EXAMPLE_FACTS = Facts(
    connection="app-replica",
    dialect="postgres",
    taken_at="2026-01-05T09:00:00Z",
    counts=(Count("too-long", "users", ("nickname",), 312, EXACT, detail="20", against="varchar(20)"),),
)

_WHAT = {
    "too-long": "longer than {limit} characters",
    "not-integer": "that are not whole numbers",
    "not-numeric": "that are not numbers",
    "out-of-range": "outside the new integer range",
    "too-many-digits": "with more than {limit} digits before the decimal point",
    "not-in-enum": "that are not values of the new type",
}


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    facts = context.facts
    if facts is None:
        return
    for op in migration.up:
        if not isinstance(op, AlterColumnType):
            continue
        for kind, what in _WHAT.items():
            found: Count | None = facts.count(kind, op.table, (op.column,), op.new_type)
            if found is None or found.rows == 0:
                continue
            about = "about " if found.source != EXACT else ""
            mysql = " (truncated or clamped silently outside strict mode)" if context.mysql else ""
            yield op.finding(
                RULE,
                f"`{op.table}.{op.column}` holds {about}{found.rows:,} values {what.format(limit=found.detail)} in "
                f"production ({facts.cite(found.source)}); `{op.new_type}` rejects them{mysql}.",
                blast_radius=f"The change over {context.size_words(op.table)} fails on the first such value, or loses "
                "data in every one of them.",
                fix="Clean those values (or widen the type) in an earlier step, then change the type; keep the old "
                "column until the new one is verified.",
            )
