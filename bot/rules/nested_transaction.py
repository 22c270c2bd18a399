"""Opening a transaction inside one that is already open does not nest: it is ignored or it commits early.

## Why is this bad?
PostgreSQL warns and ignores a `BEGIN` inside a transaction, and the file's `COMMIT` then commits the
runner's transaction early: the rest of the migration runs outside any transaction, so a failure
leaves it half applied. MySQL commits the open transaction implicitly at `BEGIN`.

A runner that sends the whole script in one call (Prisma, golang-migrate on PostgreSQL) is different: the
script's implicit transaction becomes the file's `BEGIN … COMMIT` block, with no warning, so the
`BEGIN`/`COMMIT` Prisma writes around an enum change is no nesting. A `COMMIT` with no `BEGIN` there commits
what came before it, and the rest runs in a new implicit transaction.

## Use instead
Let the runner own the transaction and remove `BEGIN`/`COMMIT` from the file, or turn the runner's
transaction off for this migration and keep one explicit transaction.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, Transaction
from bot.rules.context import Context

RULE = Rule(
    id="nested-transaction",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.WARNING,
    help="Remove the file's `BEGIN`/`COMMIT` and let the runner own the transaction (or turn the runner's off).",
    bad=("-- +goose Up\nBEGIN;\nALTER TABLE users ADD COLUMN note text;\nCOMMIT;",),
    good=("-- +goose Up\nALTER TABLE users ADD COLUMN note text;",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    runner = (
        migration.in_transaction and not migration.file_transaction and not migration.implicit_transaction
    )
    depth = 1 if runner else 0
    for op in migration.up:
        if not isinstance(op, Transaction):
            continue
        if op.action == "begin":
            if depth > 0:
                outer = migration.transaction_note if depth == 1 and runner else "an earlier BEGIN"
                yield op.finding(
                    RULE,
                    f"`BEGIN` inside a transaction that is already open ({outer}).",
                    blast_radius="The file's COMMIT ends the outer transaction early; statements after it run without "
                    "a transaction and a failure leaves the migration half applied.",
                )
            depth += 1
        elif op.action in ("commit", "rollback"):
            finding = _early_end(op, depth, runner, migration)
            if finding is not None:
                yield finding
            depth = max(0, depth - 1)


def _early_end(op: Transaction, depth: int, runner: bool, migration: Migration) -> Finding | None:
    """A COMMIT or ROLLBACK that ends the runner's transaction, or that has no transaction to end."""
    word = op.action.upper()
    if depth == 0 and migration.implicit_transaction:
        return op.finding(
            RULE,
            f"`{word}` with no `BEGIN`: PostgreSQL warns, ends the script's implicit transaction there, and runs "
            "the rest in a new one.",
            blast_radius=(
                "When a statement after it fails, the statements before it stay applied and the runner records "
                "the migration as failed: it is half applied."
                if op.action == "commit"
                else "The statements before it are undone while the runner records the migration as applied."
            ),
        )
    if depth == 0:
        return op.finding(
            RULE,
            f"`{word}` with no transaction open: it does nothing but warn, so the statements it was meant to "
            "group were not in one transaction.",
            blast_radius="Statements meant to be atomic may each have committed on their own.",
        )
    if depth == 1 and runner:
        return op.finding(
            RULE,
            f"`{word}` ends the runner's transaction ({migration.transaction_note}) before the migration ends.",
            blast_radius="Statements after it run without a transaction; a failure leaves the migration half "
            "applied while the runner thinks it rolled back.",
        )
    return None
