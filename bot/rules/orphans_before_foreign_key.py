"""Production has rows whose key points at no parent row, where the migration adds a foreign key.

## Why is this bad?
Adding a foreign key validates every existing row. Orphans make it fail after a full scan under a lock
that blocks writes to both tables. The production probe counts them before the deploy. A constraint
added `NOT VALID` skips existing rows, but its later `VALIDATE CONSTRAINT` meets the same orphans: the
probe counts them for both statements (the `VALIDATE` fails; a `NOT VALID` constraint validated in
another change is a warning). Without a probe this rule stays quiet.

## Use instead
Delete the orphans, set their key to NULL, or create the missing parents first; then add the
constraint `NOT VALID` and validate it in a separate step.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.facts import EXACT, Count, Facts
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddConstraint, Migration, Operation, ValidateConstraint
from bot.probe.questions import validated_foreign_key
from bot.rules.context import Context

RULE = Rule(
    id="orphans-before-foreign-key",
    dimension=Dimension.DATA_VERIFICATION,
    severity=Severity.CRITICAL,
    help="Remove or re-parent the orphan rows before adding the foreign key.",
    bad=(
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;",
    ),
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
    validated = {op.name for op in migration.up if isinstance(op, ValidateConstraint)}
    for op in migration.up:
        if isinstance(op, ValidateConstraint):
            key = validated_foreign_key(op, context.catalog, migration.up)
            if key is not None:
                yield from _orphans(op, context, key.table, key.columns, key.references, "VALIDATE")
        elif isinstance(op, AddConstraint) and op.constraint == "foreign_key" and op.references:
            if not op.not_valid:
                yield from _orphans(op, context, op.table, op.columns, op.references, "ADD")
            elif op.name not in validated:  # validated later, in another change: it will fail there
                yield from _orphans(op, context, op.table, op.columns, op.references, "NOT VALID")


def _orphans(
    op: Operation, context: Context, table: str, columns: tuple[str, ...], references: str, step: str
) -> Iterator[Finding]:
    facts = context.facts
    assert facts is not None
    found: Count | None = facts.count("orphans", table, columns, references)
    if found is None or found.rows == 0:
        return
    key = ", ".join(columns)
    message = (
        f"{found.about()} rows of `{table}` have a `{key}` that matches no row of `{references}` in "
        f"production ({facts.cite(found.source)}); "
    )
    if step == "NOT VALID":
        yield op.finding(
            RULE,
            message
            + "the constraint is added without checking them, but its `VALIDATE CONSTRAINT` will fail.",
            severity=Severity.WARNING,
            blast_radius=f"New rows are checked from now on; the validation step fails after scanning "
            f"{context.size_words(table)} until the existing orphans are fixed.",
            fix=f"Before validating, delete them, set `{key}` to NULL, or create the missing `{references}` rows.",
        )
        return
    what = "validated" if step == "VALIDATE" else "added"
    yield op.finding(
        RULE,
        message + f"the foreign key cannot be {what}.",
        blast_radius=f"The statement fails after scanning {context.size_words(table)} while it "
        + ("blocks writes to " if step == "ADD" else "holds its lock on ")
        + f"`{table}` and `{references}`; the deploy fails.",
        fix=f"Delete them, set `{key}` to NULL, or create the missing `{references}` rows first; then "
        + (
            "add the constraint."
            if context.mysql
            else (
                "validate it."
                if step == "VALIDATE"
                else "add the constraint NOT VALID and VALIDATE it separately."
            )
        ),
    )
