"""A data change writes a value that production's enum or CHECK constraint on the column refuses.

## Why is this bad?
`UPDATE orders SET state = 'archived'` assumes the column accepts `'archived'`. Production's definition
decides, and it can differ from the migrations on a laptop: an enum value added by hand, a CHECK tightened
in a hotfix, a label spelled differently. PostgreSQL and MySQL in strict mode then fail the statement (a
failed deploy, the rest of the migration rolled back or half applied); MySQL outside strict mode stores
`''` for an unknown ENUM value, silently. The production probe reads the column's enum labels and CHECK
constraints and judges each written value inside the database; only the verdict leaves production.
Without a probe this rule stays quiet (`case-value-mismatch` compares with the schema the repository has).

## Use instead
Write only values the column accepts in production, or change the enum or the CHECK first, in an earlier
migration, and verify it there.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.facts import EXACT, Count, Facts
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataInsert, DataUpdate, Migration
from bot.probe.questions import written_values
from bot.rules.context import Context

RULE = Rule(
    id="value-refused-in-production",
    dimension=Dimension.DATA_VERIFICATION,
    severity=Severity.CRITICAL,
    help="Write only values the column accepts in production, or widen its enum or CHECK in an earlier migration.",
    bad=("UPDATE orders SET state = 'archived' WHERE closed_at < '2020-01-01';",),
    good=("UPDATE orders SET state = 'closed' WHERE closed_at < '2020-01-01';",),
    dialects=("postgres", "mysql", "mariadb"),
)

EXAMPLE_FACTS = Facts(
    connection="app-replica",
    dialect="postgres",
    taken_at="2026-01-05T09:00:00Z",
    counts=(
        Count(
            "domain",
            "orders",
            ("state",),
            1,
            EXACT,
            examples=("archived",),
            against="enum `order_state` (open, paid, closed)",
        ),
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    facts = context.facts
    if facts is None:
        return
    for op in migration.up:
        if not isinstance(op, DataUpdate | DataInsert):
            continue
        for question in written_values([op]):
            found = facts.count("domain", question.table, question.columns)
            if found is None or not found.rows:
                continue
            refused = [v for v in question.values if v in found.examples]
            if not refused:
                continue
            column = f"{question.table}.{question.columns[0]}"
            values = ", ".join(f"'{v}'" for v in refused)
            yield op.finding(
                RULE,
                f"`{column}` is written {values}, which production's {found.against} refuses "
                f"({facts.cite(found.source)}).",
                blast_radius="The statement fails when it reaches the first such row and the deploy stops (MySQL "
                "outside strict mode stores '' for an unknown ENUM value instead, silently).",
                fix=f"Write a value `{column}` accepts in production, or add {values} to its enum or CHECK in an "
                "earlier migration first.",
            )
