"""`ALTER TYPE … ADD VALUE` without BEFORE or AFTER appends the value at the end of the enum's order.

## Why is this bad?
PostgreSQL enums sort by declaration order, not alphabetically: `ORDER BY status`, `status > 'draft'`
and range checks in the application all follow it. A value appended at the end sorts after every other
one, which is right for some enums (`low, medium, high` + `critical`) and silently wrong for others
(`draft, published, archived` + `review`).

## Use instead
Say where the value belongs: `ALTER TYPE status ADD VALUE 'review' BEFORE 'published';`, or
`AFTER 'archived'` to record that the end is intended.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddEnumValue, Migration
from bot.rules.context import Context

RULE = Rule(
    id="enum-value-order",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.INFO,
    help="Add `BEFORE '…'` or `AFTER '…'` so the new value's place in the enum's order is deliberate.",
    bad=("ALTER TYPE order_status ADD VALUE 'review';",),
    good=("ALTER TYPE order_status ADD VALUE 'review' BEFORE 'published';",),
    dialects=("postgres",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    for op in migration.up:
        if not isinstance(op, AddEnumValue) or op.before or op.after:
            continue
        values = context.catalog.enums.get(op.name, [])
        last = values[-1] if values else None
        after = f", after `{last}`" if last else ""
        yield op.finding(
            RULE,
            f"`{op.value}` is appended at the end of enum `{op.name}`{after}.",
            blast_radius="ORDER BY and comparisons on columns of this type place the new value after every other one.",
            suggestion=f"{op.sql.rstrip()} AFTER '{last}'" if last and migration.alone_on_lines(op) else None,
        )
