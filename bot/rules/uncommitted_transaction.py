"""A transaction opened and never committed leaves the migration's changes unapplied.

## Why is this bad?
A `BEGIN` without a matching `COMMIT` means the runner ends the session with the transaction still
open: the database rolls it back, yet the runner may record the migration as applied. Production and
the migration table then disagree, and the next migration builds on a schema that does not exist.

A file that commits the runner's own transaction first and ends with a `BEGIN` (drizzle-kit's SQLite table
rebuild, which turns foreign keys off between two transactions) hands that last transaction back to the
runner, which commits it: no finding.

## Use instead
Close every `BEGIN` with `COMMIT`, or leave transaction control to the runner.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, Operation, Transaction
from bot.rules.context import Context

RULE = Rule(
    id="uncommitted-transaction",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Add the missing `COMMIT`, or remove the `BEGIN` and let the runner manage the transaction.",
    bad=("BEGIN;\nALTER TABLE users ADD COLUMN note text;",),
    good=("BEGIN;\nALTER TABLE users ADD COLUMN note text;\nCOMMIT;",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    open_begin: Operation | None = None
    # a runner that wraps the file in its own transaction commits at the end whatever is open then: a file
    # that first commits the runner's transaction (drizzle-kit's SQLite table rebuild: `COMMIT TRANSACTION;
    # PRAGMA foreign_keys = OFF; BEGIN TRANSACTION; …; COMMIT; PRAGMA foreign_keys = ON; BEGIN TRANSACTION;`)
    # opens the last one for the runner to close
    runner_closed = False
    wrapped = (
        migration.in_transaction and not migration.file_transaction
    )  # by the runner, not the file's BEGIN
    for op in migration.up:
        if isinstance(op, Transaction):
            if op.action == "begin":
                open_begin = open_begin or op
            elif op.action in ("commit", "rollback"):
                runner_closed = runner_closed or (open_begin is None and wrapped)
                open_begin = None
    if open_begin is not None and not runner_closed:
        yield open_begin.finding(
            RULE,
            "This transaction is opened and never committed.",
            blast_radius="Every statement after it is rolled back when the session ends, while the runner may "
            "record the migration as applied.",
        )
