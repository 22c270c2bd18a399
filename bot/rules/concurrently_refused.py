"""CONCURRENTLY where PostgreSQL refuses it: the migration fails.

## Why is this bad?
`CONCURRENTLY` is not accepted everywhere. `CREATE INDEX CONCURRENTLY` on a partitioned table fails with
"cannot create index on partitioned table concurrently": the parent holds no rows, and PostgreSQL builds
its index only by building one on every partition under a lock. `REFRESH MATERIALIZED VIEW CONCURRENTLY`
fails with "cannot refresh materialized view concurrently" unless the view has a unique index on plain
columns, without a WHERE clause, which it uses to match old rows to new ones. Either way the deploy stops
on an error, after whatever ran before it in a migration without a transaction.

## Use instead
For a partitioned table: `CREATE INDEX … ON ONLY parent` (an invalid index on the parent alone), then
`CREATE INDEX CONCURRENTLY` on each partition, and `ALTER INDEX parent_idx ATTACH PARTITION partition_idx`
for each; the parent's index becomes valid once every partition's is attached. For a materialized view:
create a unique index on it first (`CREATE UNIQUE INDEX ON view (key)`), in this or an earlier migration.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.catalog import Catalog
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddIndex, Migration, RawSQL
from bot.rules.context import Context

RULE = Rule(
    id="concurrently-refused",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Index a partitioned table partition by partition and attach; give a materialized view a unique index "
    "before refreshing it concurrently.",
    bad=(
        "CREATE TABLE readings (id bigint, taken_at timestamptz, value numeric) PARTITION BY RANGE (taken_at);\n"
        "-- migration\nCREATE INDEX CONCURRENTLY readings_value_idx ON readings (value);",
    ),
    good=(
        "CREATE TABLE readings (id bigint, taken_at timestamptz, value numeric) PARTITION BY RANGE (taken_at);\n"
        "-- migration\nCREATE INDEX readings_value_idx ON ONLY readings (value);",
    ),
    dialects=("postgres",),
)

_CONCURRENT_REFRESH = re.compile(r"^\s*REFRESH\s+MATERIALIZED\s+VIEW\s+CONCURRENTLY\b", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    for op in migration.up:
        if isinstance(op, AddIndex) and op.concurrently:
            table = context.before(op).tables.get(op.table)
            if table is not None and table.partitioned:
                yield op.finding(
                    RULE,
                    f"`CREATE INDEX CONCURRENTLY` on `{op.table}` fails: it is a partitioned table, and PostgreSQL "
                    "does not build a partitioned table's index concurrently.",
                    blast_radius="The migration stops on an error at this statement; the statements before it "
                    "stay applied when it runs outside a transaction.",
                    fix=f"Create it `ON ONLY {op.table}`, build the same index `CONCURRENTLY` on each partition, "
                    "then `ALTER INDEX … ATTACH PARTITION …` each one.",
                )
        elif isinstance(op, RawSQL) and op.category == "refresh-view" and _CONCURRENT_REFRESH.match(op.sql):
            catalog = context.before(op)
            if catalog.materialized_view(op.table) is not None and not _unique_index(catalog, op.table):
                yield op.finding(
                    RULE,
                    f"`REFRESH MATERIALIZED VIEW CONCURRENTLY {op.table}` fails: the view has no unique index on "
                    "plain columns without a WHERE clause, which a concurrent refresh needs.",
                    blast_radius="The migration stops on an error at this statement, and the view keeps its old "
                    "rows.",
                    fix=f"Create a unique index on `{op.table}` first (`CREATE UNIQUE INDEX ON {op.table} (…)` on "
                    "the columns that identify a row), in this migration or an earlier one.",
                )


def _unique_index(catalog: Catalog, view: str) -> bool:
    """A unique index on plain columns without a WHERE clause, which the catalog lists as a unique key."""
    return any(key and all(key) for key in catalog.unique_keys(view))
