"""A failed concurrent index build leaves an INVALID index that breaks or fools the retry.

## Why is this bad?
When `CREATE INDEX CONCURRENTLY` fails (a deadlock, a duplicate for a unique index, a timeout, a
cancelled deploy), PostgreSQL keeps the half-built index, marked INVALID: it is maintained on every
write but never used by queries. Running the migration again then fails with "already exists", or,
with `IF NOT EXISTS`, succeeds while leaving the invalid index in place for good: the query it was
meant for stays slow, and nobody notices.

## Use instead
Drop any leftover first, in the same non-transactional migration:
`DROP INDEX CONCURRENTLY IF EXISTS orders_user_id_idx;` then
`CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);`. After deploy, check
`SELECT indexrelid::regclass FROM pg_index WHERE NOT indisvalid;` returns nothing.

## Framework notes
Rails: `add_index … algorithm: :concurrently` with strong_migrations' `remove_invalid_indexes`, or
`remove_index … if_exists: true, algorithm: :concurrently` first. Django: `AddIndexConcurrently`
after `RemoveIndexConcurrently` in a non-atomic migration.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddIndex, DropIndex, Migration
from bot.rules.context import Context

RULE = Rule(
    id="invalid-index-retry",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.INFO,
    help="Drop a leftover invalid index first: `DROP INDEX CONCURRENTLY IF EXISTS …`, then build it CONCURRENTLY.",
    bad=(
        "CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_user_id_idx ON orders (user_id);",
    ),
    good=(
        "DROP INDEX CONCURRENTLY IF EXISTS orders_user_id_idx;\n"
        "CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);",
    ),
    dialects=("postgres",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    dropped: set[str] = set()
    for op in migration.up:
        if isinstance(op, DropIndex) and op.if_exists:
            dropped.add(op.name)
        if not isinstance(op, AddIndex) or not op.concurrently or op.name in dropped or not op.name:
            continue
        if context.catalog.is_new(op.table):
            continue
        if op.if_not_exists:
            message = (
                f"`CREATE INDEX CONCURRENTLY IF NOT EXISTS {op.name}` keeps an INVALID index left by a "
                "failed build, silently."
            )
        else:
            message = f'A retry of `CREATE INDEX CONCURRENTLY {op.name}` after a failed build fails with "already exists".'
        yield op.finding(
            RULE,
            message,
            blast_radius=f"The invalid index slows every write to {context.size_words(op.table)} and serves no query "
            "until someone finds and drops it.",
            suggestion=f"DROP INDEX CONCURRENTLY IF EXISTS {op.name};\n{op.sql.strip()}"
            if migration.alone_on_lines(op) and not migration.in_transaction
            else None,
        )
