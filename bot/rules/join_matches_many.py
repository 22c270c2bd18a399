"""A value read from a joined table or a sub-query that can match several rows for one row written.

## Why is this bad?
`UPDATE orders o SET country = a.country FROM addresses a WHERE a.customer_id = o.customer_id` reads like a
lookup, but a customer has several addresses: PostgreSQL updates each order once, with the country of
whichever matching address it meets first (MySQL's multi-table UPDATE does the same). Nothing fails; the value
is arbitrary, and a re-run can pick another. Written as a sub-query, `SET country = (SELECT a.country FROM
addresses a WHERE a.customer_id = o.customer_id)`, it fails instead, with "more than one row returned by a
subquery used as an expression", at the first order whose customer has two addresses, after the rows before it
were locked and written.

A join with no condition tying the joined table to the row written at all (`UPDATE orders SET total =
p.amount FROM payments p WHERE orders.status = 'paid'`) is critical: every row gets one and the same
arbitrary row's values.

A join is safe when its condition fixes a unique key of the joined table (its primary key, a UNIQUE
constraint or index): then each row written has at most one match.

## Use instead
Say which match is meant: a condition that makes it unique (`AND a.is_primary` backed by a unique index on
`(customer_id) WHERE is_primary`), an aggregate (`max(…)`), or `DISTINCT ON (customer_id) … ORDER BY …` in a
sub-query. Count the rows with several matches first: `SELECT customer_id, count(*) FROM addresses GROUP BY
customer_id HAVING count(*) > 1 LIMIT 20`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from bot.model.catalog import Catalog, unqualified
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddConstraint, AddIndex, DataUpdate, Migration, Operation
from bot.rules.context import Context
from bot.sql.names import identifier, table_name
from bot.sql.subqueries import scalar_select
from bot.sql.writes import conjuncts, in_conjunction, inner_joined, writes

RULE = Rule(
    id="join-matches-many",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Make the join fix a unique key of the joined table, or say which match is meant (an aggregate, "
    "DISTINCT ON … ORDER BY).",
    bad=(
        "CREATE TABLE customers (id bigint PRIMARY KEY);\n"
        "CREATE TABLE addresses (id bigint PRIMARY KEY, customer_id bigint NOT NULL, country text);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, country text);\n"
        "-- migration\n"
        "UPDATE orders o SET country = a.country FROM addresses a WHERE a.customer_id = o.customer_id"
        " AND o.id >= 1 AND o.id < 1000;",
    ),
    good=(
        "CREATE TABLE customers (id bigint PRIMARY KEY, country text);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, country text);\n"
        "-- migration\n"
        "UPDATE orders o SET country = c.country FROM customers c WHERE c.id = o.customer_id"
        " AND o.id >= 1 AND o.id < 1000;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for index, op in enumerate(migration.up):
        if not isinstance(op, DataUpdate) or not isinstance(op.expression, exp.Update):
            continue
        catalog = context.before(op)
        later = _keys_added(migration.up[index + 1 :])
        update = op.expression
        read = _read_aliases(update)
        for table, alias in _joined(update):
            bound = _bound(update, alias)
            if alias in read and _many(table, bound, _terms(update), catalog, later):
                yield _joined_finding(op, table, bound, context)
        for write in writes(op):
            select = scalar_select(write.value)
            if select is None or _one_row(select) or select.args.get("joins"):
                continue
            origin = select.args.get("from_")
            inner = origin.this if origin is not None else None
            if not isinstance(inner, exp.Table):
                continue
            name, alias = table_name(inner), inner.alias_or_name
            bound = _bound(select, alias, bare_is_mine=True)
            if _correlated(select, alias) and _many(name, bound, _terms(select), catalog, later):
                yield _subquery_finding(op, write.target, name, bound, context)


def _one_row(select: exp.Select) -> bool:
    """`SELECT max(…) …` without GROUP BY, or `… LIMIT 1`: one row at most, whatever matches."""
    limit = select.args.get("limit")
    if limit is not None and isinstance(limit.expression, exp.Literal) and limit.expression.name == "1":
        return True
    if select.args.get("group") is not None:
        return False
    return any(
        node.find_ancestor(exp.Select) is select
        for e in select.expressions
        for node in e.find_all(exp.AggFunc)
    )


def _keys_added(later: tuple[Operation, ...]) -> set[tuple[str, tuple[str, ...]]]:
    """(table, columns) of the unique keys the rest of the migration adds: it fails on duplicates, so the data
    it writes is unique on them by the author's own assertion (rows built with SELECT DISTINCT, say)."""
    found: set[tuple[str, tuple[str, ...]]] = set()
    for op in later:
        index = isinstance(op, AddIndex) and op.unique and not op.where
        if index or (isinstance(op, AddConstraint) and op.constraint in ("unique", "primary_key")):
            table = str(getattr(op, "table", ""))
            found.add((unqualified(table), tuple(c.lower() for c in getattr(op, "columns", ()))))
    return found


