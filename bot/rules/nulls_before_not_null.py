"""Production has NULLs in a column the migration makes NOT NULL.

## Why is this bad?
`SET NOT NULL` (or a NOT NULL constraint) checks every existing row. One NULL in production and the
statement fails, mid-deploy, after holding its lock for the whole scan. Empty strings pass the check
but usually mean the same missing value. The production probe counts both before the deploy. Without
a probe this rule stays quiet (see `set-not-null` for the locking side).

## Use instead
Backfill the NULLs first (in batches, in an earlier migration or the same one before the constraint),
decide what empty strings become, then add the constraint.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.facts import EXACT, Count, Facts
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddConstraint, Migration, SetNotNull
from bot.rules.context import Context

RULE = Rule(
    id="nulls-before-not-null",
    dimension=Dimension.DATA_VERIFICATION,
    severity=Severity.CRITICAL,
    help="Backfill the NULLs (and decide about empty strings) before making the column NOT NULL.",
    bad=("ALTER TABLE users ALTER COLUMN country SET NOT NULL;",),
    good=(
        "UPDATE users SET country = 'unknown' WHERE country IS NULL AND id BETWEEN 1 AND 10000;\n"
        "ALTER TABLE accounts ALTER COLUMN country SET NOT NULL;",
    ),
)

EXAMPLE_FACTS = Facts(
    connection="app-replica",
    dialect="postgres",
    taken_at="2026-01-05T09:00:00Z",
    counts=(
        Count("nulls", "users", ("country",), 1_204, EXACT),
        Count("empty", "users", ("country",), 37, EXACT),
        Count("nulls", "accounts", ("country",), 0, EXACT),
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    facts = context.facts
    if facts is None:
        return
    for op in migration.up:
        if isinstance(op, SetNotNull):
            column = op.column
        elif isinstance(op, AddConstraint) and op.constraint == "not_null" and len(op.columns) == 1:
            column = op.columns[0]
        else:
            continue
        nulls = facts.count("nulls", op.table, (column,))
        if nulls is None or nulls.rows == 0:
            continue
        yield op.finding(
            RULE,
            f"`{op.table}.{column}` holds {nulls.about()} NULLs in production{_empties(facts, op.table, column)} "
            f"({facts.cite(nulls.source)}); making it NOT NULL fails.",
            blast_radius=f"The migration stops at the first NULL of {context.size_words(op.table)} after scanning under "
            "its lock; the deploy fails and everything after this statement is not applied.",
            fix=f"Backfill first: `UPDATE {op.table} SET {column} = … WHERE {column} IS NULL` in batches, then add NOT NULL.",
        )


def _empties(facts: Facts, table: str, column: str) -> str:
    empty: Count | None = facts.count("empty", table, (column,))
    return f" and {empty.rows:,} empty strings" if empty is not None and empty.rows else ""
