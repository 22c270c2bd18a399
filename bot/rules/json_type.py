"""A `json` column has no equality operator and re-parses its text on every read.

## Why is this bad?
PostgreSQL's `json` keeps the text as written. It has no `=` operator, so `SELECT DISTINCT`, `GROUP BY`,
`UNION` and ORMs that compare rows fail on it; it cannot be indexed with GIN; and every `->` re-parses
the document. Converting it later rewrites the table.

## Use instead
`jsonb`. Keep `json` only when the exact text (key order, duplicate keys, spacing) must be preserved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, declared_columns
from bot.rules.context import Context
from bot.sql.rewrite import retype

RULE = Rule(
    id="json-type",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.INFO,
    help="Use `jsonb` unless the exact JSON text must be kept.",
    bad=("ALTER TABLE events ADD COLUMN payload json;",),
    good=("ALTER TABLE events ADD COLUMN payload jsonb;",),
    dialects=("postgres",),
)

_JSON = re.compile(r"^json(\[\])?$")


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    for op, table, column in declared_columns(migration):
        if not _JSON.match(column.type):
            continue
        yield op.finding(
            RULE,
            f"`{table}.{column.name}` is `json`, not `jsonb`.",
            blast_radius="Queries with DISTINCT, GROUP BY or UNION over the column fail; it cannot have a GIN index.",
            suggestion=retype(op.sql, column.name, "json", "jsonb") if migration.alone_on_lines(op) else None,
        )
