"""A suppression without a reason hides a risk without saying why it is acceptable.

## Why is this bad?
`-- migration-review: ignore RULE` turns a finding into an accepted risk. Without a reason, the next
reader cannot tell a considered decision from a way to get the check green, and the review cannot
show the reviewer what was accepted and why. A suppression that names an unknown rule suppresses
nothing.

## Use instead
`-- migration-review: ignore non-concurrent-index the table has 40 rows and is written once a day`.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Location, Rule, Severity
from bot.model.migration import Migration, Unparsed
from bot.rules.context import Context

RULE = Rule(
    id="suppression-without-reason",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.WARNING,
    help="Name the rule and say why the risk is acceptable: `-- migration-review: ignore RULE-ID reason`.",
    bad=(
        "-- migration-review: ignore non-concurrent-index\nCREATE INDEX orders_user_id_idx ON orders (user_id);",
    ),
    good=(
        "-- migration-review: ignore non-concurrent-index orders has 40 rows, written once a day\n"
        "CREATE INDEX orders_user_id_idx ON orders (user_id);",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    from bot.rules import ALL_IDS  # the registry imports this module

    for suppression in migration.suppressions:
        anchor = Unparsed(location=Location(migration.path, suppression.line), error="")
        unknown = [r for r in suppression.rules if r not in ALL_IDS]
        if suppression.dimension:
            continue  # a framework's or a peer tool's own marker (safety_assured, safety-assured), naming no rules
        if not suppression.rules:
            message = "This suppression names no rule, so it suppresses nothing."
        elif unknown:
            message = f"This suppression names unknown rule(s) {', '.join(f'`{r}`' for r in unknown)}."
        elif not suppression.reason:
            message = f"`{', '.join(suppression.rules)}` is suppressed without a reason."
        else:
            continue
        yield anchor.finding(
            RULE,
            message,
            blast_radius="The risk is hidden from the reviewer without a record of why it was accepted.",
        )
