"""A NOT NULL column given the default NULL: MySQL and MariaDB refuse the statement.

## Why is this bad?
`ALTER TABLE accounts ALTER COLUMN plan SET DEFAULT NULL` on a `plan varchar(20) NOT NULL` column, a
`MODIFY plan varchar(20) NOT NULL DEFAULT NULL`, an `ADD COLUMN tier int NOT NULL DEFAULT NULL` or a
`CREATE TABLE` column declared so: MySQL and MariaDB fail the statement with `ERROR 1067: Invalid default
value for 'plan'`, whatever the table holds. A primary key column is NOT NULL without saying so. The deploy
stops there, and every DDL statement before it in the migration has already committed: the schema is left
half changed and the migration cannot simply run again. It is usually meant as "no default any more"
(Alembic's `server_default=sa.text("NULL")`, an ORM's `default: null`), or as "may be NULL now".

On PostgreSQL, `SET DEFAULT NULL` is accepted and drops the default (see `default-dropped`).

## Use instead
To drop the default, say so: `ALTER TABLE accounts ALTER COLUMN plan DROP DEFAULT` (every insert that leaves
the column out fails from then on). If NULL is meant to be allowed, make the column nullable in the same
statement: `MODIFY plan varchar(20) NULL DEFAULT NULL`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, ColumnSpec, CreateTable, Migration, Operation, SetDefault
from bot.rules.context import Context

RULE = Rule(
    id="null-default-on-not-null",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Drop the default with `DROP DEFAULT`, or make the column nullable in the same statement.",
    bad=(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, plan varchar(20) NOT NULL DEFAULT 'free');\n"
        "-- migration\n"
        "ALTER TABLE accounts ALTER COLUMN plan SET DEFAULT NULL;",
        "CREATE TABLE accounts (id bigint PRIMARY KEY, plan varchar(20) NOT NULL DEFAULT 'free');\n"
        "-- migration\n"
        "ALTER TABLE accounts MODIFY plan varchar(40) NOT NULL DEFAULT NULL;",
    ),
    good=(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, plan varchar(20) NOT NULL DEFAULT 'free');\n"
        "-- migration\n"
        "ALTER TABLE accounts ALTER COLUMN plan DROP DEFAULT;",
        "CREATE TABLE accounts (id bigint PRIMARY KEY, plan varchar(20) NOT NULL DEFAULT 'free');\n"
        "-- migration\n"
        "ALTER TABLE accounts MODIFY plan varchar(40) NULL DEFAULT NULL;",
    ),
    dialects=("mysql", "mariadb"),
)

_NULL = re.compile(r"\(*\s*NULL\s*\)*", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.mysql:
        return
    for op in migration.up:
        if isinstance(op, SetDefault) and not op.implied and _null(op.default):
            column = context.before(op).column(op.table, op.column)
            if column is not None and not column.nullable:
                yield _refused(op, op.table, op.column, context)
        elif isinstance(op, AddColumn) and _refuses(op.column):
            yield _refused(op, op.table, op.column.name, context)
        elif isinstance(op, CreateTable):
            refused = next((spec for spec in op.columns if _refuses(spec)), None)
            if refused is not None:  # the server names the first
                yield _refused(op, op.table, refused.name, context)


def _null(default: str | None) -> bool:
    return default is not None and _NULL.fullmatch(default.strip()) is not None


def _refuses(spec: ColumnSpec) -> bool:
    """A column declared NOT NULL (or PRIMARY KEY) with `DEFAULT NULL`."""
    return not spec.nullable and _null(spec.default)


def _refused(op: Operation, table: str, column: str, context: Context) -> Finding:
    server = "MariaDB" if context.dialect == "mariadb" else "MySQL"
    return op.finding(
        RULE,
        f"`{table}.{column}` is NOT NULL, and the statement gives it the default NULL: {server} refuses it "
        f"(`ERROR 1067: Invalid default value for '{column}'`).",
        blast_radius="Every database the migration runs on, new installs included: the deploy stops at this "
        "statement, with the DDL before it already committed.",
        fix=f"To drop the default, write `ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT`; if NULL is "
        "meant to be allowed, say `NULL` in place of `NOT NULL` in the column's definition.",
    )