def _terms(scope: exp.Expression) -> set[str]:
    """The AND-ed terms of the statement's conditions, as lower-case SQL without quotes: what a partial
    unique index's predicate is compared with."""
    found: set[str] = set()
    roots = [scope.args.get("where")] + [j.args.get("on") for j in scope.find_all(exp.Join)]
    for root in roots:
        for term in conjuncts(root.this if isinstance(root, exp.Where) else root):
            # without the tables' names: a partial index's predicate names bare columns
            bare = term.copy().transform(
                lambda n: exp.column(n.name) if isinstance(n, exp.Column) else n, copy=False
            )
            found.add(_plain(bare.sql()))
    return found


def _plain(sql: str) -> str:
    return sql.replace('"', "").replace("`", "").lower()


def _joined(update: exp.Update) -> list[tuple[str, str]]:
    """(table, name it goes by) of the tables the UPDATE joins: its FROM, and MySQL's `UPDATE a JOIN b`."""
    return [(table_name(table), table.alias_or_name) for table, _ in inner_joined(update)]


def _read_aliases(update: exp.Update) -> set[str]:
    """The table names and aliases the SET values read columns of."""
    return {
        column.table
        for assignment in update.expressions
        if isinstance(assignment, exp.EQ) and assignment.expression is not None
        for column in assignment.expression.find_all(exp.Column)
        if column.table and column.find_ancestor(exp.Subquery) is None
    }


def _bound(scope: exp.Expression, alias: str, *, bare_is_mine: bool = False) -> set[str]:
    """The columns of `alias` an AND-ed equality of the statement's WHERE or join conditions fixes to one value
    per row written: a column of another table, a literal, a parameter. In a sub-query of one table
    (`bare_is_mine`) a column written without a table is that table's."""
    names = (alias, "") if bare_is_mine else (alias,)
    conditions = [scope.args.get("where")]
    conditions += [j.args.get("on") for j in scope.find_all(exp.Join)]
    bound: set[str] = set()
    for condition in conditions:
        root = condition.this if isinstance(condition, exp.Where) else condition
        if root is None:
            continue
        for node in root.find_all(exp.EQ):
            if node.find_ancestor(exp.Subquery) not in (None, scope.find_ancestor(exp.Subquery)):
                continue
            if not in_conjunction(node, root):
                continue
            for mine, other in ((node.this, node.expression), (node.expression, node.this)):
                column = _injective(mine, names)
                if column is not None and not _reads(other, names):
                    bound.add(identifier(column.this).lower())
    return bound


def _injective(node: exp.Expression, names: tuple[str, ...]) -> exp.Column | None:
    """The column of `names` that `node` is, or that decides its value one to one: a cast of it, or a constant
    put before or after it (`'memos/' || memo.uid`, `memo.id + 1000`); None for anything else (`lower(uid)`
    matches several rows)."""
    if isinstance(node, exp.Column):
        return node if node.table in names else None
    if isinstance(node, exp.Cast):
        return _injective(node.this, names)
    if isinstance(node, exp.DPipe | exp.Add | exp.Sub):
        parts = [node.this, node.expression]
        constant = [p for p in parts if isinstance(p, exp.Literal)]
        rest = [p for p in parts if not isinstance(p, exp.Literal)]
        return _injective(rest[0], names) if len(constant) == 1 and len(rest) == 1 else None
    if isinstance(node, exp.Concat):
        rest = [p for p in node.expressions if not isinstance(p, exp.Literal)]
        return _injective(rest[0], names) if len(rest) == 1 else None
    return None


