"""`timestamp` without time zone stores wall-clock time and loses which zone it was in.

## Why is this bad?
A `timestamp` column keeps `2024-03-31 02:30` and nothing else: whether that was UTC, the server's
zone or the user's is in nobody's hands but the code that wrote it. Servers and drivers in different
zones then read different instants, and daylight-saving changes produce times that never happened or
happened twice.

## Use instead
`timestamptz` (`timestamp with time zone`): it stores an instant and converts on the way in and out.
Converting an existing column later rewrites the table, so choose it when the column is created.

## Framework notes
Where the existing tables already keep their times as `timestamp` and none as `timestamptz` (Prisma's
`DateTime`, Ecto's `:utc_datetime`, Rails' `datetime` by default), a new column that follows them is the
project's convention and no finding: switching is a decision for the whole schema (Prisma
`@db.Timestamptz`, Ecto `migration_timestamps: [type: :timestamptz]`, Rails `datetime_type = :timestamptz`),
and mixing the two makes comparisons between them depend on the session's time zone. The columns one
statement declares are one finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import ColumnSpec, Migration, Operation, declared_columns
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
    if not context.postgres or _convention(context):
        return
    statements: dict[tuple[object, ...], list[tuple[Operation, str, ColumnSpec]]] = {}
    for op, table, column in declared_columns(migration):
        if _TIMESTAMP.match(column.type):
            # the subcommands of one ALTER TABLE share its lines: one statement
            statements.setdefault((op.location, op.end_line, table), []).append((op, table, column))
    for columns in statements.values():
        op = columns[0][0]
        names = [f"`{table}.{column.name}`" for _, table, column in columns]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
        suggestion = None
        if migration.alone_on_lines(op) and len({o.sql for o, _, _ in columns}) == 1:
            suggestion = op.sql
            for _, _, column in columns:
                suggestion = retype(suggestion, column.name, _WRITTEN, "timestamptz") if suggestion else None
        yield op.finding(
            RULE,
            f"{listed} {'is a' if len(names) == 1 else 'are'} `timestamp` without time zone.",
            blast_radius="Readers in another time zone, or across a daylight-saving change, read a different instant "
            "than the writer meant.",
            suggestion=suggestion,
        )


def _convention(context: Context) -> bool:
    """The existing tables keep their times as `timestamp` and none as `timestamptz`: a new column that
    follows them is the project's convention, which one migration does not change alone (mixing the two
    makes every comparison between them depend on the session's time zone)."""
    existing = [
        column.type
        for name, table in context.catalog.tables.items()
        if name in context.catalog.before_change
        for column in table.columns.values()
    ]
    plain = sum(1 for t in existing if _TIMESTAMP.match(t))
    zoned = sum(1 for t in existing if t.startswith(("timestamptz", "timestamp with time zone")))
    return plain >= _CONVENTION and zoned == 0


_CONVENTION = 3  # timestamp columns the schema needs before they are its convention
