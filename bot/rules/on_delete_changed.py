"""A foreign key's ON DELETE that now deletes the children.

## Why is this bad?
Replacing `orders.customer_id REFERENCES customers` by the same key with `ON DELETE CASCADE` changes what a
delete of a customer does: it used to fail while the customer had orders, and now it deletes the orders with
it, silently, from every code path, admin screen and script that deletes customers, including the ones
written on the assumption that such a delete is refused. The rows are gone with no error to notice. Django's
`on_delete` is carried out by the ORM, not the database, so an `AlterField` from `PROTECT` to `CASCADE` sends no
statement at all, and changes the same thing for every delete through the ORM.

(A key that sets NULL in a NOT NULL column is `set-null-on-required-column`'s.)

## Use instead
Keep the refusing key and delete the children explicitly where that is meant (and only there), or check
every place that deletes the parent before making the cascade the database's rule; a backup of the children
before the first delete is cheap.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import Catalog, ForeignKey, same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, AddConstraint, ChangeOrmOnDelete, Migration, Operation
from bot.rules.context import Context

RULE = Rule(
    id="on-delete-changed",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Keep the refusing key and delete children explicitly, or check every delete of the parent first.",
    bad=(
        "CREATE TABLE customers (id bigint PRIMARY KEY);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL CONSTRAINT orders_customer_fk "
        "REFERENCES customers (id));\n"
        "-- migration\n"
        "ALTER TABLE orders DROP CONSTRAINT orders_customer_fk;\n"
        "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) "
        "ON DELETE CASCADE NOT VALID;",
    ),
    good=(
        "CREATE TABLE customers (id bigint PRIMARY KEY);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL CONSTRAINT orders_customer_fk "
        "REFERENCES customers (id));\n"
        "-- migration\n"
        "ALTER TABLE orders DROP CONSTRAINT orders_customer_fk;\n"
        "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) "
        "ON DELETE RESTRICT NOT VALID;",
    ),
)

_REFUSING = ("", "no action", "restrict")


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    seen: set[tuple[str, tuple[str, ...], int]] = set()  # `ADD COLUMN … REFERENCES` is a column and a key
    cascades: list[tuple[Operation, str, tuple[str, ...], str, str]] = []
    for op in migration.up:
        if isinstance(op, ChangeOrmOnDelete):
            orm = _orm_cascade(op, context)
            if orm is not None:
                cascades.append(orm)
            continue
        key = _declared(op)
        if key is None or (key[0], key[1], op.location.line) in seen:
            continue
        seen.add((key[0], key[1], op.location.line))
        table, columns, references, action = key
        if action == "cascade" and not context.catalog.is_new(table):
            old = _existing(context.catalog, table, columns, references)
            if old is not None and old.on_delete.lower() in (*_REFUSING, "set null", "set default"):
                cascades.append((op, table, columns, references, old.on_delete.lower() or "no action"))
    if cascades:
        yield _cascade(cascades, context)


def _orm_cascade(
    op: ChangeOrmOnDelete, context: Context
) -> tuple[Operation, str, tuple[str, ...], str, str] | None:
    """Django's `on_delete` changed to CASCADE in the models (the ORM deletes the rows itself): what a delete of
    the parent did before, from the key's ORM action, else the database's."""
    if op.on_delete != "cascade" or context.catalog.is_new(op.table):
        return None
    key = next(
        (
            k
            for k in context.before(op).foreign_keys.values()
            if same_table(k.table, op.table) and k.columns == (op.column,)
        ),
        None,
    )
    if key is None:
        return None
    was = (key.orm_on_delete or key.on_delete).lower()
    if was not in (*_REFUSING, "protect", "do nothing", "set null", "set default"):
        return None
    return op, op.table, (op.column,), key.references, was or "no action"


def _declared(op: Operation) -> tuple[str, tuple[str, ...], str, str] | None:
    """(table, columns, referenced table, ON DELETE) of a foreign key the operation declares."""
    if isinstance(op, AddConstraint) and op.constraint == "foreign_key" and op.references:
        return op.table, op.columns, op.references, op.on_delete.lower()
    if isinstance(op, AddColumn) and op.column.references:
        return op.table, (op.column.name,), op.column.references, op.column.on_delete.lower()
    return None


def _existing(catalog: Catalog, table: str, columns: tuple[str, ...], references: str) -> ForeignKey | None:
    """The key the schema held before the migration on the same columns to the same table."""
    wanted = tuple(c.lower() for c in columns)
    return next(
        (
            k
            for k in catalog.foreign_keys.values()
            if same_table(k.table, table)
            and tuple(c.lower() for c in k.columns) == wanted
            and same_table(k.references, references)
        ),
        None,
    )


def _cascade(cascades: list[tuple[Operation, str, tuple[str, ...], str, str]], context: Context) -> Finding:
    """One finding for the keys of a migration that now cascade: one decision, said once."""
    op, table, columns, references, was = cascades[0]
    before = (
        f"failed while it had `{table}` rows"
        if was in (*_REFUSING, "protect", "do nothing")
        else f"set their `{', '.join(columns)}` to " + ("NULL" if was == "set null" else "its default")
    )
    first = (
        f"The foreign key from `{table}` ({', '.join(columns)}) to `{references}` changes from ON DELETE "
        f"{was.upper()} to CASCADE{' (the ORM deletes them itself)' if isinstance(op, ChangeOrmOnDelete) else ''}: a "
        f"delete of a `{references}` row, which {before}, now deletes its `{table}` rows with it, silently"
    )
    others = [f"`{t}` ({', '.join(c)}) → `{r}`" for _, t, c, r, _ in cascades[1:]]
    counted = "So does 1 more key" if len(others) == 1 else f"So do {len(others)} more keys"
    listed = ", ".join(others[:6]) + (" …" if len(others) > 6 else "")
    more = f". {counted}: {listed}" if others else ""
    children = list(dict.fromkeys(t for _, t, _, _, _ in cascades))
    return op.finding(
        RULE,
        first + more + ".",
        blast_radius="Every row of "
        + ", ".join(context.size_words(t) for t in children[:4])
        + (" and more" if len(children) > 4 else "")
        + " whose parent any code path deletes from now on.",
        fix=f"Keep ON DELETE {was.upper()} and delete the children explicitly where that is meant, or check every place "
        "that deletes the parents (and back up the children) before making CASCADE the rule.",
    )
