"""A timestamp rewritten with one `AT TIME ZONE` into a column of the same type depends on the session's time zone.

## Why is this bad?
`AT TIME ZONE` turns a `timestamp` into a `timestamptz` and a `timestamptz` into a `timestamp`. Written back
into a column of the type it started from, the result is converted once more, silently, through the
session's `TimeZone`: `UPDATE events SET starts_at = starts_at AT TIME ZONE 'UTC'` on a `timestamp` column
changes nothing at all when the session runs in UTC (the fix it was written for never happens), and shifts
every value by the session's offset when it does not (a deploy from a laptop in Berlin moves every event
an hour or two). The same holds for `timezone('UTC', starts_at)`.

## Use instead
Say both zones, so the session plays no part: `starts_at = (starts_at AT TIME ZONE 'Europe/Berlin') AT TIME
ZONE 'UTC'` reads the stored local time as Berlin time and writes it as UTC. Or change the column's type
with an explicit `USING starts_at AT TIME ZONE 'UTC'`, which turns it into the other type once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataUpdate, Migration
from bot.rules.context import Context
from bot.sql.names import identifier
from bot.sql.pg_casts import pg_type
from bot.sql.writes import writes

RULE = Rule(
    id="time-zone-shift",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Name both zones (`(col AT TIME ZONE 'local') AT TIME ZONE 'UTC'`), so the session's time zone plays "
    "no part.",
    bad=(
        "CREATE TABLE events (id bigint PRIMARY KEY, starts_at timestamp);\n-- migration\n"
        "UPDATE events SET starts_at = starts_at AT TIME ZONE 'UTC' WHERE id < 1000;",
    ),
    good=(
        "CREATE TABLE events (id bigint PRIMARY KEY, starts_at timestamp);\n-- migration\n"
        "UPDATE events SET starts_at = (starts_at AT TIME ZONE 'Europe/Berlin') AT TIME ZONE 'UTC' "
        "WHERE id < 1000;",
    ),
    dialects=("postgres",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    for op in migration.up:
        if not isinstance(op, DataUpdate):
            continue
        catalog = context.before(op)
        for write in writes(op):
            source, zone = _converted(write.value)
            if source is None or write.table_of(source) != write.table:
                continue
            target = catalog.column(write.table, write.target)
            origin = catalog.column(write.table, identifier(source.this))
            if target is None or origin is None or _kind(target.type) is None:
                continue
            if _kind(target.type) != _kind(origin.type):
                continue  # one conversion into the other type: the session plays no part
            kind = _kind(target.type)
            yield op.finding(
                RULE,
                f"`{write.table}.{write.target}` ({target.type}) is set to `{origin.name} AT TIME ZONE {zone}`, "
                f"a {'timestamptz' if kind == 'plain' else 'timestamp'} that PostgreSQL converts back to "
                f"{target.type} through the session's time zone.",
                blast_radius=f"Every row the UPDATE writes in {context.size_words(write.table)}: with the session "
                "in UTC the values do not change at all (the intended fix never happens); in any other zone they "
                "all move by that zone's offset.",
            )


def _converted(value: exp.Expression) -> tuple[exp.Column | None, str]:
    """The column a single `AT TIME ZONE` (or `timezone(zone, col)`) converts, and the zone as written."""
    node = value.unnest() if isinstance(value, exp.Paren) else value
    if isinstance(node, exp.AtTimeZone):
        inner = node.this.unnest() if isinstance(node.this, exp.Paren) else node.this
        zone = node.args.get("zone")
        return (
            (inner, zone.sql("postgres") if zone is not None else "")
            if isinstance(inner, exp.Column)
            else (None, "")
        )
    if (
        isinstance(node, exp.Anonymous)
        and str(node.this).lower() == "timezone"
        and len(node.expressions) == 2
    ):
        zone, column = node.expressions
        return (column, zone.sql("postgres")) if isinstance(column, exp.Column) else (None, "")
    return None, ""


def _kind(column_type: str) -> str | None:
    """zoned (timestamptz), plain (timestamp without time zone), or None for other types; a precision
    (`timestamp(3) with time zone`) set aside."""
    name = pg_type(re.sub(r"\(\s*\d+\s*\)", "", column_type))
    return {"timestamptz": "zoned", "timestamp": "plain"}.get(name)
