"""REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks every read of the view until it is done.

## Why is this bad?
A plain `REFRESH MATERIALIZED VIEW` takes an ACCESS EXCLUSIVE lock on the view and runs the view's whole
query: dashboards, reports and API endpoints that read the view wait for as long as that query takes, and
the refresh itself queues behind every running read. `WITH NO DATA` is worse: it empties the view, and every
read fails with "materialized view … has not been populated" until the next refresh.

## Use instead
`REFRESH MATERIALIZED VIEW CONCURRENTLY`, which lets reads go on while it builds the new contents (it needs a
unique index on the view, without a WHERE clause), or refresh the view outside the migration, from the job
that refreshes it anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, Operation, RawSQL
from bot.rules.context import Context

RULE = Rule(
    id="non-concurrent-refresh",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.WARNING,
    help="Use `REFRESH MATERIALIZED VIEW CONCURRENTLY` (with a unique index on the view), or refresh it outside "
    "the migration.",
    bad=(
        "CREATE TABLE events (id bigint PRIMARY KEY, user_id bigint);\n"
        "CREATE MATERIALIZED VIEW user_totals AS SELECT user_id, count(*) AS n FROM events GROUP BY user_id;\n"
        "-- migration\nREFRESH MATERIALIZED VIEW user_totals;",
    ),
    good=(
        "CREATE TABLE events (id bigint PRIMARY KEY, user_id bigint);\n"
        "CREATE MATERIALIZED VIEW user_totals AS SELECT user_id, count(*) AS n FROM events GROUP BY user_id;\n"
        "CREATE UNIQUE INDEX user_totals_user_id ON user_totals (user_id);\n"
        "-- migration\nREFRESH MATERIALIZED VIEW CONCURRENTLY user_totals;",
    ),
    dialects=("postgres",),
)
_CONCURRENTLY = re.compile(r"^\s*REFRESH\s+MATERIALIZED\s+VIEW\s+CONCURRENTLY\b", re.I)
_NO_DATA = re.compile(r"\bWITH\s+NO\s+DATA\s*;?\s*$", re.I)
_HEAD = re.compile(r"^(\s*REFRESH\s+MATERIALIZED\s+VIEW)\s+", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    for index, op in enumerate(migration.up):
        if not isinstance(op, RawSQL) or op.category != "refresh-view" or _CONCURRENTLY.match(op.sql):
            continue
        if _created_before(op.table, migration.up[:index]):
            continue  # a view the migration itself creates: nothing reads it yet
        if _NO_DATA.search(op.sql.strip()):
            yield op.finding(
                RULE,
                f"`REFRESH MATERIALIZED VIEW {op.table} WITH NO DATA` empties the view.",
                severity=Severity.CRITICAL,
                blast_radius=f'Every read of `{op.table}` fails ("materialized view has not been populated") '
                "until something refreshes it again.",
                fix=f"Leave the view populated: refresh it with data (`REFRESH MATERIALIZED VIEW CONCURRENTLY "
                f"{op.table}`), or drop it if nothing reads it any more.",
            )
            continue
        yield op.finding(
            RULE,
            f"`REFRESH MATERIALIZED VIEW {op.table}` takes an ACCESS EXCLUSIVE lock on the view for the whole "
            "refresh.",
            blast_radius=f"Every read of `{op.table}` waits for the view's query to run in full, and the refresh "
            "itself waits behind every running read.",
            suggestion=_HEAD.sub(r"\1 CONCURRENTLY ", op.sql.strip(), count=1),
        )


def _created_before(view: str, earlier: Sequence[Operation]) -> bool:
    return any(isinstance(op, RawSQL) and op.category == "view" and op.table == view for op in earlier)
