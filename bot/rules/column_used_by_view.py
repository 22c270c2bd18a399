"""A column a view reads is dropped or changes type: PostgreSQL refuses it, or CASCADE drops the view.

## Why is this bad?
PostgreSQL records which columns each view (and materialized view) reads. `ALTER TABLE orders DROP COLUMN
note` while the view `order_summaries` selects `note` fails: `cannot drop column note of table orders because
other objects depend on it`. `ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2)` fails the same way
for a column a view reads, whatever the new type (`cannot alter type of a column used by a view or rule`).
The deploy stops at that statement. With `DROP COLUMN … CASCADE` (and Django's `RemoveField`, whose schema
editor always adds CASCADE) the drop succeeds and takes the views with it, silently: every query, report
and job that reads them fails from then on. SQLite refuses to drop a column that a view or a trigger names.

## Use instead
Drop the view first and create it again after the change, in the same migration (and in the same
transaction on PostgreSQL, so nothing sees the schema without it):

```sql
DROP VIEW order_summaries;
ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);
CREATE VIEW order_summaries AS SELECT id, total FROM orders;
```

For a dropped column, create the view again without it, after checking who reads it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.catalog import Catalog, DatabaseObject
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AlterColumnType, DropColumn, Migration
from bot.rules.context import Context

RULE = Rule(
    id="column-used-by-view",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Drop the view first and create it again after the change, in the same migration.",
    bad=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(10,2), note text);\n"
        "CREATE VIEW order_summaries AS SELECT id, total FROM orders;\n"
        "-- migration\n"
        "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);",
    ),
    good=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(10,2), note text);\n"
        "CREATE VIEW order_summaries AS SELECT id, total FROM orders;\n"
        "-- migration\n"
        "DROP VIEW order_summaries;\n"
        "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);\n"
        "CREATE VIEW order_summaries AS SELECT id, total FROM orders;",
    ),
    dialects=("postgres", "sqlite"),
)

_CASCADE = re.compile(r"\bCASCADE\b", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not (context.postgres or context.dialect == "sqlite"):
        return
    for op in migration.up:
        if not isinstance(op, DropColumn | AlterColumnType):
            continue
        if isinstance(op, AlterColumnType) and not context.postgres:
            continue  # SQLite has no ALTER COLUMN; the rebuild it writes instead is read as such
        catalog = context.before(op)
        views = _readers(catalog, op.table, op.column, sqlite=not context.postgres)
        if not views:
            continue
        named = ", ".join(f"`{v.name}`" for v in views[:5]) + (
            f" and {len(views) - 5} more" if len(views) > 5 else ""
        )
        what = "the view" if len(views) == 1 else "the views"
        cascade = isinstance(op, DropColumn) and (
            bool(_CASCADE.search(op.sql)) or migration.framework == "django"
        )
        if cascade:
            how = (
                "Django's RemoveField drops it with CASCADE" if migration.framework == "django" else "CASCADE"
            )
            yield op.finding(
                RULE,
                f"Dropping `{op.table}.{op.column}` also drops {what} {named}, which read{'s' if len(views) == 1 else ''}"
                f" it ({how}): nothing else in the migration says so.",
                blast_radius=f"Every query, report and job that reads {named} fails from the moment the migration "
                "runs; the view's definition is gone with it.",
                fix=f"Drop {what} explicitly before the column and create {'it' if len(views) == 1 else 'them'} "
                "again without it in the same migration, or say why no one reads them any more.",
            ).with_severity(Severity.WARNING)
            continue
        change = "dropping" if isinstance(op, DropColumn) else "changing the type of"
        refusal = (
            "cannot drop column … because other objects depend on it"
            if isinstance(op, DropColumn)
            else "cannot alter type of a column used by a view or rule"
        )
        database = "PostgreSQL" if context.postgres else "SQLite"
        yield op.finding(
            RULE,
            f"{database} refuses {change} `{op.table}.{op.column}`: {what} {named} read{'s' if len(views) == 1 else ''}"
            f" it (`{refusal}`).",
            blast_radius="The deploy stops at this statement on every database that has the view"
            + (", and the statements before it in the transaction roll back." if context.postgres else "."),
            fix=f"Drop {what} first (`DROP VIEW {views[0].name};`), make the change, then create "
            f"{'it' if len(views) == 1 else 'them'} again, in the same migration.",
        )


def _readers(catalog: Catalog, table: str, column: str, *, sqlite: bool) -> list[DatabaseObject]:
    """The views (and, on SQLite, triggers) whose definition reads the column, one each, by name."""
    kinds = ("view", "trigger") if sqlite else ("view", "materialized view")
    found: dict[str, DatabaseObject] = {}
    for obj, _ in catalog.dependents(table, column):
        if obj.kind in kinds and (sqlite or obj.tracked or obj.kind == "materialized view"):
            found.setdefault(obj.name, obj)
    return [found[name] for name in sorted(found)]
