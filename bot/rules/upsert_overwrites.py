"""A migration's upsert that overwrites rows production already has (`ON CONFLICT … DO UPDATE`, MySQL's
`ON DUPLICATE KEY UPDATE` and `REPLACE`).

## Why is this bad?
Seed rows written by a migration meet the rows production has: settings an administrator changed, plans a
customer edited, permissions adjusted by hand. `INSERT INTO settings (key, value) VALUES ('signup_enabled',
'true') ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value` sets every such row back to the migration's
value, silently, on every database it runs on, and the value that was there is gone (the down cannot know
it). MySQL's `REPLACE INTO` is worse: it deletes the existing row and inserts a new one, so foreign keys
with `ON DELETE CASCADE` delete the row's children, `ON DELETE SET NULL` detaches them, and every column
the statement does not list falls back to its default.

An upsert whose keys are new (none of them among the rows the earlier migrations seeded into the table) is
there to make the migration re-runnable and is not reported either. An upsert that computes its rows from
other tables (`INSERT INTO post_metrics … SELECT … ON CONFLICT DO
UPDATE`) recomputes them on purpose and is not reported.

## Use instead
Insert what is missing and leave existing rows alone: `ON CONFLICT (key) DO NOTHING` (MySQL: `INSERT
IGNORE`, or `ON DUPLICATE KEY UPDATE key = key`). If a seeded value really must change, change it only
where it still holds the old seeded value: `ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value WHERE
settings.value = 'false'` (MySQL: an `UPDATE … WHERE value = 'false'`). Never `REPLACE` a row other tables
point at.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataInsert, Migration
from bot.rules.context import Context

RULE = Rule(
    id="upsert-overwrites",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Insert only what is missing (`ON CONFLICT DO NOTHING`, `INSERT IGNORE`), or update only rows that "
    "still hold the old seeded value.",
    bad=(
        "CREATE TABLE settings (id bigint PRIMARY KEY, key text NOT NULL UNIQUE, value text NOT NULL);\n"
        "-- migration\n"
        "INSERT INTO settings (id, key, value) VALUES (7, 'signup_enabled', 'true')\n"
        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;",
    ),
    good=(
        "CREATE TABLE settings (id bigint PRIMARY KEY, key text NOT NULL UNIQUE, value text NOT NULL);\n"
        "-- migration\n"
        "INSERT INTO settings (id, key, value) VALUES (7, 'signup_enabled', 'true')\n"
        "ON CONFLICT (key) DO NOTHING;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DataInsert) or context.catalog.is_new(op.table):
            continue
        if op.replaces:
            yield _replaced(op, context)
        elif op.overwrites and not op.from_select and not _only_new_keys(op, context):
            # an INSERT … SELECT upsert recomputes rows on purpose
            columns = ", ".join(f"`{c}`" for c in op.overwrites)
            yield op.finding(
                RULE,
                f"This upsert sets {columns} of every `{op.table}` row that already has the same key to the "
                "migration's values, whatever production holds there now.",
                blast_radius=f"Rows of {context.size_words(op.table)} that exist on each database it runs on: "
                "values changed since they were seeded (by administrators, customers, earlier fixes) are "
                "overwritten, and the down cannot restore them.",
                fix="Leave existing rows alone (`ON CONFLICT … DO NOTHING`; MySQL `INSERT IGNORE`), or add a "
                f"condition that only updates rows still holding the old seeded value (`DO UPDATE SET … WHERE "
                f"{op.table}.{op.overwrites[0]} = <old value>`).",
            )


def _only_new_keys(op: DataInsert, context: Context) -> bool:
    """The migrations seeded this table, and none of the rows upserted has the key of a seeded row: the
    `ON CONFLICT` branch is there to make the migration re-runnable, not to rewrite rows that exist."""
    catalog = context.before(op)
    seeded = catalog.seeds.get(op.table)
    if not seeded or not op.rows:
        return False
    for key in catalog.unique_keys(op.table) or [catalog.row_key(op.table)]:
        if not key or not all(column in op.columns for column in key):
            continue
        existing = {tuple(row.get(column) for column in key) for row in seeded}
        at = [op.columns.index(column) for column in key]
        rows = [row for row in op.rows if len(row) == len(op.columns)]
        return not any(tuple(row[i] for i in at) in existing for row in rows)
    return False


def _replaced(op: DataInsert, context: Context) -> Finding:
    children = sorted(
        {
            (key.table, key.on_delete)
            for key in context.catalog.foreign_keys.values()
            if key.references == op.table and key.on_delete in ("cascade", "set null", "set default")
        }
    )
    cascades = [table for table, action in children if action == "cascade"]
    described = ", ".join(f"`{table}` ({action.upper()})" for table, action in children)
    return op.finding(
        RULE,
        f"`{_verb(op)} {op.table}` deletes every existing row with the same key and inserts a new one: "
        "columns it does not list fall back to their defaults"
        + (f", and the delete reaches {described}." if children else "."),
        severity=Severity.CRITICAL if cascades else RULE.severity,
        blast_radius=f"Rows of {context.size_words(op.table)} that exist with these keys"
        + (
            f", and every row of {', '.join(f'`{t}`' for t in cascades)} that points at them."
            if cascades
            else "."
        ),
        fix="Insert only what is missing (`INSERT IGNORE`), or update the existing rows in place (`INSERT … ON "
        "DUPLICATE KEY UPDATE` naming only the columns to set, or an `UPDATE`).",
    )


def _verb(op: DataInsert) -> str:
    return "INSERT OR REPLACE INTO" if op.sql.lstrip().upper().startswith("INSERT") else "REPLACE INTO"
