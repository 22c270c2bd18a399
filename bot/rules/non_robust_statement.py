"""Without IF [NOT] EXISTS, a migration that stopped half way cannot simply be run again.

## Why is this bad?
When a migration does not run in one transaction, a failure in its third statement leaves the first
two applied. The runner records the migration as failed (or not at all), so the fix is to run it again,
and then `CREATE TABLE` fails with "already exists" and `DROP INDEX` with "does not exist": the deploy
is stuck until someone edits the database by hand. MySQL commits after every DDL statement, so there
every multi-statement migration is in this position.

## Use instead
Write each schema statement so that running it twice is harmless: `CREATE TABLE IF NOT EXISTS`,
`ADD COLUMN IF NOT EXISTS`, `DROP INDEX IF EXISTS`, …, or put the migration in one transaction where the
database allows it.

## Framework notes
Plain SQL files run by a tool the review does not know are left alone on PostgreSQL and SQLite unless the
configuration says how the runner behaves: `assume_in_transaction: true` (it wraps every file in one
transaction: quiet) or `false` (it does not: reported). Quiet when the statements run in a transaction (the
runner's or the file's own `BEGIN`), and for a
migration of a single statement, which either happens or not. MySQL supports the clauses only for
tables (MariaDB also for columns and indexes); SQLite for tables and indexes. Liquibase records each
changeSet as applied on its own and runs again only the one that failed: a statement is reported only when
another statement of its changeSet runs after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    CreateTable,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropTable,
    Migration,
    Operation,
    RawSQL,
    SetTimeout,
    Transaction,
    transaction_flags,
)
from bot.rules.context import Context

RULE = Rule(
    id="non-robust-statement",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.INFO,
    help="Add `IF NOT EXISTS` / `IF EXISTS` so the migration can be re-run after a partial failure.",
    bad=("CREATE TABLE audit_log (id bigint PRIMARY KEY);\nDROP TABLE legacy_audit_log;",),
    good=(
        "CREATE TABLE IF NOT EXISTS audit_log (id bigint PRIMARY KEY);\nDROP TABLE IF EXISTS legacy_audit_log;",
        "CREATE TABLE audit_log (id bigint PRIMARY KEY);",
    ),
    dialects=("mysql", "mariadb", "postgres", "sqlite"),
)

_SUPPORTED = {
    "postgres": (
        CreateTable,
        AddColumn,
        AddIndex,
        DropTable,
        DropColumn,
        DropIndex,
        DropConstraint,
        AddConstraint,
        RawSQL,
    ),
    "mariadb": (CreateTable, AddColumn, AddIndex, DropTable, DropColumn, DropIndex),
    "mysql": (CreateTable, DropTable),
    "sqlite": (CreateTable, AddIndex, DropTable, DropIndex),
}
_BLAST = (
    "If a later statement fails, re-running the migration fails here, and the deploy is stuck until the "
    "database is fixed by hand."
)
_CLAUSE = {
    CreateTable: "IF NOT EXISTS",
    AddColumn: "IF NOT EXISTS",
    AddIndex: "IF NOT EXISTS",
    DropTable: "IF EXISTS",
    DropColumn: "IF EXISTS",
    DropIndex: "IF EXISTS",
    DropConstraint: "IF EXISTS",
    RawSQL: "IF EXISTS",
}


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    kinds = _SUPPORTED.get(context.dialect, ())
    statements = {
        (op.location, op.sql) for op in migration.up if not isinstance(op, Transaction | SetTimeout)
    }
    if not kinds or len(statements) < 2 or _runner_unknown(migration, context):
        return
    flags = transaction_flags(migration)
    dropped: set[tuple[str, str]] = set()  # constraints a DROP CONSTRAINT IF EXISTS cleared for one ADD
    last = _last_of_each_step(migration)
    for op, in_transaction in zip(migration.up, flags, strict=True):
        if op.applied_unit and last.get(op.applied_unit) is op:
            continue  # nothing of its step runs after it: a failure leaves the step unrecorded and unchanged
        if context.mysql and not isinstance(op, Transaction):
            in_transaction = False  # every DDL statement commits on its own
        if isinstance(op, DropConstraint) and op.if_exists:
            dropped.add((op.table, op.name))
        if in_transaction or not isinstance(op, kinds) or _guarded(op) or _concurrent_build(op):
            continue
        if isinstance(op, CreateTable) and op.temporary:
            continue  # a temporary table is gone with the session: a re-run creates it afresh
        if isinstance(op, RawSQL) and not op.category.startswith("drop-"):
            continue
        if isinstance(op, AddConstraint):
            if not re.match(r"\s*ALTER\s+TABLE\b", op.sql, re.I):
                continue  # a framework's call (Rails `add_foreign_key`) has its own options; SQL only here
            if not op.name or (op.table, op.name) in dropped:
                dropped.discard((op.table, op.name))
                continue
            yield op.finding(
                RULE,
                f"`ADD CONSTRAINT {op.name}` fails when it already exists, and this migration does not run in "
                "one transaction.",
                blast_radius=_BLAST,
                fix=f"Put `ALTER TABLE {op.table} DROP CONSTRAINT IF EXISTS {op.name};` right before it (PostgreSQL "
                "has no `ADD CONSTRAINT IF NOT EXISTS`).",
            )
            continue
        clause = _CLAUSE[type(op)]
        why = (
            "MySQL commits after every DDL statement"
            if context.mysql
            else "this migration does not run in one transaction"
        )
        yield op.finding(
            RULE,
            f"`{_head(op)}` has no `{clause}`, and {why}.",
            blast_radius=_BLAST,
            suggestion=_suggestion(op.sql, clause) if migration.alone_on_lines(op) else None,
        )


def _last_of_each_step(migration: Migration) -> dict[str, Operation]:
    """The last statement of each part the runner records on its own (a Liquibase changeSet)."""
    last: dict[str, Operation] = {}
    for op in migration.up:
        if op.applied_unit and not isinstance(op, Transaction | SetTimeout):
            last[op.applied_unit] = op
    return last


def _runner_unknown(migration: Migration, context: Context) -> bool:
    """Plain SQL files run by an unknown tool: many runners wrap them, so do not guess (MySQL commits anyway)."""
    return migration.framework == "sql" and context.config.assume_in_transaction is None and not context.mysql


def _guarded(op: Operation) -> bool:
    if isinstance(op, CreateTable | AddColumn | AddIndex):
        return op.if_not_exists
    return bool(getattr(op, "if_exists", False))


def _concurrent_build(op: Operation) -> bool:
    """Concurrent index builds have their own rule (invalid-index-retry)."""
    return isinstance(op, AddIndex) and op.concurrently


def _head(op: Operation) -> str:
    if isinstance(op, CreateTable | DropTable):
        return f"{'CREATE' if isinstance(op, CreateTable) else 'DROP'} TABLE {op.table}"
    if isinstance(op, AddColumn):
        return f"ADD COLUMN {op.column.name}"
    if isinstance(op, DropColumn):
        return f"DROP COLUMN {op.column}"
    if isinstance(op, DropConstraint):
        return f"DROP CONSTRAINT {op.name}"
    if isinstance(op, RawSQL):
        return f"{op.category.replace('-', ' ').upper()} {op.table}"
    name = getattr(op, "name", "")
    return f"{'CREATE' if isinstance(op, AddIndex) else 'DROP'} INDEX {name}"


def _suggestion(sql: str, clause: str) -> str | None:
    """The statement with the clause after its object keyword, when there is exactly one place for it."""
    for pattern in _PLACES:
        if len(pattern.findall(sql)) == 1:
            return pattern.sub(lambda m: f"{m.group(1)} {clause} ", sql, count=1)
    return None


_PLACES = tuple(
    re.compile(p, re.I)
    for p in (
        r"^(\s*CREATE\s+(?:TEMP\w*\s+|UNLOGGED\s+)?TABLE)\s+",
        r"^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX)\s+(?!CONCURRENTLY\b)",
        r"^(\s*DROP\s+TABLE)\s+",
        r"^(\s*DROP\s+INDEX(?:\s+CONCURRENTLY)?)\s+",
        r"\b(ADD\s+COLUMN)\s+",
        r"\b(DROP\s+COLUMN)\s+",
        r"\b(DROP\s+CONSTRAINT)\s+",
        r"^(\s*DROP\s+(?:MATERIALIZED\s+VIEW|VIEW|SEQUENCE|FUNCTION|PROCEDURE|TRIGGER|EXTENSION|POLICY|DOMAIN|TYPE))\s+",
    )
)
