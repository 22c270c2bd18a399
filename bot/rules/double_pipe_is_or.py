"""`||` on MySQL and MariaDB is a logical OR, not string concatenation: the value written is 0 or 1.

## Why is this bad?
In PostgreSQL, SQLite and standard SQL, `first_name || ' ' || last_name` joins the strings. MySQL and MariaDB
read `||` as `OR` (unless the session's `sql_mode` has `PIPES_AS_CONCAT` or `ANSI`): each side is turned into a
number, so `'Ann' || ' ' || 'Lee'` is `0`, and `code || '-old'` is `0` or `1`. In strict mode a write fails on
the first value that is no number ("Truncated incorrect DECIMAL value"), mid-deploy; outside strict mode
nothing fails: `UPDATE users SET full_name = first_name || ' ' || last_name` overwrites every name with `'0'`.
The statement was usually written for PostgreSQL, or copied from a migration of another database.

## Use instead
`CONCAT(first_name, ' ', last_name)` (or `CONCAT_WS(' ', first_name, last_name)`, which skips NULLs), which
joins strings on every database the migration may run on; or set `sql_mode` to include `PIPES_AS_CONCAT` in the
same session first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot.dialects.mysql import MySQL
from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType  # type: ignore[attr-defined]

from bot.model.catalog import Catalog
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, Operation, RawSQL
from bot.rules.context import Context
from bot.sql.conversions import textual

RULE = Rule(
    id="double-pipe-is-or",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Join strings with CONCAT() on MySQL and MariaDB: `||` is a logical OR there.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY, first_name text, last_name text, full_name text);\n"
        "-- migration\n"
        "UPDATE users SET full_name = first_name || ' ' || last_name WHERE id BETWEEN 1 AND 1000;",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY, first_name text, last_name text, full_name text);\n"
        "-- migration\n"
        "UPDATE users SET full_name = CONCAT(first_name, ' ', last_name) WHERE id BETWEEN 1 AND 1000;",
    ),
    dialects=("mysql", "mariadb"),
)

_CONCAT_MODE = re.compile(r"\bsql_mode\b.*\b(?:PIPES_AS_CONCAT|ANSI)\b", re.I | re.S)
_TOKENIZER = MySQL().tokenizer_class()


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.mysql:
        return
    for op in migration.up:
        if isinstance(op, RawSQL) and _CONCAT_MODE.search(op.sql):
            return  # the session reads `||` as concatenation from here on
        if not op.spelled_out or "||" not in op.sql:
            continue
        joined = _joined(op, context.before(op))
        if joined:
            yield op.finding(
                RULE,
                f"`{joined}` is a logical OR on {'MariaDB' if context.dialect == 'mariadb' else 'MySQL'}, "
                "not a concatenation: each side is read as a number and the result is 0 or 1.",
                blast_radius="In strict mode the statement fails on the first value that is no number "
                "(Truncated incorrect DECIMAL value); outside it, every row it writes gets `0` or `1` instead of "
                "the joined text, silently, and the values it replaces are lost.",
                fix="Use `CONCAT(…)` (or `CONCAT_WS(' ', …)`, which skips NULLs) instead of `||`.",
            )


def _joined(op: Operation, catalog: Catalog) -> str:
    """The `a || b` of the statement that joins text (a string on either side, or a text column), as written;
    "" when every `||` stands between conditions (`a = 1 || b = 2`, a real OR)."""
    try:
        tokens = _TOKENIZER.tokenize(op.sql)
    except TokenError:
        return ""
    table = getattr(op, "table", "")
    for index, token in enumerate(tokens):
        if token.token_type != TokenType.DPIPE or index == 0 or index + 1 >= len(tokens):
            continue
        left, right = tokens[index - 1], tokens[index + 1]
        if _text(left, catalog, table) or _text(right, catalog, table):
            return f"{left.text} || {_shown(right)}"
    return ""


def _text(token: Token, catalog: Catalog, table: str) -> bool:
    if token.token_type == TokenType.STRING:
        return True
    if token.token_type not in (TokenType.VAR, TokenType.IDENTIFIER) or not table:
        return False
    column = catalog.column(table, token.text.strip("`").lower())
    return column is not None and textual(column.type)


def _shown(token: Token) -> str:
    return f"'{token.text}'" if token.token_type == TokenType.STRING else token.text