def _reads(node: exp.Expression, names: tuple[str, ...]) -> bool:
    return any(c.table in names for c in node.find_all(exp.Column))


def _correlated(select: exp.Select, alias: str) -> bool:
    """Does the sub-query's condition read a column of another table (the row being written)?"""
    where = select.args.get("where")
    return where is not None and any(c.table and c.table != alias for c in where.find_all(exp.Column))


def _many(
    table: str, bound: set[str], terms: set[str], catalog: Catalog, later: set[tuple[str, tuple[str, ...]]]
) -> bool:
    """Can several rows of `table` match while `bound` columns are fixed? Only when the schema knows the
    table's unique keys and the statement fixes none of them: its primary key and UNIQUE constraints, a unique
    index (a partial one when the statement's condition holds its predicate), or a unique key the same
    migration adds later. A table whose keys the schema does not know gets the benefit of the doubt; one the
    migrations created with no key at all does not."""
    known = catalog.tables.get(table)
    if known is None or getattr(known, "partial", False) or catalog.is_new(table):
        return False  # unknown, or built by the change itself (rows the author chose: GROUP BY, DISTINCT)
    keys = list(catalog.unique_keys(table))
    keys += [
        tuple(d.columns)
        for d in catalog.index_definitions.values()
        if d.unique and d.where and unqualified(d.table) == unqualified(table) and _plain(d.where) in terms
    ]
    keys += [columns for name, columns in later if name == unqualified(table)]
    if not keys:
        # a table the migrations created with every column and no key at all (a log, a join table): nothing
        # keeps two rows from matching the same values
        return bool(known.columns) and bool(bound)
    return not any({c.lower().strip('"') for c in key} <= bound for key in keys)


def _joined_finding(op: DataUpdate, table: str, bound: set[str], context: Context) -> Finding:
    by = ", ".join(sorted(bound)) or "nothing"
    message = (
        f"The UPDATE of `{op.table}` reads `{table}` joined by ({by}), which is no unique key of `{table}`: a row "
        f"with several matching `{table}` rows gets the values of an arbitrary one."
        if bound
        else f"The UPDATE of `{op.table}` reads `{table}` with no condition tying its rows to the row written: "
        f"every row gets the values of one arbitrary `{table}` row."
    )
    return op.finding(
        RULE,
        message,
        # no tie at all: every row written gets one and the same arbitrary row's values, whatever it held
        severity=Severity.WARNING if bound else Severity.CRITICAL,
        blast_radius=f"Every row of {context.size_words(op.table)} with more than one match; nothing fails, and a "
        "re-run can write other values."
        if bound
        else f"Every row the UPDATE reaches in {context.size_words(op.table)} is overwritten with the values of "
        f"one arbitrary `{table}` row; nothing fails.",
        fix=f"Join on a unique key of `{table}`, or say which row is meant (an aggregate, DISTINCT ON … ORDER BY); "
        f"count the rows with several matches first: `SELECT {by if bound else 'id'}, count(*) FROM {table} "
        f"GROUP BY {by if bound else 'id'} HAVING count(*) > 1 LIMIT 20;`.",
    )


def _subquery_finding(op: DataUpdate, target: str, table: str, bound: set[str], context: Context) -> Finding:
    by = ", ".join(sorted(bound)) or "nothing"
    return op.finding(
        RULE,
        f"`{op.table}.{target}` is set from a sub-query on `{table}` matched by ({by}), which is no unique key of "
        f"`{table}`: at the first row with two matches the statement fails (more than one row returned by a "
        "sub-query used as an expression).",
        blast_radius=f"The migration fails part-way through {context.size_words(op.table)} if any row has two "
        "matches, and the deploy stops there.",
        fix=f"Say which row is meant (`max(…)`, `ORDER BY … LIMIT 1`), or match on a unique key of `{table}`; count "
        f"first: `SELECT {by if bound else 'id'}, count(*) FROM {table} GROUP BY {by if bound else 'id'} "
        "HAVING count(*) > 1 LIMIT 20;`.",
    )
