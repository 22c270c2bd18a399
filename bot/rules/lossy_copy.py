"""A data change copies a column into one whose type cannot hold every value it holds.

## Why is this bad?
`UPDATE orders SET total_cents = total` assigns a `numeric(12,2)` to an `integer`: every amount is rounded
to a whole number (19.99 becomes 20) and nothing fails. `SET short_note = note` from `text` into
`varchar(20)` fails on PostgreSQL at the first longer note and truncates it on MySQL outside strict mode;
`timestamptz` into `date` drops the time, `bigint` into `integer` overflows. The copy looks like a plain
move of data, so these conversions go unnoticed in review, and the source column is often dropped later,
taking the only intact copy with it.

A cast of the column as it is (`SET total_whole = CAST(total AS integer)`, Django's `Cast(F("total"),
IntegerField())`) loses the same values; and an explicit cast to a shorter string type cuts long values
silently where the plain copy would have failed.

Arithmetic does the same: `SET qty = qty * 1.1` (or `price * 0.9` of a numeric price, Django's `F("qty") *
1.1`) into an `integer` column computes 7.7 and stores 8, in every row, without a word; undone with `/ 1.1`
it does not come back to 7.

## Use instead
Copy into a column of the same type (or a wider one), or write the conversion on purpose and check the
rows it changes first: `SET total_cents = round(total * 100)`, `SET short_note = left(note, 20)` after
counting `WHERE length(note) > 20`, `SET qty = round(qty * 1.1)` or a `numeric` column.

## Framework notes
SQLite is left out: a column's declared type gives it an affinity, not a limit, so a longer text, or a text
copied into a `uuid` or `varchar(20)` column, is stored as it is (STRICT tables aside). What SQLite does lose
is the fraction an explicit `CAST(… AS INTEGER)` cuts off: it truncates toward zero where PostgreSQL and MySQL
round, so `CAST(price * 100 AS INTEGER)` of a REAL 19.99 stores 1998. Round first:
`CAST(round(price * 100) AS INTEGER)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from bot.model.catalog import Catalog
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataInsert, DataUpdate, Migration
from bot.rules.context import Context
from bot.sql.arithmetic import fractional, holds_fractions, holds_integers
from bot.sql.conversions import classify
from bot.sql.names import identifier
from bot.sql.writes import Write, assigned

RULE = Rule(
    id="lossy-copy",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Copy into a column of the same or a wider type, or convert on purpose after counting the rows that change.",
    bad=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(12, 2), total_whole integer);\n"
        "-- migration\nUPDATE orders SET total_whole = total WHERE id BETWEEN 1 AND 1000;",
        "CREATE TABLE notes (id bigint PRIMARY KEY, body text, summary varchar(20));\n"
        "-- migration\nUPDATE notes SET summary = body WHERE id BETWEEN 1 AND 1000;",
        "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(12, 2), total_whole integer);\n"
        "-- migration\nUPDATE orders SET total_whole = CAST(total AS integer) WHERE id BETWEEN 1 AND 1000;",
        "CREATE TABLE stock (id bigint PRIMARY KEY, qty integer);\n"
        "-- migration\nUPDATE stock SET qty = qty * 1.1 WHERE id BETWEEN 1 AND 1000;",
    ),
    good=(
        "CREATE TABLE stock (id bigint PRIMARY KEY, qty integer);\n"
        "-- migration\nUPDATE stock SET qty = round(qty * 1.1) WHERE id BETWEEN 1 AND 1000;",
        "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(12, 2), total_copy numeric(14, 2));\n"
        "-- migration\nUPDATE orders SET total_copy = total WHERE id BETWEEN 1 AND 1000;",
        "CREATE TABLE notes (id bigint PRIMARY KEY, body text, summary varchar(20));\n"
        "-- migration\nUPDATE notes SET summary = left(body, 20) WHERE id BETWEEN 1 AND 1000;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if context.dialect == "sqlite":
        # a SQLite column's type is an affinity, not a limit: `varchar(20)` keeps a long text whole
        yield from _truncating_casts(migration, context)
        return
    for op in migration.up:
        if not isinstance(op, DataUpdate | DataInsert):
            continue
        catalog = context.before(op)
        for write in assigned(op, context.dialect):
            value, cast = write.value, ""
            if isinstance(value, exp.Cast | exp.TryCast) and isinstance(value.this, exp.Column):
                # `CAST(total AS integer)`: the cast converts the column as it is, and loses what it loses
                value, cast = (
                    value.this,
                    value.args["to"].sql(dialect=_SQLGLOT.get(context.dialect, context.dialect)),
                )
            if isinstance(value, exp.Add | exp.Sub | exp.Mul | exp.Div) and not cast:
                rounded = _rounded(op, write, catalog, context.dialect)
                if rounded is not None:
                    yield rounded
                continue
            if not isinstance(value, exp.Column):
                continue  # a function (`round(…)`, `left(…, n)`) is a conversion the author wrote on purpose
            source_table = write.table_of(value)
            source_name = identifier(value.this)
            source = catalog.column(source_table, source_name)
            target = catalog.column(write.table, write.target)
            if source is None or target is None or not source.type or not target.type:
                continue
            # with the character set a MySQL column has (its own or its table's), when the schema says
            source_type = catalog.typed(source_table, source_name)
            target_type = catalog.typed(write.table, write.target)
            if cast:
                written = f"CAST({source_name} AS {cast})"
                loss = classify(source.type, cast, source_name, context.dialect, using=written)
            else:
                loss = classify(source_type, target_type, source_name, context.dialect)
            if loss is None or _bounded(op, source_name):
                continue
            query = f"SELECT count(*) FROM {source_table} WHERE {loss.check};"
            how = f" through `{written}`" if cast else ""
            yield op.finding(
                RULE,
                f"`{write.table}.{write.target}` ({target_type}) is filled from `{source_table}.{source_name}` "
                f"({source_type}){how}: {loss.what}.",
                severity=loss.severity,
                blast_radius=(
                    f"The rows of `{source_table}` found by `{query}` are converted on the way; what the conversion "
                    f"drops is gone from `{write.target}`, and from the data once `{source_name}` is dropped."
                ),
                fix=(
                    f"Run `{query}` first; copy into a column of type `{source.type}` (or wider), or write the "
                    "conversion on purpose (`round(…)`, `left(…, n)`, `… AT TIME ZONE …`)."
                ),
            )


_SQLGLOT = {"postgres": "postgres", "mariadb": "mysql"}


def _truncating_casts(migration: Migration, context: Context) -> Iterator[Finding]:
    """SQLite: `CAST(price * 100 AS INTEGER)` of a column holding fractions cuts the fraction off (toward
    zero), where PostgreSQL and MySQL round; and a REAL times 100 is rarely whole (19.99 * 100 is
    1998.9999999999998): the cents come out one short."""
    for op in migration.up:
        if not isinstance(op, DataUpdate | DataInsert):
            continue
        catalog = context.before(op)
        for write in assigned(op, context.dialect):
            for cast in write.value.find_all(exp.Cast):
                inner, to = cast.this, cast.args.get("to")
                while isinstance(inner, exp.Paren):
                    inner = inner.this
                if to is None or not holds_integers(to.sql(dialect="sqlite")) or isinstance(inner, exp.Func):
                    continue  # a function inside (`round(…)`) is the conversion written on purpose
                columns = [
                    c
                    for c in inner.find_all(exp.Column)
                    if (known := catalog.column(write.table_of(c), identifier(c.this))) is not None
                    and holds_fractions(known.type)
                ]
                if columns:
                    yield _truncated(op, write, cast, identifier(columns[0].this))


def _truncated(op: DataUpdate | DataInsert, write: Write, cast: exp.Expression, column: str) -> Finding:
    text = cast.sql(dialect="sqlite")
    rounded = f"CAST(round({cast.this.sql(dialect='sqlite')}) AS INTEGER)"
    return op.finding(
        RULE,
        f"`{write.table}.{write.target}` gets `{text}`: SQLite's CAST to INTEGER cuts the fraction off instead of "
        f"rounding, and `{column}` holds fractions (a REAL 19.99 times 100 is 1998.9999999999998, stored as 1998).",
        blast_radius=f"Every row of `{write.table}` whose value is not exactly whole is stored one short (2.7 "
        "becomes 2, not 3); nothing fails.",
        fix=f"Round before the cast: `{rounded}`.",
    )


def _rounded(op: DataUpdate | DataInsert, write: Write, catalog: Catalog, dialect: str) -> Finding | None:
    """`SET qty = qty * 1.1` into an integer column: the computed fraction is rounded away when stored."""
    target = catalog.column(write.table, write.target)
    if dialect == "sqlite" or target is None or not target.type or not holds_integers(target.type):
        return None  # SQLite keeps a REAL it cannot store as an integer exactly
    if not fractional(write.value, write, catalog, dialect):
        return None
    text = write.value.sql(dialect=_SQLGLOT.get(dialect, dialect))
    return op.finding(
        RULE,
        f"`{write.table}.{write.target}` ({target.type}) gets `{text}`, which has a fraction: it is rounded to "
        f"a whole number when stored, silently (7 * 1.1 is 7.7, stored as 8).",
        blast_radius=(
            f"Every row the change writes holds a rounded `{write.target}`; repeated or reversed (`/ 1.1` on the "
            "way back) it drifts, and the exact values cannot be recovered from the stored ones."
        ),
        fix=(
            f"Round on purpose (`round({text})`, `floor(…)`, `ceil(…)`) after checking what the rounding does to "
            f"the rows, or store into a `numeric` column."
        ),
    )


def _bounded(op: DataUpdate | DataInsert, column: str) -> bool:
    """The condition already keeps the rows short enough (`WHERE length(name) <= 50`)."""
    where = op.where if isinstance(op, DataUpdate) else ""
    pattern = rf"\b(?:char_)?length\s*\(\s*[\w.]*?\b{re.escape(column)}\s*\)\s*(?:<|<=|BETWEEN)"
    return bool(where and re.search(pattern, where, re.I))
