"""A foreign key without an index on its columns makes every delete on the parent scan the child table.

## Why is this bad?
PostgreSQL indexes the referenced side of a foreign key (its primary key) but not the referencing
columns. Each `DELETE` or key `UPDATE` on the parent table then scans the whole child table to look for
references, under a lock, and `ON DELETE CASCADE` does so once per deleted row. Joins from parent to
child are sequential scans too. It grows slower with the child table, until deletes time out.

A partial index (`WHERE deleted_at IS NULL`) holds only some rows, so those checks cannot use it; one
whose predicate only says the columns are NOT NULL can. Dropping the index a foreign key's checks use is
a warning: the deletes on the parent and the joins that use it today turn into scans of the child table the
moment it goes. Adding only a partial index for a foreign key that has none is reported too.

## Use instead
Index the referencing columns (leading columns of some index):
`CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);`, in the same pull request.

## Framework notes
MySQL and MariaDB (InnoDB) create the index themselves when a foreign key needs one, so this rule is
for PostgreSQL. Rails `add_reference` and Django `ForeignKey` add the index by default; this catches
raw SQL and `index: false` / `db_index=False`.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import Catalog, same_table
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
    temporary_tables,
)
from bot.rules.context import Context

RULE = Rule(
    id="foreign-key-without-index",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.INFO,
    help="Add an index whose leading columns are the foreign key's columns.",
    bad=("CREATE TABLE order_items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));",),
    good=(
        "CREATE TABLE order_items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));\n"
        "CREATE INDEX order_items_order_id_idx ON order_items (order_id);",
    ),
    dialects=("postgres",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    foreign_keys = list(_foreign_keys(migration))
    touched = list(_index_changes(migration, context.catalog))
    if not foreign_keys and not touched:
        return
    after = context.catalog.snapshot()  # the keys, indexes and foreign keys as this migration leaves them
    for op in migration.up:
        # a dropped column takes its foreign keys with it (`remove_index` of a key's column, then the column)
        if isinstance(
            op, CreateTable | AddIndex | AddConstraint | DropIndex | DropConstraint | DropTable | DropColumn
        ):
            after.apply(op)
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for op, table, columns, parent in foreign_keys:
        if (table, columns) in seen:
            continue  # `ADD COLUMN … REFERENCES`: read as the column and as its constraint, one key
        seen.add((table, columns))
        if not after.serves_lookups(table, columns):
            cols = ", ".join(columns)
            message = f"The foreign key `{table}` ({cols}) → `{parent or '…'}` has no index on ({cols})."
            yield _finding(op, table, columns, parent, message, migration.framework)
    yield from _left_without_index(touched, context.catalog, after)


def _left_without_index(
    touched: list[tuple[AddIndex | DropIndex, str]], before: Catalog, after: Catalog
) -> Iterator[Finding]:
    """Foreign keys that exist before the migration and that an index it drops, or a partial index it adds
    on their columns, leaves without an index their checks can use."""
    reported: set[str] = set()
    for op, table in touched:
        for name, key in after.foreign_keys.items():
            if name in reported or name not in before.foreign_keys or not same_table(key.table, table):
                continue
            if after.serves_lookups(key.table, key.columns):
                continue
            cols = ", ".join(key.columns)
            subject = f"the foreign key `{key.table}` ({cols}) → `{key.references}`"
            if isinstance(op, DropIndex) and _another_drop_served(op, key.columns, touched, before):
                continue  # the index that served the key is dropped by a later statement: that one says so
            if isinstance(op, DropIndex) and before.serves_lookups(key.table, key.columns):
                message = f"Dropping index `{op.name}` leaves {subject} without an index its checks can use."
            elif isinstance(op, AddIndex) and _leads(op.columns, key.columns):
                named = f" `{op.name}`" if op.name else ""
                message = (
                    f"The index{named} on ({', '.join(op.columns)}) is partial (WHERE {op.where}): the checks "
                    f"of {subject} cannot use it, and it still has no index on ({cols})."
                )
            else:
                continue
            reported.add(name)
            found = _finding(op, key.table, key.columns, key.references, message)
            # the deletes and joins that use the index today slow down the moment it goes
            yield found.with_severity(Severity.WARNING) if isinstance(op, DropIndex) else found


def _another_drop_served(
    op: DropIndex, columns: tuple[str, ...], touched: list[tuple[AddIndex | DropIndex, str]], before: Catalog
) -> bool:
    """Another index the migration drops is the one led by the key's columns, where this one is not."""

    def led(name: str) -> bool:
        return before.index_columns.get(name, ())[: len(columns)] == tuple(c.lower() for c in columns)

    return not led(op.name) and any(
        isinstance(other, DropIndex) and other is not op and led(other.name) for other, _ in touched
    )


def _finding(
    op: Operation, table: str, columns: tuple[str, ...], parent: str, message: str, framework: str = ""
) -> Finding:
    fix = f"Add `CREATE INDEX CONCURRENTLY {_index_name(table, columns)} ON {table} ({', '.join(columns)});` "
    if framework in ("prisma", "prisma-push"):
        fix = f"Add `@@index([{', '.join(columns)}])` to the model of `{table}` in this pull request"
        fix += (
            " (db push builds it without CONCURRENTLY: on a large table, create it by hand first)."
            if framework == "prisma-push"
            else "."
        )
        return op.finding(RULE, message, blast_radius=_blast(table, parent), fix=fix)
    return op.finding(
        RULE,
        message,
        blast_radius=_blast(table, parent),
        fix=fix + "in this pull request.",
    )


def _blast(table: str, parent: str) -> str:
    return (
        f"Every DELETE on `{parent or 'the parent table'}` scans `{table}` for references; "
        "cascading deletes and joins slow down as the table grows."
    )


def _index_changes(migration: Migration, catalog: Catalog) -> Iterator[tuple[AddIndex | DropIndex, str]]:
    """The partial indexes the migration adds and the indexes it drops, with their table: what can leave a
    foreign key that exists before the migration without an index its checks can use."""
    for op in migration.up:
        if isinstance(op, AddIndex) and op.where:
            yield op, op.table
        elif isinstance(op, DropIndex) and (table := op.table or catalog.indexes.get(op.name, "")):
            yield op, table


def _leads(index_columns: tuple[str, ...], key: tuple[str, ...]) -> bool:
    """Are the foreign key's columns the leading columns of the index?"""
    names = tuple(c.strip().strip('"').lower() for c in index_columns)
    return bool(key) and names[: len(key)] == tuple(c.lower() for c in key)


def _foreign_keys(migration: Migration) -> Iterator[tuple[Operation, str, tuple[str, ...], str]]:
    temporary = temporary_tables(migration)  # gone with the session: no delete of a parent ever scans it
    for op in migration.up:
        if getattr(op, "table", None) in temporary:
            continue
        if isinstance(op, CreateTable):
            for column in op.columns:
                if column.references:
                    yield op, op.table, (column.name,), column.references
            for constraint in op.constraints:
                if constraint.constraint == "foreign_key" and constraint.columns:
                    yield op, op.table, constraint.columns, constraint.references or ""
        elif isinstance(op, AddColumn) and op.column.references:
            yield op, op.table, (op.column.name,), op.column.references
        elif isinstance(op, AddConstraint) and op.constraint == "foreign_key" and op.columns:
            yield op, op.table, op.columns, op.references or ""


def _index_name(table: str, columns: tuple[str, ...]) -> str:
    return f"{table.rsplit('.', 1)[-1]}_{'_'.join(columns)}_idx"[:63]
