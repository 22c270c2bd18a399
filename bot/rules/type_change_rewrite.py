"""Changing a column's type rewrites the table and its indexes under an exclusive lock.

## Why is this bad?
Unless the new type is binary-compatible with the old one (`varchar(n)` to a longer `varchar` or to
`text`, a wider `numeric` of the same scale), PostgreSQL rewrites every row and rebuilds every index
of the table while holding an ACCESS EXCLUSIVE lock; MySQL copies the table. The old release also
keeps writing values of the old type during the deploy.

## Use instead
Add a new column of the new type, write both columns from the application, backfill in batches,
switch reads, then drop the old column in a later pull request.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AlterColumnType, Migration
from bot.rules.context import Context
from bot.sql import mysql_ddl

RULE = Rule(
    id="type-change-rewrite",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Add a column of the new type, dual-write, backfill in batches, switch reads, then drop the old column.",
    bad=("ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2);",),
    good=("ALTER TABLE orders ADD COLUMN total_v2 numeric(12, 2);",),
    framework_help=(
        (
            "knex",
            "Add a column of the new type (not `.alter()`), dual-write, backfill in batches, switch reads, then drop the old column later.",
        ),
        (
            "typeorm",
            "Add a column of the new type (not `changeColumn`, which drops and re-adds it), dual-write, backfill in batches, switch reads, then drop the old column.",
        ),
        (
            "sequelize",
            "Add a column of the new type (not `changeColumn`), dual-write, backfill in batches, switch reads, then drop the old column.",
        ),
    ),
)

_TEXT = {"text", "varchar", "character varying", "citext"}


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, AlterColumnType):
            continue
        severity = context.lock_severity(op.table, RULE.severity)
        if severity is None:
            continue
        column = context.before(op).column(op.table, op.column)
        old = column.type if column is not None else ""
        if old and _compatible(old, op.new_type, context):
            continue
        how = "copies" if context.mysql else "rewrites"
        if old:
            message = f"`{op.table}.{op.column}` changes type from `{old}` to `{op.new_type}`, which {how} the table."
        else:
            # Without the previous type (no schema or earlier migration names the column) this may restate the
            # same type, as Rails' change_column often does: say so, and do not block on a guess.
            message = (
                f"`{op.table}.{op.column}` changes type to `{op.new_type}`; its previous type is unknown, so "
                f"if it differs this {how} the table."
            )
            severity = Severity.WARNING if severity is Severity.CRITICAL else severity
        yield op.finding(
            RULE,
            message,
            severity=severity,
            blast_radius=f"Reads and writes on {context.size_words(op.table)} stop while every row is rewritten and "
            "every index rebuilt.",
        )


def _compatible(old: str, new: str, context: Context) -> bool:
    old_base, old_args = _split(old)
    new_base, new_args = _split(new)
    if context.postgres:
        if old_base in _TEXT and new_base in ("text", "citext") and old_base != "citext":
            return True
        if old_base in _TEXT and new_base in ("varchar", "character varying"):
            return bool(new_args) and (not old_args or new_args[0] >= old_args[0]) and old_base != "text"
        if old_base == new_base == "numeric" and len(old_args) == len(new_args) == 2:
            return new_args[1] == old_args[1] and new_args[0] >= old_args[0]
        if old_base == new_base and old_base in ("timestamp", "timestamptz", "time", "interval"):
            return True
        return old_base == new_base and old_args == new_args
    if context.mysql:
        if mysql_ddl.member_change(old, new) is not None:
            return True  # ENUM/SET member changes are judged by mysql-table-copy
        return (
            old_base == new_base == "varchar"
            and bool(new_args)
            and bool(old_args)
            and (new_args[0] >= old_args[0] and (old_args[0] > 255 or new_args[0] <= 255))
        )
    return old_base == new_base and old_args == new_args


def _split(type_sql: str) -> tuple[str, tuple[int, ...]]:
    match = re.match(r"\s*([a-z ]+?)\s*(?:\(([\d,\s]+)\))?\s*$", type_sql.lower())
    if not match:
        return type_sql.lower(), ()
    args = tuple(int(a) for a in (match.group(2) or "").replace(" ", "").split(",") if a)
    base = match.group(1).strip()
    return _ALIASES.get(base, base), args


_ALIASES = {
    "decimal": "numeric",
    "character varying": "varchar",
    "int4": "int",
    "integer": "int",
    "int8": "bigint",
    "timestamp with time zone": "timestamptz",
    "bool": "boolean",
    "float8": "double precision",
}
