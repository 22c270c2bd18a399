"""A PostgreSQL type change that has no automatic cast and gives no USING fails on every database.

## Why is this bad?
`ALTER TABLE … ALTER COLUMN zip TYPE integer` on a `varchar` column stops with "column cannot be cast
automatically to type integer": PostgreSQL converts stored values only through an implicit or assignment
cast, and there is none from a string type to a number, a date, a boolean or a uuid, nor from `integer` to
`boolean`, nor to an enum type (`CREATE TYPE … AS ENUM`) from any other type, a string or another enum. The failure does not depend on the data: the migration fails on every database, and where the
file runs in a transaction, everything before it in the file is undone. Rails' `change_column`, Alembic's
`alter_column(type_=…)`, Sequelize's `changeColumn` and Ecto's `modify` write the statement without USING;
Django's schema editor adds one itself.

## Use instead
Say how each value converts: `ALTER COLUMN zip TYPE integer USING zip::integer` (Rails:
`change_column :users, :zip, :integer, using: "zip::integer"`; Alembic: `postgresql_using="zip::integer"`),
after checking that every stored value converts (see `lossy-type-change`).
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AlterColumnType, Migration
from bot.rules._schema_domain import enum_labels
from bot.rules.context import Context
from bot.sql.pg_casts import converts_without_using

RULE = Rule(
    id="type-change-without-using",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Add a USING clause that converts each value (`USING zip::integer`).",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY, zip varchar(10));\n-- migration\n"
        "ALTER TABLE users ALTER COLUMN zip TYPE integer;",
        "CREATE TABLE flags (id bigint PRIMARY KEY, level integer);\n-- migration\n"
        "ALTER TABLE flags ALTER COLUMN level TYPE boolean;",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY, zip varchar(10));\n-- migration\n"
        "ALTER TABLE users ALTER COLUMN zip TYPE integer USING zip::integer;",
        "CREATE TABLE flags (id bigint PRIMARY KEY, level integer);\n-- migration\n"
        "ALTER TABLE flags ALTER COLUMN level TYPE bigint;",
    ),
)

# Frameworks whose own type-change operation writes no USING on PostgreSQL (Django's adds `USING col::type`)
_WITHOUT_USING = frozenset({"rails", "alembic", "sequelize", "ecto"})


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if context.dialect != "postgres":
        return
    for op in migration.up:
        if not isinstance(op, AlterColumnType) or op.using is not None:
            continue
        if not op.spelled_out and migration.framework not in _WITHOUT_USING:
            continue
        known = context.before(op).column(op.table, op.column)
        old = op.old_type or (known.type if known is not None else "")
        if not old or not (converts_without_using(old, op.new_type) is False or _into_enum(old, op, context)):
            continue
        yield op.finding(
            RULE,
            f"`{op.table}.{op.column}` changes from `{old}` to `{op.new_type}` without USING; PostgreSQL has no "
            "automatic cast between them, so the statement fails.",
            blast_radius=(
                'The migration fails on every database, whatever its rows ("column cannot be cast automatically"); '
                "in a transaction, everything before it in the migration is undone, and the deploy stops."
            ),
            fix=f"Convert explicitly: `ALTER COLUMN {op.column} TYPE {op.new_type} USING {op.column}::{op.new_type}`, "
            "after checking every stored value converts.",
        )


def _into_enum(old: str, op: AlterColumnType, context: Context) -> bool:
    """Is the new type an enum type of the schema (`CREATE TYPE … AS ENUM`) and the old one another type?
    PostgreSQL casts nothing to an enum by itself, not even a string or another enum."""
    catalog = context.before(op)
    if op.new_type.lower().startswith("enum(") or enum_labels(op.new_type, catalog) is None:
        return False
    return _bare(old) != _bare(op.new_type)


def _bare(type_sql: str) -> str:
    """The type's name without its schema, and without quotes that change nothing (`"mood"` is `mood`)."""
    name = type_sql.rsplit(".", 1)[-1]
    inner = name.strip('"')
    return inner if inner == inner.lower() else name
