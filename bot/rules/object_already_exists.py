"""A migration creates a table, column, index or enum type the schema already has: the database refuses it.

## Why is this bad?
Every database that ran the earlier migrations already has the object, and `CREATE TABLE`, `ADD COLUMN` and
`CREATE INDEX` without `IF NOT EXISTS` stop with "already exists" (PostgreSQL 42P07 / 42701, MySQL 1050 /
1060 / 1061, SQLite "duplicate column name"). An index name is the schema's on PostgreSQL and SQLite (another
table's index of that name counts), each table's own on MySQL. The migration fails at that statement in production, where
the deploy stops half-way, while a test database built from an empty schema may never meet it (a column
two branches both add, a table an earlier migration created under the same name, an index name already
taken). So does `CREATE TYPE` of an enum type that exists, which the ORMs issue themselves: Sequelize's
`changeColumn` to an `ENUM` on PostgreSQL, Knex's native `enu` without `existingType: true`, SQLAlchemy's named
`Enum` in a second `create_table` without `create_type=False`.

A migration of the base branch, edited or moved, is `applied-migration-edited`'s (a database that ran it
does not run it again, or runs it under its new name). A file that re-creates several tables the history
already has is a baseline (a snapshot of the whole
schema that only new installs run, as some projects keep one per release), not a step: it is left alone.

## Use instead
Drop the statement if the object is already what it should be, or change it with `ALTER` (`ALTER COLUMN …
TYPE`, `DROP INDEX` then `CREATE INDEX`); where some databases have it and others not, guard it (`IF NOT
EXISTS`, Rails' `if_not_exists: true`, an inspector check in Alembic) so it runs on both.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import Catalog
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, AddIndex, CreateEnum, CreateTable, Migration, Operation
from bot.rules._recreated import BASELINE, recreated
from bot.rules.context import Context

RULE = Rule(
    id="object-already-exists",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Drop the statement, ALTER the existing object instead, or guard it with IF NOT EXISTS.",
    bad=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, note text);\n"
        "-- migration\n"
        "ALTER TABLE orders ADD COLUMN note text;",
    ),
    good=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, note text);\n"
        "-- migration\n"
        "ALTER TABLE orders ADD COLUMN IF NOT EXISTS note text;",
    ),
    dialects=("postgres", "mysql", "mariadb", "sqlite"),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if context.applied_file is not None:
        return  # a migration of the base branch, edited or renamed: applied-migration-edited says what it does
    if len(recreated(migration, context, guarded=False)) >= BASELINE:
        return
    created: set[str] = set()
    for op in migration.up:
        if isinstance(op, CreateTable) and op.if_not_exists:
            created.add(op.table)
        elif op.tables and op.tables[0] in created:
            continue  # the indexes of `CREATE TABLE IF NOT EXISTS`: made with it, or found with it
        if not _unguarded(op):
            continue
        found = _existing(op, context.before(op), context.postgres or context.dialect == "sqlite")
        if found:
            yield op.finding(
                RULE,
                f"{found} already exists: the database refuses this statement and the migration stops here.",
                blast_radius="Every database that ran the earlier migrations, production included, fails this "
                "migration at this line; the deploy stops with the statements before it applied (or undone, where "
                "the migration runs in a transaction).",
            )


def _unguarded(op: Operation) -> bool:
    return not (getattr(op, "if_not_exists", False) or op.in_block or getattr(op, "temporary", False))


def _existing(op: Operation, before: Catalog, schema_wide: bool) -> str:
    """What the schema before the statement already has of what it creates, said for a reader; "" if none.
    `schema_wide`: index names are the schema's (PostgreSQL, SQLite), not each table's (MySQL)."""
    if isinstance(op, CreateTable) and before.tables.get(op.table) is not None:
        return f"Table `{op.table}`"
    if isinstance(op, AddColumn) and before.column(op.table, op.column.name) is not None:
        return f"Column `{op.table}.{op.column.name}`"
    if (
        isinstance(op, AddIndex)
        and op.name
        and op.name in before.indexes
        and (schema_wide or before.indexes[op.name] == op.table)
    ):
        return f"Index `{op.name}` (on `{before.indexes[op.name]}`)"
    if isinstance(op, CreateEnum) and op.name in before.enums:
        return f"Type `{op.name}`"
    return ""
