"""SQLite's ALTER TABLE does only a few things; anything else fails at deploy.

## Why is this bad?
SQLite can rename a table or a column, add a column and (from 3.35) drop one. It has no
`ALTER COLUMN` (type, NOT NULL, default) and no `ADD CONSTRAINT`: those are syntax errors. An added
column may not be `PRIMARY KEY`, `UNIQUE` or `STORED`, and on a table with rows it may not be
`NOT NULL` without a default nor have a non-constant default (`CURRENT_TIMESTAMP`, an expression).
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
    if isinstance(op, RenameColumn) and not context.at_least(3, 25):
        return f"SQLite before 3.25 cannot rename column `{op.table}.{op.column}`"
    if isinstance(op, AddColumn):
        return _added(op, context)
    return None


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
