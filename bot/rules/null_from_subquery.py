"""`SET column = (SELECT … WHERE …)` writes NULL into every row for which the sub-query finds no row.

## Why is this bad?
A scalar sub-query that matches nothing is NULL, not an error. `UPDATE orders SET region = (SELECT region
FROM customers c WHERE c.id = orders.customer_id)` erases the region of every order whose customer is
gone, or whose `customer_id` is NULL, and overwrites what those rows held before. On a NOT NULL column the
same statement fails on the first such row, after locking and rewriting the rows before it.

## Use instead
Keep the rows without a match out of the change, or say what they get:
`… WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = orders.customer_id)`, an `UPDATE … FROM customers c
WHERE c.id = orders.customer_id` join (which skips them), or `coalesce((SELECT …), region)`. Count them
first: `SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = o.customer_id)`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from bot.model.catalog import Catalog, same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataUpdate, Migration
from bot.rules.context import Context
from bot.sql.names import identifier, table_name
from bot.sql.statements import render
from bot.sql.writes import Write, aliases, writes

RULE = Rule(
    id="null-from-subquery",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Add `WHERE EXISTS (…)` (or join with UPDATE … FROM), or wrap the sub-query in `coalesce(…, column)`.",
    bad=(
        "CREATE TABLE customers (id bigint PRIMARY KEY, region text);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, region text);\n"
        "-- migration\n"
        "UPDATE orders SET region = (SELECT c.region FROM customers c WHERE c.id = orders.customer_id)"
        " WHERE id >= 1 AND id < 1000;",
    ),
    good=(
        "CREATE TABLE customers (id bigint PRIMARY KEY, region text);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, region text);\n"
        "-- migration\n"
        "UPDATE orders SET region = (SELECT c.region FROM customers c WHERE c.id = orders.customer_id)"
        " WHERE id >= 1 AND id < 1000 AND EXISTS (SELECT 1 FROM customers c WHERE c.id = orders.customer_id);",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DataUpdate) or op.expression is None:
            continue
        catalog = context.before(op)
        for write in writes(op):
            select = _scalar_select(write.value)
            if select is None or _always_one_row(select) or _kept_to_matches(write, op):
                continue
            inner = _inner_table(select)
            if not inner or not _correlated(select, write) or _matched_by_key(select, write, inner, catalog):
                continue
            column = catalog.column(op.table, write.target)
            fails = column is not None and not column.nullable
            sub = render(select, context.dialect)
            yield op.finding(
                RULE,
                f"`{op.table}.{write.target}` is set from the sub-query `({_short(sub)})`: every row of `{op.table}` "
                f"for which it finds no `{inner}` row gets NULL"
                + (", which the NOT NULL column refuses." if fails else ", overwriting its value."),
                severity=Severity.CRITICAL if fails else None,
                blast_radius=(
                    f"The statement fails at the first row of `{op.table}` without a matching `{inner}` row."
                    if fails
                    else f"Rows of {context.size_words(op.table)} without a matching `{inner}` row (a missing or "
                    f"NULL key) lose their `{write.target}`."
                ),
            )


def _short(sql: str) -> str:
    return sql if len(sql) <= 90 else sql[:87] + "…"


def _scalar_select(value: exp.Expression) -> exp.Select | None:
    node = value
    while isinstance(node, exp.Cast | exp.Paren):
        node = node.this
    if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select):
        return node.this
    return None


def _always_one_row(select: exp.Select) -> bool:
    """An aggregate without GROUP BY returns one row; count() is never NULL, coalesce(...) guards itself."""
    if select.args.get("group") is not None or len(select.expressions) != 1:
        return False
    projected = select.expressions[0]
    projected = projected.this if isinstance(projected, exp.Alias) else projected
    return isinstance(projected, exp.Count | exp.Coalesce) or (
        isinstance(projected, exp.Anonymous) and projected.name.lower() in ("ifnull", "nvl")
    )


def _kept_to_matches(write: Write, op: DataUpdate) -> bool:
    """The UPDATE's own condition keeps only rows with a match (EXISTS, IN (SELECT …)), or only rows whose
    target is already NULL (a sub-query under COALESCE is no bare sub-query to begin with)."""
    where = write.where
    if where is None:
        return False
    if any(not isinstance(e.parent, exp.Not) for e in where.find_all(exp.Exists)):
        return True
    if any(isinstance(i.args.get("query"), exp.Subquery | exp.Select) for i in where.find_all(exp.In)):
        return True
    return any(
        isinstance(node.this, exp.Column)
        and identifier(node.this.this) == write.target
        and isinstance(node.expression, exp.Null)
        and not isinstance(node.parent, exp.Not)
        and not node.args.get("negate")
        for node in where.find_all(exp.Is)
    )


def _inner_table(select: exp.Select) -> str:
    origin = select.args.get("from_")
    table = origin.find(exp.Table) if origin is not None else None
    return table_name(table) if table is not None else ""


def _correlated(select: exp.Select, write: Write) -> bool:
    """Does the sub-query's condition read the updated row (so its answer differs per row)?"""
    inner = aliases(select)
    where = select.args.get("where")
    if where is None:
        return False
    for column in where.find_all(exp.Column):
        qualifier = column.table
        if qualifier and qualifier not in inner and write.aliases.get(qualifier, qualifier) == write.table:
            return True
        if qualifier and qualifier in write.aliases and qualifier not in inner:
            return True
    return False


def _matched_by_key(select: exp.Select, write: Write, inner: str, catalog: Catalog) -> bool:
    """`WHERE c.id = orders.customer_id` where `customer_id` is NOT NULL and a foreign key to `c`'s table:
    every row has its match."""
    where = select.args.get("where")
    inner_names = aliases(select)
    for node in where.find_all(exp.EQ) if where is not None else ():
        sides = [node.this, node.expression]
        if not all(isinstance(s, exp.Column) for s in sides):
            continue
        for mine, theirs in (sides, sides[::-1]):
            if (
                not mine.table
                or mine.table in inner_names
                or not theirs.table
                or theirs.table not in inner_names
            ):
                continue
            outer_table = write.aliases.get(mine.table, mine.table)
            column = catalog.column(outer_table, identifier(mine.this))
            keyed = any(
                same_table(k.table, outer_table)
                and k.columns == (identifier(mine.this),)
                and same_table(k.references, inner)
                for k in catalog.foreign_keys.values()
            )
            if column is not None and not column.nullable and keyed:
                return True
    return False
