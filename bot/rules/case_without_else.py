"""A CASE without ELSE turns every value it does not list into NULL.

## Why is this bad?
`SET state = CASE status WHEN 'paid' THEN 'settled' WHEN 'open' THEN 'pending' END` writes NULL into
`state` for every row whose `status` is anything else: a value added last month, a legacy spelling, a
NULL. The old value is overwritten, nothing fails, and the data is gone. If the column is NOT NULL the
whole migration fails halfway through a deploy instead.

## Use instead
Say what happens to the rest: `ELSE state` keeps the current value, `ELSE 'unknown'` marks it, or
restrict the rows with `WHERE status IN ('paid', 'open')`. Count the values first:
`SELECT status, count(*) FROM orders GROUP BY 1`.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, DataInsert, DataUpdate, Migration
from bot.rules.context import Context
from bot.sql.data_changes import mapping_sites, restricts, source_column

RULE = Rule(
    id="case-without-else",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Add an `ELSE` that keeps the old value or marks the row, or restrict the rows with a `WHERE … IN (…)`.",
    bad=(
        "UPDATE orders SET state = CASE status WHEN 'paid' THEN 'settled' WHEN 'open' THEN 'pending' END\n"
        "WHERE id IN (SELECT id FROM orders WHERE state IS NULL ORDER BY id LIMIT 1000);",
    ),
    good=(
        "UPDATE orders SET state = CASE status WHEN 'paid' THEN 'settled' WHEN 'open' THEN 'pending' ELSE state END\n"
        "WHERE id IN (SELECT id FROM orders WHERE state IS NULL ORDER BY id LIMIT 1000);",
        "UPDATE orders SET state = CASE status WHEN 'paid' THEN 'settled' END WHERE status = 'paid' AND id < 1000 AND id >= 0;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op, mapping, table in mapping_sites(migration.up):
        if context.catalog.is_new(table):  # created by this change: no rows to map yet
            continue
        if mapping.otherwise is not None or not mapping.target or mapping.absorbed_by:
            continue  # a CASE inside `jsonb_build_object(…)`, `coalesce(…)`: its NULL never reaches the column
        column, _ = source_column(mapping.source)
        if column and restricts(op, column):
            continue
        target = context.catalog.column(op.table, mapping.target)
        fails = target is not None and not target.nullable
        rows = f"rows whose `{column}` matches none" if column else "rows that match none"
        outcome = "fail the NOT NULL constraint and abort the migration" if fails else "become NULL"
        fresh = _added_here(migration, op, mapping.target)
        overwritten = (
            " (their current value is overwritten)" if isinstance(op, DataUpdate) and not fresh else ""
        )
        unlisted = f"an unlisted value of `{column}`" if column else "values no WHEN matches"
        yield op.finding(
            RULE,
            f"The CASE that sets `{op.table}.{mapping.target}` has no ELSE: {rows} "
            f"of its {len(mapping.whens)} WHEN branches {outcome}.",
            blast_radius=f"Every row of {context.size_words(op.table)} with {unlisted} "
            f"gets NULL in `{mapping.target}`{overwritten}."
            if not fails
            else f"The migration stops at the first row of `{op.table}` with {unlisted}; the deploy fails.",
            fix=f"Add `ELSE {mapping.target}` (keep the value) or an explicit marker value, or add "
            f"`WHERE {column or '…'} IN (…)`; run `SELECT {column or '…'}, count(*) FROM {table} GROUP BY 1` first.",
        )


def _added_here(migration: Migration, op: DataUpdate | DataInsert, column: str) -> bool:
    """Is the target a column this migration adds before the statement (so it holds nothing yet)?"""
    return any(
        isinstance(other, AddColumn) and other.table == op.table and other.column.name == column
        for other in migration.up
        if other.location.line < op.location.line
    )
