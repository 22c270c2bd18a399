"""Production has duplicate keys where the migration adds a unique index or constraint.

## Why is this bad?
Building a unique index checks every existing row. With duplicates in production the statement fails
after the whole build (a `CONCURRENTLY` build leaves an invalid index behind that must be dropped by
hand). The production probe counts the duplicate keys before the deploy, for keys on expressions
(`lower(email)`) and for partial indexes over the rows their predicate selects
(`WHERE deleted_at IS NULL`). Without a probe this rule
stays quiet.

## Use instead
Decide which row of each duplicate group survives and merge or delete the others in an earlier step;
then add the unique index (`CREATE UNIQUE INDEX CONCURRENTLY` on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.facts import EXACT, Count, Facts
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration
from bot.probe.questions import added_unique_key
from bot.rules.context import Context

RULE = Rule(
    id="duplicates-before-unique",
    dimension=Dimension.DATA_VERIFICATION,
    severity=Severity.CRITICAL,
    help="Resolve the duplicate keys in production before adding the unique index or constraint.",
    bad=(
        "CREATE UNIQUE INDEX CONCURRENTLY users_login ON users (login);",
        "CREATE UNIQUE INDEX CONCURRENTLY users_email ON users (lower(email)) WHERE deleted_at IS NULL;",
    ),
    good=("CREATE UNIQUE INDEX CONCURRENTLY accounts_login ON accounts (login);",),
)

EXAMPLE_FACTS = Facts(
    connection="app-replica",
    dialect="postgres",
    taken_at="2026-01-05T09:00:00Z",
    counts=(
        Count("duplicates", "users", ("login",), 212, EXACT, detail="97 values"),
        Count("duplicates", "accounts", ("login",), 0, EXACT, detail="0 values"),
        Count("duplicates", "users", ("lower(email)",), 14, EXACT, detail="7 values"),
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    facts = context.facts
    if facts is None:
        return
    for each in migration.up:
        added = added_unique_key(each, primary=True)
        if added is None:
            continue
        op, columns, where = added.op, added.columns, added.where
        found: Count | None = facts.count("duplicates", op.table, columns)
        if found is None or found.rows == 0:
            continue
        key = ", ".join(columns)
        seen = "at least " if found.source != EXACT else ""
        among = f" among the rows where {where}" if where else ""
        yield op.finding(
            RULE,
            f"`{op.table}` ({key}) has {seen}{found.rows:,} duplicate rows{among} in production"
            f"{f' ({found.detail} repeated)' if found.detail else ''} ({facts.cite(found.source)}); "
            "the unique index cannot be built.",
            blast_radius=f"The build over {context.size_words(op.table)} fails at the end; a concurrent build leaves an "
            "invalid index that slows every write until it is dropped.",
            fix=f"Find them with `SELECT {key}, count(*) FROM {op.table}{' WHERE ' + where if where else ''} GROUP BY "
            f"{key} HAVING count(*) > 1`, merge or "
            "delete the extra rows first, then add the index.",
        )
