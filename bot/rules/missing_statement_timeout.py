"""A long-running statement under lock without a statement_timeout can hold the table for hours.

## Why is this bad?
An index build, a table rewrite, a constraint validation or a backfill takes time in proportion to
the table. Without a `statement_timeout`, a statement that turns out much slower in production than
in staging keeps its locks until someone notices and cancels it by hand.

## Use instead
Set a bound for the migration's session: `SET statement_timeout = '15min';` (or
`SET LOCAL statement_timeout` inside the transaction), chosen from a measured run on a copy of the
data. A timeout the runner sets for every migration (strong_migrations' initializer, an `env.py` that
sets it, Flyway's init SQL, golang-migrate's `x-statement-timeout`, a role's defaults in a schema dump) is
read from the repository and keeps this rule quiet; for a runner the review cannot see, say
`timeouts_set_by_runner: true` in `.github/migration-review.yml`.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, SetTimeout
from bot.rules._costs import slow
from bot.rules._framework_fixes import statement_timeout
from bot.rules.context import Context

RULE = Rule(
    id="missing-statement-timeout",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.INFO,
    help="Set `statement_timeout` before long-running statements, sized from a measured run.",
    bad=("ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;",),
    good=(
        "SET statement_timeout = '15min';\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;",
        "ALTER TABLE orders ADD COLUMN note text;",
    ),
    dialects=("postgres",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if (
        not context.postgres
        or context.config.timeouts_set_by_runner
        or context.runner.get("statement_timeout")
    ):
        return
    for op in migration.up:
        if isinstance(op, SetTimeout) and op.setting == "statement_timeout" and not op.disables:
            return
        if not slow(op, context) or not op.tables or all(context.catalog.is_new(t) for t in op.tables):
            continue
        if getattr(op, "batched", False):
            continue  # each statement of a batched change is one batch: a statement_timeout bounds none of it
        yield op.finding(
            RULE,
            f"No statement_timeout is set before this long-running statement on `{op.tables[0]}`.",
            blast_radius=f"If it runs far longer in production than expected, it holds its locks on "
            f"{context.size_words(op.tables[0])} until cancelled by hand.",
            fix=statement_timeout(migration.framework),
        )
        return
