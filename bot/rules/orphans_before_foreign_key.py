"""Production has rows whose key points at no parent row, where the migration adds a foreign key.

## Why is this bad?
Adding a foreign key validates every existing row. Orphans make it fail after a full scan under a lock
that blocks writes to both tables. The production probe counts them before the deploy. A constraint
added `NOT VALID` skips existing rows (and is not checked here); its later `VALIDATE` meets the same
orphans. Without a probe this rule stays quiet.

## Use instead
Delete the orphans, set their key to NULL, or create the missing parents first; then add the
constraint `NOT VALID` and validate it in a separate step.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.facts import EXACT, Count, Facts
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddConstraint, Migration
from bot.rules.context import Context

RULE = Rule(
    id="orphans-before-foreign-key",
    dimension=Dimension.DATA_VERIFICATION,
    severity=Severity.CRITICAL,
    help="Remove or re-parent the orphan rows before adding the foreign key.",
    bad=("ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",),
    good=(
        "ALTER TABLE invoices ADD CONSTRAINT invoices_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
    ),
)

EXAMPLE_FACTS = Facts(
    connection="shop-replica",
    dialect="postgres",
    taken_at="2026-01-05T09:00:00Z",
    counts=(
        Count("orphans", "orders", ("user_id",), 48, EXACT, against="users"),
        Count("orphans", "invoices", ("user_id",), 0, EXACT, against="users"),
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    facts = context.facts
    if facts is None:
        return
    for op in migration.up:
        if not isinstance(op, AddConstraint) or op.constraint != "foreign_key" or op.not_valid:
            continue
        found: Count | None = facts.count("orphans", op.table, op.columns, op.references)
        if found is None or found.rows == 0:
            continue
        key = ", ".join(op.columns)
        about = "about " if found.source != EXACT else ""
        yield op.finding(
            RULE,
            f"{about}{found.rows:,} rows of `{op.table}` have a `{key}` that matches no row of `{op.references}` in "
            f"production ({facts.cite(found.source)}); the foreign key cannot be validated.",
            blast_radius=f"The statement fails after scanning {context.size_words(op.table)} while it blocks writes to "
            f"`{op.table}` and `{op.references}`; the deploy fails.",
            fix=f"Delete them, set `{key}` to NULL, or create the missing `{op.references}` rows first; then add the "
            + ("constraint." if context.mysql else "constraint NOT VALID and VALIDATE it separately."),
        )
