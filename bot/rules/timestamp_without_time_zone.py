"""`timestamp` without time zone stores wall-clock time and loses which zone it was in.

## Why is this bad?
A `timestamp` column keeps `2024-03-31 02:30` and nothing else: whether that was UTC, the server's
zone or the user's is in nobody's hands but the code that wrote it. Servers and drivers in different
zones then read different instants, and daylight-saving changes produce times that never happened or
happened twice.

## Use instead
`timestamptz` (`timestamp with time zone`): it stores an instant and converts on the way in and out.
Converting an existing column later rewrites the table, so choose it when the column is created.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, declared_columns
from bot.rules.context import Context
from bot.sql.rewrite import retype

RULE = Rule(
    id="timestamp-without-time-zone",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.INFO,
    help="Use `timestamptz` so the column stores an instant, not a wall-clock reading.",
    bad=("ALTER TABLE orders ADD COLUMN shipped_at timestamp;",),
    good=("ALTER TABLE orders ADD COLUMN shipped_at timestamptz;",),
    dialects=("postgres",),
)

_TIMESTAMP = re.compile(r"^timestamp(\(\d+\))?(\[\])?$")
_WRITTEN = r"timestamp(?:\s*\(\s*\d+\s*\))?(?:\s+without\s+time\s+zone)?"


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    for op, table, column in declared_columns(migration):
        if not _TIMESTAMP.match(column.type):
            continue
        suggestion = (
            retype(op.sql, column.name, _WRITTEN, "timestamptz") if migration.alone_on_lines(op) else None
        )
        yield op.finding(
            RULE,
            f"`{table}.{column.name}` is a `timestamp` without time zone.",
            blast_radius="Readers in another time zone, or across a daylight-saving change, read a different instant "
            "than the writer meant.",
            suggestion=suggestion,
        )
