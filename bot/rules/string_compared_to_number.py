"""A text column compared with a number in the condition of a data change (`WHERE token = 0`).

## Why is this bad?
MySQL and MariaDB compare a string with a number by converting the string to a number: `'abc'` becomes 0,
`'12abc'` becomes 12, `''` becomes 0. `DELETE FROM tokens WHERE token = 0` therefore deletes every token
that does not start with a digit, not the one token `'0'`; `UPDATE accounts SET plan = 'free' WHERE
external_id IN (1002, 1003)` also changes the accounts whose id is `'1002-old'`. The comparison cannot use
the column's index either, so the statement reads the whole table. (PostgreSQL has no such conversion: the
statement fails with `operator does not exist`, which any run of the migration shows; it is not reported.)

ORM conditions written as values (`where(token: 0)`, `filter(token=0)`) are cast to the column's type by
the ORM and are not reported; SQL written out (in a SQL file, `execute`, `RunSQL`, `op.execute`) is.

## Use instead
Compare with a string literal of the column's type: `WHERE token = '0'`, `WHERE external_id IN ('1002',
'1003')`. Check first what the condition really matches: `SELECT count(*) FROM tokens WHERE token = '0'`.
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataDelete, DataUpdate, Migration, Operation
from bot.rules.context import Context
from bot.sql.conversions import textual
from bot.sql.names import identifier

RULE = Rule(
    id="string-compared-to-number",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Compare a text column with a string literal (`token = '0'`), never with a number.",
    bad=(
        "CREATE TABLE tokens (id bigint PRIMARY KEY, token varchar(64) NOT NULL);\n-- migration\n"
        "DELETE FROM tokens WHERE token = 0;",
    ),
    good=(
        "CREATE TABLE tokens (id bigint PRIMARY KEY, token varchar(64) NOT NULL);\n-- migration\n"
        "DELETE FROM tokens WHERE token = '0';",
    ),
    dialects=("mysql", "mariadb"),
)

_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.In)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DataUpdate | DataDelete) or not op.where or context.catalog.is_new(op.table):
            continue
        if not op.spelled_out:
            continue  # an ORM's `where(token: 0)` casts the value to the column's type itself
        for column, number in _text_against_number(op, context):
            yield _finding(op, column, number, context)


def _text_against_number(op: DataUpdate | DataDelete, context: Context) -> Iterator[tuple[str, str]]:
    try:
        where = sqlglot.parse_one(f"SELECT 1 WHERE {op.where}", read="mysql")
    except (SqlglotError, ValueError):
        return
    catalog = context.before(op)
    seen: set[str] = set()
    for node in where.find_all(*_COMPARISONS):
        sides = [node.this, *node.expressions] if isinstance(node, exp.In) else [node.this, node.expression]
        columns = [s for s in sides if isinstance(s, exp.Column)]
        numbers = [s for s in sides if _is_number(s)]
        if isinstance(node, exp.In) and node.args.get("query") is not None:
            continue
        for column in columns:
            if column.table and column.table.lower() != op.table.rpartition(".")[2].lower():
                continue  # another table's column, through a join or an alias
            name = identifier(column.this)
            known = catalog.column(op.table, name)
            if known is None or not textual(known.type) or name in seen or not numbers:
                continue
            seen.add(name)
            yield name, numbers[0].sql()


def _is_number(node: exp.Expression | None) -> bool:
    if isinstance(node, exp.Neg):
        node = node.this
    return isinstance(node, exp.Literal) and not node.is_string


def _finding(op: Operation, column: str, number: str, context: Context) -> Finding:
    table = getattr(op, "table", "")
    return op.finding(
        RULE,
        f"`{table}.{column}` is text, but the condition compares it with the number `{number}`: MySQL converts "
        f"every `{column}` to a number first, so `'abc'` and `''` equal 0 and `'{number}abc'` equals {number}; "
        "the condition matches rows it does not name.",
        blast_radius=f"Rows of {context.size_words(table)} whose `{column}` only converts to {number} are changed "
        "too, and the comparison reads the whole table (no index on a converted value).",
        fix=f"Compare with a string literal: `{column} = '{number}'`; count first what it matches: `SELECT "
        f"count(*) FROM {table} WHERE {column} = '{number}'`.",
    )
