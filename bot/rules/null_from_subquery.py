"""A written value that is NULL where a sub-query or an outer join finds no row.

## Why is this bad?
A scalar sub-query that matches nothing is NULL, not an error. `UPDATE orders SET region = (SELECT region
FROM customers c WHERE c.id = orders.customer_id)` erases the region of every order whose customer is
gone, or whose `customer_id` is NULL, and overwrites what those rows held before. On a NOT NULL column the
same statement fails on the first such row, after locking and rewriting the rows before it.

The same holds for an `INSERT … SELECT` whose value is such a sub-query or a column of a `LEFT JOIN`ed table
(NULL where the join found nothing): a NOT NULL column refuses the row, and a column with a default gets
NULL instead of its default. A lookup that does not depend on the row, `SET status_id = (SELECT id FROM
statuses WHERE code = 'active')`, writes NULL into every row when the looked-up row is missing where the
migration runs, and fails with "more than one row returned by a subquery" when the condition is no unique
key. The correlation is read the way the database reads it: an unqualified name the sub-query's table does
not have belongs to the outer table, and `UPDATE orders SET … = (SELECT … FROM orders WHERE orders.parent_id =
orders.id)` correlates nothing: inside the sub-query `orders` is the sub-query's own table.

## Use instead
Keep the rows without a match out of the change, or say what they get:
`… WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = orders.customer_id)`, an `UPDATE … FROM customers c
WHERE c.id = orders.customer_id` join (which skips them), an inner `JOIN` instead of the `LEFT JOIN`, or
`coalesce((SELECT …), region)`. An aggregate over a join (`SET length = (SELECT max(…) FROM entries e JOIN …
WHERE …)`) is safe when the UPDATE's own `FROM` and `WHERE` repeat the sub-query's: it then updates only
rows that have something to aggregate. Count them first: `SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1
FROM customers c WHERE c.id = o.customer_id)`. Look up by a unique key the migrations seed (or insert the row
in the same migration), so the lookup finds exactly one row everywhere.

## Framework notes
A Django data migration's `update()` is read as the SQL it sends: `update(name=Subquery(Customer.objects
.filter(id=OuterRef("customer_id")).values("name")[:1]))` is the correlated sub-query above, and
`filter(Exists(…))`, `filter(customer__isnull=False)` on a foreign key and `Coalesce(Subquery(…), F(…))` are
its guards.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from bot.model.catalog import Catalog, Column, same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.markup import code_span
from bot.model.migration import AddColumn, DataInsert, DataUpdate, Migration
from bot.rules.context import Context
from bot.sql.names import identifier
from bot.sql.statements import render
from bot.sql.subqueries import (
    INNER,
    OUTER,
    UNKNOWN,
    always_one_row,
    inner_table,
    optional_aliases,
    outer_table,
    pinned,
    placed,
    scalar_select,
    seeded,
    shadowed,
)
from bot.sql.writes import Write, conjuncts, guarded, inner_joined, not_null_in, writes

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
        "CREATE TABLE statuses (id bigint PRIMARY KEY, code text);\n"
        "CREATE TABLE tickets (id bigint PRIMARY KEY, status_id bigint NOT NULL, title text);\n"
        "CREATE TABLE imported (id bigint PRIMARY KEY, title text);\n"
        "-- migration\n"
        "INSERT INTO tickets (id, title, status_id)"
        " SELECT id, title, (SELECT id FROM statuses WHERE code = 'open') FROM imported;",
    ),
    good=(
        "CREATE TABLE customers (id bigint PRIMARY KEY, region text);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, region text);\n"
        "-- migration\n"
        "UPDATE orders SET region = (SELECT c.region FROM customers c WHERE c.id = orders.customer_id)"
        " WHERE id >= 1 AND id < 1000 AND EXISTS (SELECT 1 FROM customers c WHERE c.id = orders.customer_id);",
        "CREATE TABLE statuses (id bigint PRIMARY KEY, code text UNIQUE);\n"
        "INSERT INTO statuses (id, code) VALUES (1, 'open'), (2, 'closed');\n"
        "CREATE TABLE tickets (id bigint PRIMARY KEY, status_id bigint NOT NULL, title text);\n"
        "CREATE TABLE imported (id bigint PRIMARY KEY, title text);\n"
        "-- migration\n"
        "INSERT INTO tickets (id, title, status_id)"
        " SELECT id, title, (SELECT id FROM statuses WHERE code = 'open') FROM imported;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    added: set[tuple[str, str]] = set()  # columns this migration adds empty: NULL over NULL loses nothing
    for op in migration.up:
        if isinstance(op, AddColumn) and op.column.default is None and not op.column.generated:
            added.add((op.table, op.column.name))
        if not isinstance(op, DataUpdate | DataInsert) or op.expression is None:
            continue
        catalog = context.before(op)
        optional = optional_aliases(op.expression)
        for write in writes(op):
            column = catalog.column(op.table, write.target)
            empty = isinstance(op, DataInsert) or (op.table, write.target) in added
            select = scalar_select(write.value)
            miswritten = select is not None and bool(shadowed(select, op.table))
            if empty and not _null_matters(column) and not miswritten:
                continue  # a new row, or a column added empty: NULL where no value was
            if select is not None:
                finding = _from_subquery(op, write, select, column, catalog, context, empty=empty)
            else:
                finding = _from_outer_join(op, write, optional, column, context)
            if finding is not None:
                yield finding


def _null_matters(column: Column | None) -> bool:
    """NULL in a new row matters where the column refuses it or would have had its default instead."""
    return column is not None and (not column.nullable or column.default is not None)


def _consequence(op: DataUpdate | DataInsert, column: Column | None, empty: bool = False) -> str:
    if column is not None and not column.nullable:
        return ", which the NOT NULL column refuses."
    if empty and isinstance(op, DataUpdate):
        return ", and the column this change adds stays empty."
    if isinstance(op, DataInsert):
        return f" instead of the column's default `{column.default if column is not None else ''}`."
    return ", overwriting its value."


def _from_subquery(
    op: DataUpdate | DataInsert,
    write: Write,
    select: exp.Select,
    column: Column | None,
    catalog: Catalog,
    context: Context,
    *,
    empty: bool = False,
) -> Finding | None:
    if always_one_row(select) or _kept_to_matches(write) or _repeats_the_join(select, write):
        return None
    inner = inner_table(select)
    sides = list(placed(select, write, catalog))
    if not inner or any(side == UNKNOWN for _, side in sides):
        return None
    if not any(side == OUTER for _, side in sides):
        return _lookup(op, write, select, column, catalog, context, empty=empty)
    if _matched_by_key(select, write, inner, catalog):
        return None
    sub = _short(render(select, context.dialect))
    return _null_where_missing(op, write, column, f"the sub-query `({sub})`", inner, context)


def _null_where_missing(
    op: DataUpdate | DataInsert,
    write: Write,
    column: Column | None,
    source: str,
    missing: str,
    context: Context,
    fix: str | None = None,
) -> Finding:
    """`source` gives NULL for each row without a `missing` row: refused by a NOT NULL column, else written."""
    fails = column is not None and not column.nullable
    rows = "row written" if isinstance(op, DataInsert) else f"row of `{op.table}`"
    return op.finding(
        RULE,
        f"`{op.table}.{write.target}` is set from {source}: every {rows} without a matching `{missing}` row "
        f"gets NULL" + _consequence(op, column),
        severity=Severity.CRITICAL if fails else None,
        blast_radius=(
            f"The statement fails at the first {rows} without a matching `{missing}` row."
            if fails
            else f"Rows of {context.size_words(op.table)} without a matching `{missing}` row (a missing or "
            f"NULL key) get NULL in `{write.target}`."
        ),
        fix=fix,
    )


def _lookup(
    op: DataUpdate | DataInsert,
    write: Write,
    select: exp.Select,
    column: Column | None,
    catalog: Catalog,
    context: Context,
    *,
    empty: bool = False,
) -> Finding | None:
    """A sub-query that reads no column of the written row: one answer for every row."""
    inner = inner_table(select)
    key = pinned(select, inner, catalog)
    if key is not None and seeded(key, inner, catalog):
        return None  # a unique key the migrations seed: exactly one row wherever they ran
    sub = _short(render(select, context.dialect))
    written = "row written" if isinstance(op, DataInsert) else f"row of `{op.table}` it updates"
    several = (
        ""
        if key is not None
        else f"; when several `{inner}` rows match, the statement fails (more than one row returned by a "
        "sub-query used as an expression)"
    )
    return op.finding(
        RULE,
        f"`{op.table}.{write.target}` is set from the lookup `({sub})`: when no `{inner}` row matches where the "
        f"migration runs, every {written} gets NULL{_consequence(op, column, empty).rstrip('.')}{several}."
        + _shadowing(select, op.table),
        blast_radius=f"Every {written} ({context.size_words(op.table)}) depends on a `{inner}` row no migration "
        "seeds" + ("" if key is not None else ", and on it being the only match") + ".",
        fix=f"Insert the `{inner}` row in the same migration (or look it up by a unique key a migration seeds), "
        f"and guard the lookup: `coalesce(({sub}), …)` or a WHERE EXISTS on it.",
    )


def _from_outer_join(
    op: DataUpdate | DataInsert,
    write: Write,
    optional: set[str],
    column: Column | None,
    context: Context,
) -> Finding | None:
    """A value read from a column of a LEFT JOINed table, where the join may find no row."""
    value = write.value
    read = value if isinstance(value, exp.Column) else None
    if read is None or not read.table or read.table not in optional or guarded(read, value):
        return None
    joined = write.aliases.get(read.table, read.table)
    if read.table in _matched(op, write, optional):
        return None  # the WHERE keeps only rows the join matched
    read_sql = render(read, context.dialect)
    return _null_where_missing(
        op,
        write,
        column,
        f"{code_span(read_sql)} of the LEFT JOINed `{joined}`",
        joined,
        context,
        fix=f"Use an inner JOIN (the rows without a `{joined}` row are left out), or say what they get: "
        f"`coalesce({read_sql}, …)`.",
    )


def _matched(op: DataUpdate | DataInsert, write: Write, optional: set[str]) -> set[str]:
    """The outer-joined tables (by the name the statement gives them) whose rows the WHERE keeps only where the
    join matched: those it requires a column of to be NOT NULL, and, through their ON conditions, the tables
    those are joined to by equality (homarr's `LEFT JOIN section ON section.board_id = board.id LEFT JOIN item
    ON item.section_id = section.id … WHERE item.id IS NOT NULL`: an item row matched only where a section did)."""
    where = write.where
    if where is None:
        return set()
    matched = {
        c.table
        for c in where.find_all(exp.Column)
        if c.table in optional and not_null_in(where, identifier(c.this))
    }
    scope = op.expression.find(exp.Select) if isinstance(op, DataInsert) else op.expression
    joins = [
        j
        for j in (scope.args.get("joins") if scope is not None else None) or ()
        if isinstance(j.this, exp.Table)
    ]
    conditions = {j.this.alias_or_name: conjuncts(j.args.get("on")) for j in joins}
    grown = True
    while grown:
        grown = False
        for table in list(matched):
            for term in conditions.get(table, []):
                if not isinstance(term, exp.EQ):
                    continue
                sides = [term.this, term.expression]
                if not all(isinstance(side, exp.Column) for side in sides):
                    continue
                tables = {side.table for side in sides}
                if table in tables:
                    added = (tables - {table}) & optional - matched
                    matched |= added
                    grown = grown or bool(added)
    return matched


def _shadowing(select: exp.Select, table: str) -> str:
    name = shadowed(select, table)
    if not name:
        return ""
    return (
        f" Inside the sub-query `{name}.…` names the sub-query's own `{table}`, not the row being written: "
        "alias the sub-query's table to correlate it."
    )


def _short(sql: str) -> str:
    return sql if len(sql) <= 90 else sql[:87] + "…"


def _kept_to_matches(write: Write) -> bool:
    """The statement's own condition keeps only rows with a match (EXISTS, IN (SELECT …)), or only rows whose
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


def _repeats_the_join(select: exp.Select, write: Write) -> bool:
    """`UPDATE blocks b SET length = (SELECT max(…) FROM entries e JOIN … WHERE e.block_id = b.id AND …)
    FROM entries e JOIN … WHERE e.block_id = b.id AND …`: the UPDATE's own FROM and condition hold every table
    and every condition that choose the sub-query's rows, so each row it updates has at least one of them."""
    update = write.value.find_ancestor(exp.Update)
    if update is None or update.args.get("from_") is None:
        return False
    inner_tables, inner_terms = _restriction(select)
    outer_tables, outer_terms = _restriction(update)
    return bool(inner_tables) and inner_tables <= outer_tables and inner_terms <= outer_terms


def _restriction(scope: exp.Expression) -> tuple[set[tuple[str, str]], set[str]]:
    """The tables a statement's FROM and inner joins name (with their aliases), and the AND-ed conditions of
    its WHERE and of those joins' ON, as normalised SQL. A LEFT JOIN keeps every row: it restricts nothing."""
    tables: set[tuple[str, str]] = set()
    terms: set[str] = set()
    for table, on in inner_joined(scope):
        tables.add((table.name.lower(), table.alias_or_name.lower()))
        terms |= _terms(on)
    where = scope.args.get("where")
    return tables, terms | _terms(where.this if where is not None else None)


def _terms(condition: exp.Expression | None) -> set[str]:
    """The AND-ed terms as SQL, an equality's sides in one order (`x = y` and `y = x` are one term)."""
    return {
        " = ".join(sorted((t.this.sql().lower(), t.expression.sql().lower())))
        if isinstance(t, exp.EQ)
        else t.sql().lower()
        for t in conjuncts(condition)
    }


def _matched_by_key(select: exp.Select, write: Write, inner: str, catalog: Catalog) -> bool:
    """`WHERE c.id = orders.customer_id` (qualified or not) where `customer_id` is a foreign key to the
    sub-query's table, NOT NULL or kept non-NULL by the statement's WHERE: every row has its match."""
    sides = dict((id(column), side) for column, side in placed(select, write, catalog))
    where = select.args.get("where")
    for node in where.find_all(exp.EQ) if where is not None else ():
        pair = [node.this, node.expression]
        if not all(isinstance(s, exp.Column) for s in pair):
            continue
        for mine, theirs in (pair, pair[::-1]):
            if sides.get(id(mine)) != OUTER or sides.get(id(theirs)) != INNER:
                continue
            outer = outer_table(mine, write)
            known = catalog.column(outer, identifier(mine.this))
            keyed = any(
                same_table(k.table, outer)
                and k.columns == (identifier(mine.this),)
                and same_table(k.references, inner)
                for k in catalog.foreign_keys.values()
            )
            present = known is not None and (
                not known.nullable or not_null_in(write.where, identifier(mine.this))
            )  # NOT NULL, or the UPDATE's own WHERE keeps the rows that have a key
            if present and keyed:
                return True
    return False
