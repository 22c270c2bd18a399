"""A concurrent index build on PostgreSQL 14.0 to 14.3 can silently miss rows.

## Why is this bad?
PostgreSQL 14.0 to 14.3 had a bug in `CREATE INDEX CONCURRENTLY` and `REINDEX CONCURRENTLY`: rows updated
while the index was being built (HOT updates) could be left out of it. Nothing fails: the index is marked
valid, and from then on queries that use it return too few rows, and a unique index can let duplicates in.
The fix shipped in 14.4 (June 2022); indexes built concurrently before the upgrade stay corrupt until rebuilt.

## Use instead
Upgrade the server to 14.4 or later before the migration runs. On a server that ran 14.0 to 14.3, check the
indexes built concurrently there with `pg_amcheck --heapallindexed` (or `bt_index_check(index, true)` from
the amcheck extension) and rebuild the ones it reports.

## Framework notes
Only reported when production's version is known to be 14.0 to 14.3: `database_version` in the
configuration, or the version the production probe read from the server. A version read off a development
or CI container (`image: postgres:14.2` in a workflow) is not enough: its minor version is the test
database's, not production's.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.config import Config
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddIndex, Migration, Reindex
from bot.rules.context import Context

RULE = Rule(
    id="concurrent-index-corruption",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Upgrade PostgreSQL to 14.4 or later before building indexes CONCURRENTLY.",
    bad=(
        "CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);",
        "REINDEX INDEX CONCURRENTLY orders_user_id_idx;",
    ),
    good=(
        "CREATE INDEX orders_user_id_idx ON orders (user_id);",
        "REINDEX INDEX orders_user_id_idx;",
    ),
    dialects=("postgres",),
)

EXAMPLE_CONFIG = Config(database_version="14.3")  # the examples run against this version

_BROKEN = ((14, 0), (14, 4))  # first broken version, first fixed one


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    production = context.production_version
    if not context.postgres or production is None or not _BROKEN[0] <= production < _BROKEN[1]:
        return  # a development container's 14.2 says nothing of the minor version production runs
    version = ".".join(str(part) for part in production)
    for op in migration.up:
        if isinstance(op, AddIndex) and op.concurrently and not context.catalog.is_new(op.table):
            name = f" {op.name}" if op.name else ""
            what, table = f"`CREATE INDEX CONCURRENTLY{name}`", op.table
        elif isinstance(op, Reindex) and op.concurrently:
            what, table = f"`REINDEX CONCURRENTLY {op.target}`", op.table
        else:
            continue
        on = context.size_words(table) if table else "the table"
        yield op.finding(
            RULE,
            f"{what} on PostgreSQL {version} can build an index that misses rows (a bug of 14.0 to 14.3, "
            "fixed in 14.4).",
            blast_radius=f"Queries that use the index on {on} silently return too few rows, and a unique index "
            "can let duplicates in; nothing fails, and the index stays wrong until it is rebuilt.",
        )
