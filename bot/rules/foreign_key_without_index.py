"""A foreign key without an index on its columns makes every delete on the parent scan the child table.

## Why is this bad?
PostgreSQL indexes the referenced side of a foreign key (its primary key) but not the referencing
columns. Each `DELETE` or key `UPDATE` on the parent table then scans the whole child table to look for
references, under a lock, and `ON DELETE CASCADE` does so once per deleted row. Joins from parent to
child are sequential scans too. It grows slower with the child table, until deletes time out.

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

from bot.model.catalog import Catalog
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, AddConstraint, AddIndex, CreateTable, Migration, Operation
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
    if not foreign_keys:
        return
    # The index keys of the referencing tables, as they will be after this migration.
    catalog = Catalog(
        keys={table: list(context.catalog.keys.get(table, [])) for _, table, _, _ in foreign_keys}
    )
    for op in migration.up:
        if isinstance(op, CreateTable | AddIndex | AddConstraint):
            catalog.apply(op)
    for op, table, columns, parent in foreign_keys:
        if catalog.has_index_on(table, columns):
            continue
        cols = ", ".join(columns)
        yield op.finding(
            RULE,
            f"The foreign key `{table}` ({cols}) → `{parent or '…'}` has no index on ({cols}).",
            blast_radius=f"Every DELETE on `{parent or 'the parent table'}` scans `{table}` for references; "
            "cascading deletes and joins slow down as the table grows.",
            fix=f"Add `CREATE INDEX CONCURRENTLY {_index_name(table, columns)} ON {table} ({cols});` "
            "in this pull request.",
        )


def _foreign_keys(migration: Migration) -> Iterator[tuple[Operation, str, tuple[str, ...], str]]:
    for op in migration.up:
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
