"""A timestamp compared with a bare date: the day's hours after midnight are left out.

## Why is this bad?
A date compared with a `timestamp`, `timestamptz` or `datetime` column is read as midnight at the start of
that day. `WHERE placed_at <= '2023-12-31'` therefore stops at 2023-12-31 00:00:00 and leaves out
everything placed later on the 31st; `BETWEEN '2023-01-01' AND '2023-12-31'` loses the last day the same
way; and `WHERE placed_at = '2023-12-31'` matches only rows stamped exactly at midnight, usually none. The
statement succeeds and changes fewer rows than the author meant, with nothing to show which were missed.

## Use instead
Bound a range of days by the start of the next day, exclusively: `placed_at >= '2023-01-01' AND placed_at
< '2024-01-01'`. For one day, `placed_at >= '2023-12-31' AND placed_at < '2024-01-01'` (or compare the
date of the value, `placed_at::date = '2023-12-31'`, which cannot use an index on `placed_at`). In Django,
`placed_at__date__lte=…` or `placed_at__lt=<next day>`; in Rails, `where(placed_at: ...Date.new(2024, 1, 1))`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import cast

from sqlglot import exp

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.markup import code_span
from bot.model.migration import DATA_CHANGES, Migration, Operation
from bot.rules.context import Context
from bot.sql.data_changes import where_of
from bot.sql.names import identifier
from bot.sql.statements import render

RULE = Rule(
    id="date-bound-on-timestamp",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Bound the range by the next day, exclusively: `col >= '2023-01-01' AND col < '2024-01-01'`.",
    bad=(
        "CREATE TABLE invoices (id bigint PRIMARY KEY, state text, issued_at timestamptz);\n-- migration\n"
        "UPDATE invoices SET state = 'closed' WHERE issued_at <= '2023-12-31' AND id < 1000;",
    ),
    good=(
        "CREATE TABLE invoices (id bigint PRIMARY KEY, state text, issued_at timestamptz);\n-- migration\n"
        "UPDATE invoices SET state = 'closed' WHERE issued_at < '2024-01-01' AND id < 1000;",
    ),
)

_DAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DATA_CHANGES):
            continue
        condition = where_of(op)
        if condition is None:
            continue
        table = str(getattr(op, "table", ""))
        for node, column, day, kind in _day_bounds(condition):
            known = context.before(op).column(table, column)
            if known is None or not _is_timestamp(known.type):
                continue
            yield _finding(op, render(node, context.dialect), table, column, day, kind)


def _is_timestamp(sql_type: str) -> bool:
    return sql_type.strip().lower().startswith(("timestamp", "datetime", "smalldatetime"))


def _day(node: exp.Expression | None) -> datetime.date | None:
    """A date-only literal: `'2023-12-31'`, `DATE '2023-12-31'`, `'2023-12-31'::date`."""
    while isinstance(node, exp.Cast | exp.TsOrDsToDate | exp.Date | exp.StrToDate) and node.this is not None:
        node = node.this
    if not isinstance(node, exp.Literal) or not node.is_string:
        return None
    match = _DAY.match(node.name)
    if match is None:
        return None
    try:
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _day_bounds(condition: exp.Expression) -> Iterator[tuple[exp.Expression, str, datetime.date, str]]:
    """(comparison, column, day, "upper" | "equal") for each column bounded from above by a bare day."""
    for found in condition.find_all(exp.LTE, exp.EQ, exp.Between, exp.In):
        node = cast(exp.Expression, found)
        if node.find_ancestor(exp.Not) or not isinstance(node.this, exp.Column):
            continue
        column = identifier(node.this.this)
        if isinstance(node, exp.Between):
            day = _day(node.args.get("high"))
            if day is not None:
                yield node, column, day, "upper"
        elif isinstance(node, exp.In):
            days = [d for e in node.expressions if (d := _day(e)) is not None]
            if days and len(days) == len(node.expressions):
                yield node, column, days[0], "equal"
        elif (day := _day(node.expression)) is not None:
            yield node, column, day, "upper" if isinstance(node, exp.LTE) else "equal"


def _finding(op: Operation, sql: str, table: str, column: str, day: datetime.date, kind: str) -> Finding:
    after = (day + datetime.timedelta(days=1)).isoformat()
    if kind == "upper":
        message = (
            f"{code_span(sql)} compares the timestamp `{table}.{column}` with a bare date, which means {day} 00:00: "
            f"rows later on {day} are left out."
        )
        fix = f"End the range before the next day: `{column} < '{after}'`."
    else:
        message = (
            f"{code_span(sql)} compares the timestamp `{table}.{column}` with a bare date, which means {day} 00:00: "
            "only rows stamped exactly at midnight match."
        )
        fix = f"Match the whole day: `{column} >= '{day}' AND {column} < '{after}'`."
    return op.finding(
        RULE,
        message,
        blast_radius=f"Rows of `{table}` whose `{column}` falls later on {day} are not changed, and the "
        "migration still succeeds.",
        fix=f"{fix} Count both ways first: `SELECT count(*) FROM {table} WHERE {column} >= '{day}' AND "
        f"{column} < '{after}'`.",
    )
