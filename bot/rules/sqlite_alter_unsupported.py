"""SQLite's ALTER TABLE does only a few things; anything else fails at deploy.

## Why is this bad?
SQLite can rename a table or a column, add a column and (from 3.35) drop one. It has no
`ALTER COLUMN` (type, NOT NULL, default) and no `ADD CONSTRAINT`: those are syntax errors. An added
column may not be `PRIMARY KEY`, `UNIQUE` or `STORED`, and on a table with rows it may not be
`NOT NULL` without a default nor have a non-constant default (`CURRENT_TIMESTAMP`, an expression). A column
can be dropped only when nothing else names it: not a PRIMARY KEY or UNIQUE column, not in an index, a view or
a trigger ("cannot drop UNIQUE column", "error in index … after drop column").
The migration stops at the statement, often after a development database with no rows accepted it.

## Use instead
Rebuild the table: in one transaction, `CREATE TABLE new_t (…)` with the new definition,
`INSERT INTO new_t SELECT … FROM t`, `DROP TABLE t`, `ALTER TABLE new_t RENAME TO t`, recreate its
indexes and triggers (with `PRAGMA foreign_keys = OFF` around it). Add columns with a constant default
and backfill them afterwards.

## Framework notes
Django, Rails, Laravel, Knex, TypeORM and Sequelize rebuild the table themselves when their own operations
change a column or a constraint on SQLite, and Alembic does inside `op.batch_alter_table`: those stay quiet.
The rule fires on hand-written SQL (SQL files, `RunSQL`, `execute`) and on Alembic's plain `op.*` calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AlterColumnType,
    DropColumn,
    DropConstraint,
    DropNotNull,
    Migration,
    Operation,
    RenameColumn,
    SetDefault,
    SetNotNull,
)
from bot.rules.context import Context

RULE = Rule(
    id="sqlite-alter-unsupported",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Rebuild the table (create the new one, copy the rows, drop, rename) in one transaction.",
    bad=(
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
        "ALTER TABLE users ADD COLUMN code text UNIQUE;",
    ),
    good=("ALTER TABLE users ADD COLUMN code text;", "ALTER TABLE users RENAME COLUMN mail TO email;"),
    dialects=("sqlite",),
)

_NO_ALTER_COLUMN = (AlterColumnType, SetNotNull, DropNotNull, SetDefault)
_NON_CONSTANT = ("CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "(")


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if context.dialect != "sqlite":
        return
    for op in migration.up:
        if (migration.framework in _REBUILT_BY_FRAMEWORK and not op.spelled_out) or op.rebuilt:
            continue
        problem = _problem(op, context)
        if problem is not None:
            yield op.finding(
                RULE,
                f"{problem}.",
                blast_radius="The migration fails at this statement and the deploy stops; statements before it stay "
                "applied unless the file runs in a transaction.",
            )


# Frameworks whose own column and constraint operations rebuild the table on SQLite.
_REBUILT_BY_FRAMEWORK = frozenset({"django", "rails", "laravel", "knex", "typeorm", "sequelize"})


def _problem(op: Operation, context: Context) -> str | None:
    if isinstance(op, _NO_ALTER_COLUMN):
        return f"SQLite has no `ALTER COLUMN`: changing `{op.table}.{op.column}` this way is a syntax error"
    if isinstance(op, AddConstraint | DropConstraint):
        return f"SQLite cannot add or drop a constraint on the existing table `{op.table}`"
    if isinstance(op, DropColumn) and not context.at_least(3, 35):
        return f"SQLite before 3.35 cannot drop column `{op.table}.{op.column}`"
    if isinstance(op, DropColumn):
        return _dropped(op, context)
    if isinstance(op, RenameColumn) and not context.at_least(3, 25):
        return f"SQLite before 3.25 cannot rename column `{op.table}.{op.column}`"
    if isinstance(op, AddColumn):
        return _added(op, context)
    return None


def _dropped(op: DropColumn, context: Context) -> str | None:
    """SQLite drops only a column nothing else in the schema names: not a key, not indexed, not in a view or a
    trigger ("cannot drop UNIQUE column", "error in index … after drop column"). (A column's own `REFERENCES`
    goes with it; a table-level FOREIGN KEY naming it fails too, but the schema read here does not tell the two
    apart, so neither is claimed.)"""
    catalog = context.before(op)
    column, table = op.column, op.table
    if column in catalog.primary_keys.get(table, ()):
        why = "it is the PRIMARY KEY"
    elif any(column in key for key in catalog.unique_keys(table)):
        why = "it is UNIQUE"
    elif index := next(
        (
            n
            for n, d in catalog.index_definitions.items()
            if d.table == table and _names(d.columns, d.where, column)
        ),
        "",
    ):
        why = f"the index `{index}` uses it"
    elif used := catalog.dependents(table, column):
        found = used[0][0]
        why = f"the {found.kind} `{found.name}` uses it"
    else:
        return None
    return (
        f"SQLite refuses to drop `{table}.{column}`: {why}, and SQLite drops only a column nothing else names"
    )


def _names(columns: tuple[str, ...], where: str, column: str) -> bool:
    pattern = re.compile(rf'(?<![\w"]){re.escape(column)}(?![\w"])|"{re.escape(column)}"', re.I)
    return any(pattern.search(c) for c in (*columns, where))


def _added(op: AddColumn, context: Context) -> str | None:
    column = op.column
    if column.primary_key or column.unique:
        return f"SQLite cannot add the {'PRIMARY KEY' if column.primary_key else 'UNIQUE'} column `{column.name}`"
    if column.generated:
        return f"SQLite cannot add the STORED generated column `{column.name}` (VIRTUAL is allowed)"
    if context.catalog.is_new(op.table):
        return None  # no rows yet: the row-dependent limits below do not apply
    default = (column.default or "").upper()
    if default.startswith(_NON_CONSTANT):
        return f"SQLite cannot add `{column.name}` with the non-constant default `{column.default}` to a table with rows"
    return None
