"""A MySQL text column in `utf8` (`utf8mb3`): emoji and other 4-byte characters cannot be stored in it.

## Why is this bad?
MySQL's `utf8` is not UTF-8: it is `utf8mb3`, which stores characters of at most three bytes. Emoji, many
CJK characters and mathematical symbols take four. In strict mode (MySQL 5.7+ default) every INSERT or
UPDATE that carries one fails with `Incorrect string value`, so a user's comment or name with an emoji is
refused; without strict mode the value is cut at the first such character and the rest is lost without
an error. `utf8mb3` is deprecated in MySQL 8.0 and will be removed.

## Use instead
`utf8mb4` for the table (`CREATE TABLE … DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci`, or
`utf8mb4_unicode_ci` on MariaDB) and for its text columns. A column indexed in full may need a shorter
length under `utf8mb4` (4 bytes per character count against the index limit).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, ColumnSpec, CreateTable, Migration, Operation
from bot.rules.context import Context
from bot.sql.conversions import textual

RULE = Rule(
    id="three-byte-utf8",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Use `utf8mb4` for the table and its text columns; MySQL's `utf8` stores no 4-byte characters.",
    bad=("CREATE TABLE comments (id bigint PRIMARY KEY, body text) DEFAULT CHARSET=utf8;",),
    good=("CREATE TABLE comments (id bigint PRIMARY KEY, body text) DEFAULT CHARSET=utf8mb4;",),
    dialects=("mysql", "mariadb"),
)

_THREE_BYTES = {"utf8", "utf8mb3"}
_NAMED = re.compile(r"\b(?:character\s+set|charset)\s+'?(\w+)", re.I)
_COLLATION = re.compile(r"\bcollate\s+'?(utf8(?:mb3)?)_", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        narrow = list(_narrow_columns(op, context))
        if narrow:
            table = getattr(op, "table", "")
            names = ", ".join(f"`{c}`" for c in narrow)
            yield op.finding(
                RULE,
                f"The text column{'s' if len(narrow) > 1 else ''} {names} of `{table}` "
                f"{'are' if len(narrow) > 1 else 'is'} in MySQL's `utf8` (`utf8mb3`), which stores no "
                "character of four bytes: emoji, many CJK characters and symbols.",
                blast_radius=f"Every write of such a character to {names}: refused with `Incorrect string "
                "value` in strict mode, cut at that character without an error otherwise.",
                fix=f"Declare `{table}` (and these columns) `utf8mb4`.",
            )


def _narrow_columns(op: Operation, context: Context) -> Iterator[str]:
    if isinstance(op, CreateTable) and not op.as_select:
        for spec in op.columns:
            if _narrow(spec, op.charset):
                yield spec.name
    elif isinstance(op, AddColumn):
        table = context.before(op).tables.get(op.table)
        if _narrow(op.column, table.charset if table is not None else ""):
            yield op.column.name


def _narrow(spec: ColumnSpec, table_charset: str) -> bool:
    if not textual(spec.type):
        return False
    named = _NAMED.search(spec.type)
    collation = _COLLATION.search(spec.type)
    charset = spec.charset or (named.group(1) if named else "") or (collation.group(1) if collation else "")
    return (charset or table_charset).lower() in _THREE_BYTES
