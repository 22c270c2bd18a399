"""Names longer than the database allows are cut short (PostgreSQL) or refused (MySQL).

## Why is this bad?
PostgreSQL truncates identifiers to 63 bytes with only a NOTICE, so two long index names that differ
after byte 63 collide, and code or later migrations that use the full name do not find the object.
MySQL and MariaDB refuse names over 64 characters, so the migration fails at deploy.

## Use instead
Shorter names: abbreviate (`idx`, `fk`, `uq`), and name constraints and indexes explicitly rather than
letting a framework derive long names from table and column names.

## Framework notes
Rails checks an index name itself before any SQL is sent: `add_index`, `t.index` and `t.references` with a
name longer than 63 characters (64 on MySQL) raise `ArgumentError` in every version, so the migration fails.
Rails 7.1 and later give a long name they derive a short one (`idx_on_…_<hash>`); migrations of `[7.0]` and
older keep the long derived name, and fail. SQL the migration runs with `execute` is cut by PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    CreateEnum,
    CreateTable,
    DropIndex,
    DropTable,
    Migration,
    Operation,
    RenameColumn,
    RenameConstraint,
    RenameTable,
)
from bot.rules.context import Context

RULE = Rule(
    id="identifier-too-long",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.WARNING,
    help="Shorten the name to at most 63 bytes (PostgreSQL) or 64 characters (MySQL).",
    bad=(
        "CREATE INDEX index_customer_subscriptions_on_billing_account_id_and_created_at_desc ON customer_subscriptions "
        "(billing_account_id, created_at);",
    ),
    good=(
        "CREATE INDEX customer_subscriptions_billing_created_idx ON customer_subscriptions "
        "(billing_account_id, created_at);",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if context.dialect not in ("postgres", "mysql", "mariadb"):
        return
    for op in migration.up:
        for kind, name in _names(op):
            short = name.rsplit(".", 1)[-1]
            size = len(short) if context.mysql else len(short.encode())
            limit = 64 if context.mysql else 63
            if size <= limit:
                continue
            if _refused_by_rails(op, migration, short):
                table = getattr(op, "table", "")
                message = (
                    f"The index name `{short}` has {len(short)} characters; Rails refuses an index name longer "
                    f"than {limit} before it reaches the database (`ArgumentError: Index name '{short}' on table "
                    f"'{table}' is too long; the limit is {limit} characters`)."
                )
                severity, blast = (
                    Severity.CRITICAL,
                    "The migration fails at this statement and the deploy stops.",
                )
            elif context.mysql:
                message = f"The {kind} name `{short}` has {size} characters; MySQL refuses more than 64."
                severity, blast = (
                    Severity.CRITICAL,
                    "The migration fails at this statement and the deploy stops.",
                )
            else:
                message = (
                    f"The {kind} name `{short}` has {size} bytes; PostgreSQL cuts it to `{_cut(short)}`."
                )
                severity = RULE.severity
                blast = "Code and later migrations that use the full name do not find it; similar long names collide."
            yield op.finding(RULE, message, severity=severity, blast_radius=blast)


def _names(op: Operation) -> list[tuple[str, str]]:
    if isinstance(op, CreateTable):
        return [("table", op.table)] + [("column", c.name) for c in op.columns]
    if isinstance(op, AddColumn):
        return [("column", op.column.name)]
    if isinstance(op, AddIndex | AddConstraint):
        return [("index" if isinstance(op, AddIndex) else "constraint", op.name)] if op.name else []
    if isinstance(op, RenameTable):
        return [("table", op.new_name)]
    if isinstance(op, RenameColumn):
        return [("column", op.new_name)]
    if isinstance(op, RenameConstraint):
        return [("constraint", op.new_name)]
    if isinstance(op, CreateEnum):
        return [("type", op.name)]
    if isinstance(op, DropTable):
        return [("table", op.table)]
    if isinstance(op, DropIndex) and op.name:
        return [("index", op.name)]
    return []


def _refused_by_rails(op: Operation, migration: Migration, name: str) -> bool:
    """An index Rails' own `add_index` (or `t.index`, `t.references`) creates: Rails checks the name's length
    itself in every version, and only 7.1 and later shorten a name they derive (the reader gives it)."""
    limit = 64 if migration.dialect in ("mysql", "mariadb") else 63
    return (
        migration.framework == "rails"
        and isinstance(op, AddIndex)
        and not op.spelled_out
        and len(name) > limit
    )


def _cut(name: str) -> str:
    return name.encode()[:63].decode(errors="ignore")
