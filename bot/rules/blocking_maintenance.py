"""VACUUM FULL, CLUSTER, REPACK and ALTER TABLE … SET LOGGED / UNLOGGED / TABLESPACE rewrite the table under an
ACCESS EXCLUSIVE lock.

## Why is this bad?
`VACUUM FULL` and `CLUSTER` copy every row into a new file and rebuild every index while holding an
ACCESS EXCLUSIVE lock: no reads, no writes, for as long as the copy takes, and they need disk space for
a second copy of the table. `VACUUM FULL` cannot run in a transaction at all. `ALTER TABLE … SET LOGGED`,
`SET UNLOGGED` and `SET TABLESPACE` do the same copy under the same lock; `SET LOGGED` also writes the
whole table to the WAL (replicas lag behind it), and after `SET UNLOGGED` the table is no longer
replicated and is emptied after a crash. PostgreSQL refuses `SET UNLOGGED` on a table that another table's
foreign key references (a permanent table cannot reference an unlogged one): the deploy stops there instead.

## Use instead
Plain `VACUUM` (no lock on reads or writes) is usually enough. To reclaim space or reorder a table
online, use `pg_repack` or `pg_squeeze`, or `REPACK … CONCURRENTLY` where the server supports it, and
run it as an operation outside the migration, not as a migration step.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Maintenance, Migration
from bot.rules.context import Context

RULE = Rule(
    id="blocking-maintenance",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Use plain `VACUUM`, or repack online (`pg_repack`, `REPACK CONCURRENTLY`) outside the migration.",
    bad=(
        "VACUUM FULL orders;",
        "CLUSTER orders USING orders_created_at_idx;",
        "ALTER TABLE orders SET LOGGED;",
    ),
    good=("VACUUM (ANALYZE) orders;",),
    dialects=("postgres",),
)


_UNLOGGED = (
    " From then on the table is not replicated (a standby cannot read it) and is emptied after a crash."
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    for op in migration.up:
        if not isinstance(op, Maintenance) or not op.blocking:
            continue
        referencing = _referencing(op, context) if op.command == "SET UNLOGGED" else []
        if referencing:
            yield _refused(op, referencing)
            continue
        severity = context.lock_severity(op.table, RULE.severity) if op.table else RULE.severity
        if severity is None:
            continue
        target = context.size_words(op.table) if op.table else "every table it covers"
        statement = (
            f"ALTER TABLE {op.table} {op.command}"
            if op.command.startswith("SET ")
            else f"{op.command}{f' {op.table}' if op.table else ''}"
        )
        yield op.finding(
            RULE,
            f"`{statement}` rewrites the table under an ACCESS EXCLUSIVE lock."
            + (_UNLOGGED if op.command == "SET UNLOGGED" else ""),
            severity=severity,
            blast_radius=f"Reads and writes on {target} stop for the whole rewrite, which also needs room for a "
            "second copy of the table on disk.",
            suggestion=f"VACUUM (ANALYZE) {op.table}" if op.command == "VACUUM FULL" and op.table else None,
        )


def _referencing(op: Maintenance, context: Context) -> list[str]:
    """The other tables whose foreign keys reference the table (permanent ones, as the schema does not say
    otherwise)."""
    keys = context.before(op).foreign_keys.values()
    found = {k.table for k in keys if not k.declared and same_table(k.references, op.table)}
    return sorted(t for t in found if not same_table(t, op.table))


def _refused(op: Maintenance, referencing: list[str]) -> Finding:
    tables = ", ".join(f"`{t}`" for t in referencing[:3]) + (" and more" if len(referencing) > 3 else "")
    return op.finding(
        RULE,
        f"PostgreSQL refuses `ALTER TABLE {op.table} SET UNLOGGED`: {tables} reference{'s' if len(referencing) == 1 else ''} "
        f"it with a foreign key, and a permanent table cannot reference an unlogged one (`could not change table "
        f'"{op.table}" to unlogged because it references logged table …`).',
        blast_radius="The deploy stops at this statement; in a transaction the statements before it roll back, "
        "outside one the migration is left half applied.",
        fix=f"Keep `{op.table}` logged, or drop the foreign keys that reference it first (and accept that "
        "nothing enforces them).",
    )
