"""Production has rows that a CHECK constraint the migration adds or validates rejects.

## Why is this bad?
Adding a CHECK constraint checks every existing row, under a lock that blocks writes; so does
`VALIDATE CONSTRAINT` after a `NOT VALID` add. One row that fails the condition and the statement fails
after the whole scan, and the deploy stops. The production probe counts the rows for which the
condition is false (NULL passes a CHECK, as in the database) before the deploy, for the `ADD` and for the
`VALIDATE`. Without a probe this rule stays quiet.

## Use instead
Fix or delete the rows first (in batches, in an earlier step), or widen the condition; then add the
constraint `NOT VALID` and validate it separately.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.facts import EXACT, Count, Facts
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddConstraint, Migration, Operation, ValidateConstraint
from bot.probe.questions import validated_check
from bot.rules.context import Context

RULE = Rule(
    id="rows-violating-check",
    dimension=Dimension.DATA_VERIFICATION,
    severity=Severity.CRITICAL,
    help="Fix the rows the condition rejects before adding or validating the CHECK constraint.",
    bad=(
        "ALTER TABLE products ADD CONSTRAINT products_price CHECK (price >= 0) NOT VALID;\n"
        "ALTER TABLE products VALIDATE CONSTRAINT products_price;",
    ),
    good=(
        "ALTER TABLE invoices ADD CONSTRAINT invoices_total CHECK (total >= 0) NOT VALID;\n"
        "ALTER TABLE invoices VALIDATE CONSTRAINT invoices_total;",
    ),
)

EXAMPLE_FACTS = Facts(
    connection="shop-replica",
    dialect="postgres",
    taken_at="2026-01-05T09:00:00Z",
    counts=(
        Count("check", "products", (), 31, EXACT, against="price >= 0"),
        Count("check", "invoices", (), 0, EXACT, against="total >= 0"),
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    facts = context.facts
    if facts is None:
        return
    validated = {op.name for op in migration.up if isinstance(op, ValidateConstraint)}
    for op in migration.up:
        if isinstance(op, ValidateConstraint):
            found = validated_check(op, context.catalog, migration.up)
            if found is not None:
                yield from _failing(op, context, facts, found[0], found[1], "VALIDATE")
        elif isinstance(op, AddConstraint) and op.constraint == "check" and op.expression_sql:
            if not op.not_valid:
                yield from _failing(op, context, facts, op.table, op.expression_sql, "ADD")
            elif op.name not in validated:
                yield from _failing(op, context, facts, op.table, op.expression_sql, "NOT VALID")


def _failing(
    op: Operation, context: Context, facts: Facts, table: str, condition: str, step: str
) -> Iterator[Finding]:
    found: Count | None = facts.count("check", table, (), condition)
    if found is None or found.rows == 0:
        return
    message = (
        f"{found.about()} rows of `{table}` fail `CHECK ({condition})` in production "
        f"({facts.cite(found.source)}); "
    )
    if step == "NOT VALID":
        yield op.finding(
            RULE,
            message
            + "the constraint is added without checking them, but its `VALIDATE CONSTRAINT` will fail.",
            severity=Severity.WARNING,
            blast_radius=f"New rows are checked from now on; the validation fails after scanning "
            f"{context.size_words(table)} until the existing rows are fixed.",
            fix=f"Before validating, find them with `SELECT … FROM {table} WHERE NOT ({condition})` and fix them.",
        )
        return
    yield op.finding(
        RULE,
        message + f"the constraint cannot be {'validated' if step == 'VALIDATE' else 'added'}.",
        blast_radius=f"The statement fails after scanning {context.size_words(table)} under its lock; the deploy "
        "fails and everything after this statement is not applied.",
        fix=f"Find them with `SELECT … FROM {table} WHERE NOT ({condition})`, fix or delete them first"
        + ("." if step == "VALIDATE" else ", then add the constraint NOT VALID and VALIDATE it separately."),
    )
