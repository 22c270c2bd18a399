"""`char(n)` pads every value with spaces to its full length, which is almost never what is meant.

## Why is this bad?
PostgreSQL's `character(n)` stores `'ab'` as `'ab   '`, ignores trailing spaces in comparisons but not in
`LIKE`, regular expressions or the application's own comparisons, and is not faster than `text` or
`varchar`. Changing its length later rewrites the table.

## Use instead
`text` (with a `CHECK (length(col) <= n)` if the length matters) or `varchar(n)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, declared_columns
from bot.rules.context import Context
from bot.sql.rewrite import retype

RULE = Rule(
    id="char-type",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.INFO,
    help="Use `text` (with a length CHECK if needed) or `varchar(n)` instead of `char(n)`.",
    bad=("CREATE TABLE countries (code char(2) PRIMARY KEY, name text);",),
    good=("CREATE TABLE countries (code text PRIMARY KEY CHECK (length(code) = 2), name text);",),
    dialects=("postgres",),
)

_CHAR = re.compile(r"^(char|character|bpchar)(\s*\(\s*\d+\s*\))?(\[\])?$")
_WRITTEN = r"(?:character|char|bpchar)(?:\s*\(\s*\d+\s*\))?"


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    for op, table, column in declared_columns(migration):
        if not _CHAR.match(column.type):
            continue
        yield op.finding(
            RULE,
            f"`{table}.{column.name}` is declared `{column.type}`, which pads values with spaces.",
            blast_radius="Values compare differently in SQL and in the application; widening it later rewrites the table.",
            suggestion=retype(op.sql, column.name, _WRITTEN, _replacement(column.type))
            if migration.alone_on_lines(op)
            else None,
        )


def _replacement(declared: str) -> str:
    """`char(2)` becomes `varchar(2)` (the length limit stays, the padding goes); bare `char` becomes `text`."""
    match = _CHAR.match(declared)
    length = match.group(2) if match else None
    return f"varchar{length.replace(' ', '')}" if length else "text"
