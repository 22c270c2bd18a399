"""A table's primary key is dropped without a new one taking its place.

## Why is this bad?
While foreign keys reference it, `ALTER TABLE users DROP CONSTRAINT users_pkey` fails ("other objects
depend on it") and the deploy stops there; with `CASCADE` it silently drops those foreign keys too, and
the tables that pointed at `users` can from then on hold ids of rows that do not exist. Without a primary
key, nothing stops two rows from sharing an id; a table published for logical replication refuses every
UPDATE and DELETE ("does not have a replica identity"); and ORMs that address rows by their key (Rails,
Django, Hibernate) update or delete the wrong rows, or all rows sharing the id.

## Use instead
Swap keys in one step: build the new unique index `CONCURRENTLY`, then in one transaction drop the old
constraint and `ADD CONSTRAINT … PRIMARY KEY USING INDEX` the new one, re-pointing the foreign keys that
need it first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from bot.model.catalog import Catalog
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddConstraint, DropConstraint, DropTable, Migration, Operation
from bot.rules.context import Context

RULE = Rule(
    id="primary-key-dropped",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Replace the key in the same step (`ADD CONSTRAINT … PRIMARY KEY USING INDEX` a unique index built "
    "concurrently), and re-point the foreign keys that reference it first.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n"
        "-- migration\nALTER TABLE users DROP CONSTRAINT users_pkey;",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY, uuid uuid NOT NULL, email text);\n"
        "CREATE UNIQUE INDEX users_uuid_key ON users (uuid);\n"
        "-- migration\nALTER TABLE users DROP CONSTRAINT users_pkey;\n"
        "ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_uuid_key;",
    ),
    dialects=("postgres", "mysql"),
)
_CASCADE = re.compile(r"\bCASCADE\s*;?\s*$", re.I)
_MYSQL_DROP = re.compile(r"\bDROP\s+PRIMARY\s+KEY\b", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    ops = migration.up
    for index, op in enumerate(ops):
        if not isinstance(op, DropConstraint) and not (context.mysql and _MYSQL_DROP.search(op.sql)):
            continue
        table = _dropped_key(op, context.before(op), context.mysql)
        if table is None or context.catalog.is_new(table) or _replaced(table, ops[index:]):
            continue
        catalog = context.before(op)
        columns = catalog.primary_keys.get(table, ())
        dependents = sorted(
            f"{fk.table}.{', '.join(fk.columns)}"
            for fk in catalog.foreign_keys.values()
            if fk.references.rsplit(".", 1)[-1] == table.rsplit(".", 1)[-1] and fk.table != table
        )
        yield _finding(op, table, columns, dependents, bool(_CASCADE.search(op.sql.strip())), context)


def _dropped_key(op: Operation, catalog: Catalog, mysql: bool) -> str | None:
    """The table whose primary key `op` drops, if it does."""
    if isinstance(op, DropConstraint):
        kind = catalog.constraints.get(op.name)
        implied = op.name == f"{op.table.rsplit('.', 1)[-1]}_pkey" and op.table in catalog.primary_keys
        return op.table if kind == "primary_key" or implied else None
    table = str(getattr(op, "table", ""))
    return table if mysql and table and _MYSQL_DROP.search(op.sql) is not None else None


def _replaced(table: str, later: Sequence[Operation]) -> bool:
    """A new primary key added (by the same statement or a later one), or the table dropped, in the rest of the
    migration."""
    return any(
        (isinstance(op, AddConstraint) and op.table == table and op.constraint == "primary_key")
        or (isinstance(op, DropTable) and table in op.tables)
        or (str(getattr(op, "table", "")) == table and _MYSQL_ADD.search(op.sql) is not None)
        for op in later
    )


_MYSQL_ADD = re.compile(r"\bADD\s+PRIMARY\s+KEY\b", re.I)


def _finding(
    op: Operation,
    table: str,
    columns: tuple[str, ...],
    dependents: list[str],
    cascade: bool,
    context: Context,
) -> Finding:
    key = f"`{table}` ({', '.join(columns)})" if columns else f"`{table}`"
    shown = ", ".join(f"`{d}`" for d in dependents[:5]) + (
        f" and {len(dependents) - 5} more" if len(dependents) > 5 else ""
    )
    if dependents and cascade:
        return op.finding(
            RULE,
            f"The primary key of {key} is dropped with CASCADE, which also drops the foreign keys of {shown}.",
            blast_radius="Those tables can from now on hold ids of rows that do not exist; nothing checks them.",
        )
    if dependents:
        return op.finding(
            RULE,
            f"The primary key of {key} is dropped while foreign keys reference it ({shown}).",
            blast_radius="The database refuses the drop (the foreign keys depend on it): the migration fails here, on "
            "every database.",
        )
    return op.finding(
        RULE,
        f"The primary key of {key} is dropped and no new one replaces it in this migration.",
        severity=Severity.WARNING,
        blast_radius=f"Nothing stops duplicate ids in {context.size_words(table)}; if the table is published for "
        "logical replication, its UPDATEs and DELETEs fail (no replica identity); ORMs address rows by the key.",
    )
