"""Text joined with `+` is no concatenation: PostgreSQL refuses it, MySQL, MariaDB and SQLite add numbers.

## Why is this bad?
`UPDATE people SET full_name = first_name + ' ' + last_name` is how SQL Server (and Python) join strings.
PostgreSQL has no `+` for text: the statement stops with `operator does not exist: character varying +
unknown`, on every database, and the deploy with it. MySQL and MariaDB turn each side into a number: in strict
mode the UPDATE stops at the first name that is no number (error 1292, `Truncated incorrect DOUBLE value`);
outside strict mode it runs and writes `0` into every row (`'12' + ' ' + '5'` is `17`), overwriting what the
column held. SQLite does the same without a word. Django's `F("first_name") + " " + F("last_name")` sends this
very `+`: it is arithmetic in Django too.

## Use instead
Join with a function that joins strings: `concat_ws(' ', first_name, last_name)` (skips NULLs) or
`CONCAT(first_name, ' ', last_name)`, `first_name || ' ' || last_name` on PostgreSQL and SQLite; in Django,
`Concat(F("first_name"), Value(" "), F("last_name"))`.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataInsert, DataUpdate, Migration
from bot.rules.context import Context
from bot.sql.arithmetic import text_additions
from bot.sql.writes import assigned

_SCHEMA = "CREATE TABLE people (id bigint PRIMARY KEY, first_name text, last_name text, full_name text);\n-- migration\n"
RULE = Rule(
    id="text-joined-with-plus",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Join strings with `concat_ws(' ', a, b)` or `CONCAT(a, ' ', b)` (Django: `Concat(…)`), not `+`.",
    bad=(_SCHEMA + "UPDATE people SET full_name = first_name + ' ' + last_name WHERE full_name IS NULL;",),
    good=(
        _SCHEMA
        + "UPDATE people SET full_name = concat_ws(' ', first_name, last_name) WHERE full_name IS NULL;",
    ),
    framework_help=(
        ("django", 'Join with `Concat(F("a"), Value(" "), F("b"))`; `+` is arithmetic in Django.'),
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DataUpdate | DataInsert):
            continue
        for write in assigned(op, context.dialect):
            catalog = context.before(op)
            joined = next(text_additions(write, catalog, context.postgres), None)
            if joined is None:
                continue
            shown = joined.sql(dialect=_sqlglot(context))
            yield op.finding(
                RULE,
                f"`{op.table}.{write.target}` is set to `{shown}`: `+` on text is no concatenation. "
                + _outcome(context),
                blast_radius=_blast(op.table, write.target, context),
                fix="Join the strings with `concat_ws(' ', …)` or `CONCAT(…)` instead of `+`"
                + (
                    ' (Django: `Concat(F("…"), Value(" "), F("…"))`).'
                    if migration.framework == "django"
                    else "."
                ),
            )


def _sqlglot(context: Context) -> str:
    return "mysql" if context.mysql else ("sqlite" if context.dialect == "sqlite" else "postgres")


def _outcome(context: Context) -> str:
    if context.mysql:
        return (
            "MySQL and MariaDB add the strings as numbers: in strict mode the statement stops at the first value "
            "that is no number (error 1292, Truncated incorrect DOUBLE value); outside strict mode every row gets "
            "`0` (or the sum of its digits)."
        )
    if context.dialect == "sqlite":
        return "SQLite adds the strings as numbers: every row gets `0` (or the sum of its digits), without an error."
    return "PostgreSQL has no `+` for text: the statement fails (`operator does not exist: … + …`)."


def _blast(table: str, column: str, context: Context) -> str:
    if context.mysql or context.dialect == "sqlite":
        return (
            f"Every row the statement writes: `{table}.{column}` holds a number in place of the joined text "
            "(what it held before is gone), or, in strict mode, the migration stops at this statement."
        )
    return "The migration stops at this statement on every database; the deploy fails there."
