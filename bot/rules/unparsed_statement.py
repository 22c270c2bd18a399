"""A statement the review could not understand is reported, never skipped in silence.

## Why is this bad?
Every other rule reads the statement's operations; a statement that could not be read is one no rule
has checked. It may be valid SQL in a dialect or a construct the parser does not know, or a typo that
will fail the deploy. What no rule has checked never passes the gate: the review stays BLOCKED until the
statement is read by hand and this finding is suppressed with a reason.

## Use instead
Check the statement by hand (or against a scratch database). If the dialect is wrong, set `dialect`
in `.github/migration-review.yml`; if the statement is fine, suppress this finding with a reason.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, Unparsed
from bot.rules.context import Context

RULE = Rule(
    id="unparsed-statement",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.WARNING,
    help="Review the statement by hand and suppress this finding with a reason; set the repository's dialect if "
    "it is not the one detected.",
    bad=("ALTER TABLE users FROBNICATE COLUMN x;",),
    good=("ALTER TABLE users ADD COLUMN x integer;",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if isinstance(op, Unparsed):
            first = op.sql.strip().splitlines()[0][:80] if op.sql.strip() else "the file"
            yield op.finding(
                RULE,
                f"This statement could not be understood ({op.error}): `{first}`.",
                blast_radius="No rule has checked this statement; its locks and data effects are unknown, so the "
                "review stays blocked until someone reads it and suppresses this finding with a reason.",
            )
