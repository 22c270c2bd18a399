"""`CREATE … IF NOT EXISTS` on an object the schema already has, with a different definition: skipped silently.

## Why is this bad?
`IF NOT EXISTS` checks the name only. `CREATE TABLE IF NOT EXISTS events (…, payload jsonb)` on a database
where `events` already exists does nothing at all: no `payload` column, no new constraint, only a notice
("relation already exists, skipping"). The migration is recorded as applied, the deploy goes on, and the code
that reads `events.payload` fails in production, while every test database built from an empty schema has the
column. `CREATE UNIQUE INDEX IF NOT EXISTS orders_ref_idx …` where a plain index of that name exists leaves the
column as non-unique as before; an index of the same name over other columns stays over the old ones.

## Use instead
Change the existing object explicitly: `ALTER TABLE events ADD COLUMN IF NOT EXISTS payload jsonb` for each
new column, or `DROP INDEX CONCURRENTLY orders_ref_idx` before creating the new definition (under a new name
first, when the old index must keep serving queries until the new one is built).
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import Catalog
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddIndex, CreateTable, Migration
from bot.rules._recreated import BASELINE, recreated
from bot.rules.context import Context

RULE = Rule(
    id="guarded-create-skipped",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.WARNING,
    help="ALTER the existing object (ADD COLUMN, DROP and re-create the index): IF NOT EXISTS skips the change.",
    bad=(
        "CREATE TABLE events (id bigint PRIMARY KEY, kind text);\n"
        "-- migration\n"
        "CREATE TABLE IF NOT EXISTS events (id bigint PRIMARY KEY, kind text, payload jsonb);",
    ),
    good=(
        "CREATE TABLE events (id bigint PRIMARY KEY, kind text);\n"
        "-- migration\n"
        "ALTER TABLE events ADD COLUMN IF NOT EXISTS payload jsonb;",
    ),
    dialects=("postgres", "mysql", "mariadb", "sqlite"),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if context.applied_file is not None:
        return  # a migration of the base branch, edited or renamed: applied-migration-edited's
    guarded = recreated(migration, context, guarded=True)
    if len(guarded) >= BASELINE:
        return  # a baseline of the whole schema: object-already-exists leaves it alone too
    for op in migration.up:
        if isinstance(op, CreateTable) and op in guarded:
            missing = _missing_columns(op, context.before(op))
            if missing:
                shown = ", ".join(f"`{c}`" for c in missing)
                yield op.finding(
                    RULE,
                    f"`CREATE TABLE IF NOT EXISTS {op.table}` is skipped where `{op.table}` already exists, and "
                    f"the existing table has no {shown}: the statement adds nothing.",
                    blast_radius=f"On every database that ran the earlier migrations, production included, "
                    f"`{op.table}` stays without {shown}; code that reads or writes "
                    f"{'them' if len(missing) > 1 else 'it'} fails there, while a database built from an empty "
                    "schema has it.",
                    fix=f"Add the columns to the existing table: `ALTER TABLE {op.table} ADD COLUMN IF NOT EXISTS "
                    f"{missing[0]} …;` for each of {shown}.",
                )
        elif isinstance(op, AddIndex) and op.if_not_exists and op.name:
            differs = _index_differs(op, context.before(op))
            if differs:
                yield op.finding(
                    RULE,
                    f"`CREATE INDEX IF NOT EXISTS {op.name}` is skipped: an index `{op.name}` already exists "
                    f"{differs}, and it stays as it is.",
                    blast_radius=f"The index this migration defines is never built where `{op.name}` exists, "
                    "production included"
                    + (": the columns stay as non-unique as before." if op.unique else "."),
                    fix=f"Drop the old index first (`DROP INDEX CONCURRENTLY {op.name};`), or build the new one "
                    "under another name and drop the old one after.",
                )


def _missing_columns(op: CreateTable, before: Catalog) -> list[str]:
    table = before.tables.get(op.table)
    if table is None or table.partial or before.is_new(op.table):
        return []
    return [spec.name for spec in op.columns if spec.name not in table.columns]


def _index_differs(op: AddIndex, before: Catalog) -> str:
    """How the existing index of the name differs from the one `op` defines ("" if it does not, or is
    unknown)."""
    existing = before.index_definitions.get(op.name)
    if existing is None or before.is_new(existing.table) or not op.columns:
        return ""
    if existing.table.rsplit(".", 1)[-1] != op.table.rsplit(".", 1)[-1]:
        return f"on `{existing.table}`"
    if _normal(existing.columns) != _normal(op.columns):
        return f"over ({', '.join(existing.columns)}) instead of ({', '.join(op.columns)})"
    if op.unique and not existing.unique:
        return "without UNIQUE"
    if _normal((existing.where,)) != _normal((op.where,)):
        return f"with {'the condition ' + existing.where if existing.where else 'no condition'}"
    return ""


def _normal(parts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(" ".join(p.replace('"', "").replace("`", "").lower().split()) for p in parts)
