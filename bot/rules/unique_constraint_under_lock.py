"""Adding a UNIQUE or PRIMARY KEY constraint builds its index while the table is locked.

## Why is this bad?
`ADD CONSTRAINT … UNIQUE` and `ADD PRIMARY KEY` build a new unique index under an ACCESS EXCLUSIVE
lock: no reads or writes for the whole build. The build fails on the first duplicate, which only
production knows.

## Use instead
`CREATE UNIQUE INDEX CONCURRENTLY … ;` (in a migration without a transaction), then
`ALTER TABLE … ADD CONSTRAINT … UNIQUE USING INDEX …` (or `PRIMARY KEY USING INDEX`), which is instant.
Check for duplicates first.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    DataInsert,
    DataUpdate,
    Migration,
    RawSQL,
    RenameColumn,
    Unparsed,
)
from bot.rules.context import Context

RULE = Rule(
    id="unique-constraint-under-lock",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Build the unique index `CONCURRENTLY`, then attach it with `ADD CONSTRAINT … USING INDEX`.",
    bad=("ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",),
    good=(
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_key ON users (email);",
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;",
    ),
    dialects=("postgres",),
    framework_help=(
        (
            "rails",
            '`add_index … unique: true, algorithm: :concurrently` (with `disable_ddl_transaction!`), then `execute "ALTER TABLE … ADD CONSTRAINT … UNIQUE USING INDEX …"`.',
        ),
        (
            "django",
            '`AddIndexConcurrently` with a unique index (atomic = False), then `RunSQL("… UNIQUE USING INDEX …")` with SeparateDatabaseAndState for the model.',
        ),
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    separate = {(o.table, o.columns) for o in migration.up if isinstance(o, AddConstraint | AddIndex)}
    for op in migration.up:
        if isinstance(op, AddColumn) and (op.column.unique or op.column.primary_key):
            if (
                op.table,
                (op.column.name,),
            ) not in separate:  # a framework that adds the index as its own step
                yield from _inline(op, context)
            continue
        if (
            not isinstance(op, AddConstraint)
            or op.constraint not in ("unique", "primary_key")
            or op.using_index
        ):
            continue
        severity = context.lock_severity(op.table, RULE.severity, op)
        if severity is None:
            continue
        kind = "UNIQUE constraint" if op.constraint == "unique" else "PRIMARY KEY"
        empty = _new_and_empty(migration, op) if op.constraint == "unique" else ""
        covered = _contains_a_key(migration, op, context)
        yield op.finding(
            RULE,
            f"The {kind} on `{op.table}` ({', '.join(op.columns) or '…'}) builds its index under an ACCESS EXCLUSIVE lock.",
            severity=severity,
            blast_radius=f"Reads and writes on {context.size_words(op.table, op)} stop for the whole index build; "
            + (
                f"no row can be a duplicate yet (`{empty}` is new, NULL on every row), but every row is read."
                if empty
                else f"no row can be a duplicate (the table's rows were already unique on ({', '.join(covered)}), "
                "which the new key contains), but every row is read."
                if covered
                else "the migration fails on the first duplicate."
            ),
        )


def _contains_a_key(migration: Migration, op: AddConstraint, context: Context) -> tuple[str, ...]:
    """A unique key the table's rows met when the migration began (vaultwarden's `devices` primary key on `uuid`,
    dropped for one on `(uuid, user_uuid)`) whose columns the new key holds, when nothing in between wrote rows
    of the table: no two rows can share the new key. () when there is none."""
    if "nulls not distinct" in " ".join(op.sql.lower().split()):
        return ()
    before = migration.up[: migration.up.index(op)]
    if any(
        isinstance(o, DataUpdate | DataInsert | RawSQL | Unparsed)
        and getattr(o, "table", "") in (op.table, "")
        for o in before
    ):
        return ()
    wanted = {c.lower() for c in op.columns}
    # a column renamed since the migration began keeps its values (netbox 5f43eabab drops a key, renames
    # `content_type` to `object_type`, and adds the key again over the new name)
    renamed: dict[str, str] = {}
    for earlier in before:
        if isinstance(earlier, RenameColumn) and earlier.table == op.table:
            old = next((o for o, n in renamed.items() if n == earlier.column.lower()), earlier.column.lower())
            renamed[old] = earlier.new_name.lower()
    for catalog in (context.catalog, context.before(op)):
        for key in catalog.unique_keys(op.table):
            now = tuple(
                renamed.get(c.lower(), c.lower()) if catalog is context.catalog else c.lower() for c in key
            )
            if key and set(now) <= wanted:
                return now
    return ()


def _new_and_empty(migration: Migration, op: AddConstraint) -> str:
    """A column of the key that the migration adds before it without a default: NULL on every row, so no two
    rows share the key (PostgreSQL's NULLs are distinct) and the build cannot fail on a duplicate."""
    if "nulls not distinct" in " ".join(op.sql.lower().split()):
        return ""  # PostgreSQL 15's NULLS NOT DISTINCT: every NULL is a duplicate of the others
    before = migration.up[: migration.up.index(op)]
    for column in op.columns:
        for added in before:
            if (
                isinstance(added, AddColumn)
                and added.table == op.table
                and added.column.name == column
                and added.column.default in (None, "NULL", "null")
                and not added.column.generated
                and not added.column.identity
            ):
                return column
    return ""


def _inline(op: AddColumn, context: Context) -> Iterator[Finding]:
    """`ADD COLUMN … UNIQUE` (or PRIMARY KEY) builds the index inside the ADD COLUMN's exclusive lock."""
    severity = context.lock_severity(op.table, RULE.severity, op)
    if severity is None:
        return
    kind = "PRIMARY KEY" if op.column.primary_key else "UNIQUE"
    yield op.finding(
        RULE,
        f"The inline {kind} on the new column `{op.table}.{op.column.name}` builds its index under an ACCESS "
        "EXCLUSIVE lock.",
        severity=severity,
        blast_radius=f"Reads and writes on {context.size_words(op.table, op)} stop for the whole index build.",
        fix=f"Add the column without {kind}, build a unique index with `CREATE UNIQUE INDEX CONCURRENTLY`, then "
        f"`ADD CONSTRAINT … {kind} USING INDEX`.",
    )
