"""Dropping an index without CONCURRENTLY locks the table against reads and writes.

## Why is this bad?
`DROP INDEX` takes an ACCESS EXCLUSIVE lock on the index's table. The drop itself is quick, but it
waits behind every running query on the table, and every query that arrives after it waits behind it:
one slow report turns a quick drop into an outage of the table.

## Use instead
`DROP INDEX CONCURRENTLY IF EXISTS …` in a migration that does not run in a transaction, with a
`lock_timeout` so that it gives up instead of queueing. An index dropped on the way to dropping its table
in the same migration is not reported: the table's drop takes the same lock.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DropIndex, DropTable, Migration
from bot.rules.context import Context

RULE = Rule(
    id="non-concurrent-index-drop",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.WARNING,
    help="Use `DROP INDEX CONCURRENTLY IF EXISTS` in a migration that does not run in a transaction.",
    bad=("DROP INDEX orders_status_idx;",),
    good=(
        "-- migrate:up transaction:false\nDROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;\n-- migrate:down\n",
    ),
    dialects=("postgres",),
    framework_help=(
        (
            "rails",
            "`remove_index :table, :column, algorithm: :concurrently` in a migration with `disable_ddl_transaction!`.",
        ),
        ("django", "`RemoveIndexConcurrently` in a migration with `atomic = False`."),
        ("alembic", "`op.drop_index(..., postgresql_concurrently=True)` inside `autocommit_block()`."),
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for index, op in enumerate(migration.up):
        if not isinstance(op, DropIndex) or op.concurrently or not context.postgres:
            continue
        table = op.table or context.catalog.indexes.get(op.name, "")
        if table and any(
            isinstance(later, DropTable) and later.table == table for later in migration.up[index:]
        ):
            continue  # `remove_index` before `drop_table` of its table: the drop takes the same lock anyway
        severity = context.lock_severity(table, RULE.severity, op) if table else RULE.severity
        if severity is None:
            continue
        on = context.size_words(table, op) if table else "the index's table"
        yield op.finding(
            RULE,
            f"`DROP INDEX {op.name}` takes an ACCESS EXCLUSIVE lock on {f'`{table}`' if table else 'the table it indexes'}.",
            severity=severity,
            blast_radius=f"Reads and writes on {on} queue behind the drop, which itself waits for every running query.",
        )
