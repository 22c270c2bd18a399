"""A data change divides two integers and stores the result in a column that holds fractions.

## Why is this bad?
PostgreSQL and SQLite divide integers as integers: `1 / 3` is `0`, `1999 / 100` is `19`. `UPDATE orders SET
ratio = done / total` stores 0 in every row where `done` is less than `total`, and
`SET amount = amount_cents / 100` drops every cent. Nothing fails: the values are just wrong, in every row,
and the column's own type (`numeric`) makes the statement look right. A divisor that can be 0 also stops the
whole statement at the first such row.

## Use instead
Make one operand a fraction before dividing: `done::numeric / total`, `amount_cents / 100.0`
(`CAST(done AS numeric)`), and guard a divisor that can be zero with `NULLIF(total, 0)`.

## Framework notes
Django sends `F("qty") / 3` as `qty / 3`, and a `Decimal` divisor does not change that: on PostgreSQL 15 with
Django 5.2 and psycopg 3, `update(total=ExpressionWrapper(F("qty") / Decimal(3), output_field=DecimalField()))`
stores 2.00 for a `qty` of 7 (`output_field` only says what Python gets back). Cast the column first:
`Cast(F("qty"), DecimalField(max_digits=10, decimal_places=2)) / 3` stores 2.33.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataInsert, DataUpdate, Migration
from bot.rules.context import Context
from bot.sql.arithmetic import TRUNCATING, holds_fractions, integer_divisions
from bot.sql.writes import assigned

RULE = Rule(
    id="integer-division",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Cast one operand to numeric before dividing (`done::numeric / total`), so the fraction is kept.",
    framework_help=(
        ("django", 'Cast the column before dividing: `Cast(F("done"), DecimalField(…)) / F("total")`.'),
    ),
    bad=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, done integer, total integer, ratio numeric(5, 4));\n"
        "-- migration\nUPDATE orders SET ratio = done / total WHERE id BETWEEN 1 AND 1000;",
        "CREATE TABLE prices (id bigint PRIMARY KEY, cents bigint, amount numeric(12, 2));\n"
        "-- migration\nUPDATE prices SET amount = cents / 100 WHERE id BETWEEN 1 AND 1000;",
    ),
    good=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, done integer, total integer, ratio numeric(5, 4));\n"
        "-- migration\nUPDATE orders SET ratio = done::numeric / NULLIF(total, 0) WHERE id BETWEEN 1 AND 1000;",
        "CREATE TABLE prices (id bigint PRIMARY KEY, cents bigint, amount numeric(12, 2));\n"
        "-- migration\nUPDATE prices SET amount = cents / 100.0 WHERE id BETWEEN 1 AND 1000;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if context.dialect not in TRUNCATING:
        return  # MySQL's and MariaDB's `/` keeps the fraction
    for op in migration.up:
        if not isinstance(op, DataUpdate | DataInsert):
            continue
        catalog = context.before(op)
        orm = migration.framework == "django" and "F(" in op.sql  # written with F(), not in SQL
        for write in assigned(op, context.dialect):
            target = catalog.column(write.table, write.target)
            if target is None or not holds_fractions(target.type):
                continue
            for division in integer_divisions(write, catalog):
                text = division.sql(dialect=context.dialect)
                left = division.this.sql(dialect=context.dialect)
                right = division.expression.sql(dialect=context.dialect)
                yield op.finding(
                    RULE,
                    f"`{write.table}.{write.target}` ({target.type}) gets `{text}`, a division of two integers: "
                    f"the fraction is cut off before it is stored (7 / 2 is 3, 1 / 3 is 0).",
                    blast_radius=(
                        f"Every row the change writes holds a truncated `{write.target}`; nothing fails, and the "
                        "lost fractions cannot be recovered from the stored values."
                    ),
                    fix=(
                        (
                            f'Divide as numeric: `Cast(F("{left}"), DecimalField(…)) / …` (a `Decimal` divisor or '
                            "`ExpressionWrapper(output_field=DecimalField())` still divides the integers)"
                            if orm and isinstance(division.this, exp.Column)
                            else f"Divide as numeric: `CAST({left} AS numeric) / {right}`"
                        )
                        + (
                            ""
                            if isinstance(division.expression, exp.Literal)
                            else f', with `NullIf(F("{right}"), 0)` if the divisor can be 0'
                            if orm
                            else f", with `NULLIF({right}, 0)` if the divisor can be 0"
                        )
                        + "."
                    ),
                )
