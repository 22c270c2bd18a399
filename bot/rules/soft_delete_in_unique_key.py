"""A unique key that includes a soft-delete column does not keep live rows unique.

## Why is this bad?
Live rows have `deleted_at` NULL, and a unique index treats NULLs as distinct from each other (PostgreSQL,
MySQL, MariaDB and SQLite alike). `UNIQUE (variant_id, deleted_at)` therefore accepts any number of live rows
with the same `variant_id`: it only stops two rows deleted at the same instant. The uniqueness the code
expects (a validation scoped to `deleted_at`, a `get_or_create`) holds until two requests race, and the
duplicates it lets in are found later, in reports and joins that double-count.

## Use instead
Make the index about live rows only: `CREATE UNIQUE INDEX … ON stock_items (variant_id) WHERE deleted_at IS
NULL` (PostgreSQL, SQLite; Rails `where: "deleted_at IS NULL"`, Django `UniqueConstraint(condition=Q(deleted_at=None))`).
On PostgreSQL 15+, `NULLS NOT DISTINCT` makes NULLs collide when deleted rows must stay unique too. MySQL and
MariaDB have no partial index: key on a generated column that is never NULL, such as
`(IFNULL(deleted_at, '1970-01-01'))`.

## Framework notes
Soft-delete columns are recognised by name (`deleted_at`, `archived_at`, `discarded_at`, `removed_at`,
`destroyed_at`, `trashed_at`); one the schema declares NOT NULL (a sentinel value instead of NULL) is left alone,
and so is a key whose other columns are unique on their own already (`UNIQUE (client_id, user_id, deleted_at)`
where `client_id` is unique: an index for lookups, whose live rows cannot repeat anyway).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration
from bot.probe.questions import added_unique_key
from bot.rules.context import Context

RULE = Rule(
    id="soft-delete-in-unique-key",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Index the live rows only (`… WHERE deleted_at IS NULL`), or use NULLS NOT DISTINCT on PostgreSQL 15+.",
    bad=(
        "CREATE UNIQUE INDEX stock_items_variant ON stock_items (variant_id, deleted_at);",
        "ALTER TABLE stock_items ADD CONSTRAINT stock_items_variant UNIQUE (variant_id, deleted_at);",
    ),
    good=(
        "CREATE UNIQUE INDEX stock_items_variant ON stock_items (variant_id) WHERE deleted_at IS NULL;",
        "CREATE UNIQUE INDEX stock_items_variant ON stock_items (variant_id, deleted_at) NULLS NOT DISTINCT;",
        "CREATE UNIQUE INDEX stock_items_variant ON stock_items (variant_id, location_id);",
    ),
)

_SOFT_DELETE = re.compile(r"(deleted|archived|discarded|removed|destroyed|trashed)_(at|on)", re.I)
_NULLS_COLLIDE = re.compile(r"nulls[\s_]+not[\s_]+distinct", re.I)  # SQL, and Rails' nulls_not_distinct:


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        added = added_unique_key(op)
        if added is None or added.where:
            continue
        unique, columns, what = added.op, added.columns, added.label
        names = [c.strip().strip('"`').lower() for c in columns]
        soft = [n for n in names if _SOFT_DELETE.fullmatch(n)]
        if not soft or len(soft) == len(names) or _NULLS_COLLIDE.search(op.sql):
            continue
        catalog = context.before(op)
        known = catalog.column(unique.table, soft[0])
        if known is not None and not known.nullable:
            continue  # a sentinel instead of NULL: live rows do collide
        live_columns = {n for n in names if n not in soft}
        if any(key and set(key) <= live_columns for key in catalog.unique_keys(unique.table)):
            continue  # the live columns hold a key of their own already: the index adds no uniqueness to lose
        live = ", ".join(n for n in names if n not in soft)
        yield unique.finding(
            RULE,
            f"The {what} on `{unique.table}` ({', '.join(names)}) does not keep live rows unique: their "
            f"`{soft[0]}` is NULL, and NULLs never equal each other in a unique key.",
            blast_radius=f"Any number of live rows of {context.size_words(unique.table)} with the same ({live}) are "
            "accepted; the uniqueness the code expects holds only until two requests race, and the duplicates "
            "surface later in joins and reports.",
            fix=f"Index the live rows only: `CREATE UNIQUE INDEX … ON {unique.table} ({live}) WHERE {soft[0]} IS "
            "NULL` (Rails `where:`, Django `UniqueConstraint(condition=…)`); on PostgreSQL 15+ `NULLS NOT "
            "DISTINCT` if deleted rows must stay unique too; on MySQL key a never-NULL generated column.",
        )
