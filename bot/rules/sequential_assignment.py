"""On MySQL, a SET that reads a column an earlier SET of the same UPDATE wrote reads the new value.

## Why is this bad?
PostgreSQL (and the SQL standard) compute every assignment of an UPDATE from the row as it was, so
`SET first_name = last_name, last_name = first_name` swaps the two. MySQL and MariaDB assign a single-table
UPDATE's columns from left to right, each reading the row as the assignments before it left it: the statement
sets `first_name` to the last name, then `last_name` to that same value, and every first name is gone. The
same goes for `SET total = total * 100, tax = total * 0.2`, which computes the tax from the new total. Nothing
fails, and the statement works as meant on a PostgreSQL test database.

## Use instead
Read the old value from somewhere the statement does not change: swap through a column the change adds
(`SET tmp = first_name`, then `SET first_name = last_name, last_name = tmp`), or order the assignments so each
reads only columns no earlier one writes (`SET tax = total * 0.2, total = total * 100`).

## Framework notes
MariaDB's `SIMULTANEOUS_ASSIGNMENT` SQL mode (10.3.5 and later) gives the standard behaviour; it is off by
default.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataUpdate, Migration
from bot.rules.context import Context
from bot.sql.names import identifier
from bot.sql.statements import render
from bot.sql.writes import writes

RULE = Rule(
    id="sequential-assignment",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    dialects=("mysql", "mariadb"),
    help="Read old values only from columns no earlier assignment of the UPDATE writes (swap through a new column).",
    bad=(
        "CREATE TABLE people (id bigint PRIMARY KEY, first_name varchar(50), last_name varchar(50));\n"
        "-- migration\n"
        "UPDATE people SET first_name = last_name, last_name = first_name WHERE id >= 1 AND id < 1000;",
    ),
    good=(
        "CREATE TABLE people (id bigint PRIMARY KEY, first_name varchar(50), last_name varchar(50));\n"
        "-- migration\n"
        "UPDATE people SET last_name = upper(last_name), first_name = upper(first_name) WHERE id >= 1 AND id < 1000;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DataUpdate) or not isinstance(op.expression, exp.Update):
            continue
        if op.expression.args.get("from_") or op.expression.args.get("joins"):
            continue  # a multi-table UPDATE: MySQL does not promise an order there
        written: dict[str, exp.Expression] = {}
        for write in writes(op):
            read = {
                identifier(c.this)
                for c in write.value.find_all(exp.Column)
                if write.table_of(c) in (op.table, "")
            }
            earlier = [column for column in written if column in read and column != write.target]
            if earlier:
                yield _finding(op, write.target, write.value, earlier, written, context)
            written[write.target] = write.value


def _finding(
    op: DataUpdate,
    target: str,
    value: exp.Expression,
    earlier: list[str],
    written: dict[str, exp.Expression],
    context: Context,
) -> Finding:
    swap = any(
        target in {identifier(c.this) for c in written[column].find_all(exp.Column)} for column in earlier
    )
    names = ", ".join(f"`{c}`" for c in earlier)
    said = (
        f"`{target}` is set from {names}, which this statement has already set from `{target}`: MySQL assigns "
        f"from left to right, so `{target}` gets its own value back and the old values of {names} are lost"
        if swap
        else f"`{target} = {render(value, context.dialect)}` reads {names}, which an earlier assignment of the "
        "same UPDATE sets: MySQL assigns from left to right, so it reads the new value, not the old one"
    )
    return op.finding(
        RULE,
        said + ".",
        severity=Severity.CRITICAL if swap else None,
        blast_radius=f"Every row the UPDATE writes in {context.size_words(op.table)} gets `{target}` computed "
        f"from the new {names}; PostgreSQL would have read the old values.",
        fix=f"Read the old value from a column the statement does not write (copy {names} to a column the change "
        f"adds first), or put `{target} = …` before the assignments to {names}.",
    )
