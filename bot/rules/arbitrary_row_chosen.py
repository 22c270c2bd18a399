"""A data change keeps one row of several without saying which: the database picks one at random.

## Why is this bad?
`SELECT DISTINCT ON (email) id, email, name FROM users` keeps one row per email, but without an
`ORDER BY` that goes past the `DISTINCT ON` columns, PostgreSQL keeps whichever row it happens to read
first. `row_number() OVER (PARTITION BY email)` numbers the rows of each email in no particular order, so
`DELETE … WHERE rn > 1` deletes an arbitrary duplicate, perhaps the one with the orders attached, the
verified address or the latest data, and keeps another. A scalar sub-query with `LIMIT 1` and no
`ORDER BY` copies the value of any one of the rows it matches. Each run (staging, production, a re-run
after a failure) can choose differently, and the rows thrown away cannot be told apart afterwards.

## Use instead
Say which row wins: `DISTINCT ON (email) … ORDER BY email, updated_at DESC, id`, `row_number() OVER
(PARTITION BY email ORDER BY created_at, id)`, `(SELECT … ORDER BY created_at DESC LIMIT 1)`. End the
ordering with a unique column so that ties are decided too.

## Framework notes
MariaDB, SQLite and MySQL without `ONLY_FULL_GROUP_BY` (on by default since 5.7, and then the query fails)
accept a grouped SELECT that returns a column it neither groups by nor aggregates: `DELETE FROM users WHERE id NOT IN (SELECT id FROM (SELECT id
FROM users GROUP BY email) k)` keeps the `id` of any one row of each email. Aggregate it (`min(id)`) to say
which. PostgreSQL refuses such a query.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from bot.model.catalog import Catalog
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.markup import code_span
from bot.model.migration import CreateTable, DataDelete, DataInsert, DataUpdate, Migration, Operation
from bot.rules.context import Context
from bot.sql.names import table_name
from bot.sql.statements import render

RULE = Rule(
    id="arbitrary-row-chosen",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Order the rows so the one that wins is chosen (`ORDER BY … , id`), in DISTINCT ON, window "
    "functions and LIMIT 1 sub-queries.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text, created_at timestamptz);\n-- migration\n"
        "DELETE FROM users WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY email) AS rn "
        "FROM users) d WHERE rn > 1);",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text, created_at timestamptz);\n-- migration\n"
        "DELETE FROM users WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY email "
        "ORDER BY created_at, id) AS rn FROM users) d WHERE rn > 1);",
    ),
)

_CANDIDATE = re.compile(r"\bDISTINCT\s+ON\b|\bOVER\s*\(|\bGROUP\s+BY\b", re.I)
# LIMIT 1 picks an arbitrary row only in a sub-query with a WHERE: a statement without the word has none
# (`VALUES ((SELECT id FROM orders ORDER BY id LIMIT 1))` of a seed is not parsed again for it)
_LIMIT_ONE = re.compile(r"\bLIMIT\s+1\b", re.I)
_WHERE = re.compile(r"\bWHERE\b", re.I)
# Window functions whose result depends on the order of the rows in the partition
_ORDERED = {"rownumber", "rank", "denserank", "firstvalue", "lastvalue", "nthvalue", "lag", "lead", "ntile"}
_DIALECTS = {"postgres": "postgres", "mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite"}


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DataUpdate | DataDelete | DataInsert | CreateTable) or not _candidate(op.sql):
            continue
        tree = _tree(op, context.dialect)
        if tree is None:
            continue
        for what in _unordered(tree, context.dialect, context.before(op)):
            yield op.finding(
                RULE,
                f"{what}: the database keeps whichever row it reads first, so which one survives can differ "
                "from run to run and between databases.",
                blast_radius=f"The rows of `{getattr(op, 'table', '')}` this statement writes or keeps: values "
                "of an arbitrary row among each group of duplicates, not the one meant.",
            )


def _candidate(sql: str) -> bool:
    return bool(_CANDIDATE.search(sql) or (_LIMIT_ONE.search(sql) and _WHERE.search(sql)))


def _tree(op: Operation, dialect: str) -> exp.Expression | None:
    if isinstance(op.expression, exp.Expression):
        return op.expression
    try:
        tree = sqlglot.parse_one(op.sql, read=_DIALECTS.get(dialect, dialect))
    except SqlglotError:
        return None
    return tree if isinstance(tree, exp.Expression) else None


def _unordered(tree: exp.Expression, dialect: str, catalog: Catalog) -> Iterator[str]:
    for select in tree.find_all(exp.Select):
        distinct = select.args.get("distinct")
        on = distinct.args.get("on") if isinstance(distinct, exp.Distinct) else None
        if on is not None:
            keys = {render(k, dialect).lower() for k in _items(on)}
            order = select.args.get("order")
            ordered = {render(o.this, dialect).lower() for o in order.expressions} if order else set()
            if not ordered - keys:
                yield f"`DISTINCT ON ({', '.join(render(k, dialect) for k in _items(on))})` keeps one row of each group with no ORDER BY beyond its keys"
        limit = select.args.get("limit")
        if (
            limit is not None
            and render(limit.expression, dialect) == "1"
            and not select.args.get("order")
            and _is_subquery(select)
            and select.args.get("where") is not None
            and _correlated(select)
            and not _pins_a_key(select, catalog)
        ):
            yield f"`({_short(render(select, dialect))})` takes one of the rows it matches with LIMIT 1 and no ORDER BY"
        bare = _ungrouped(select, dialect, catalog) if dialect != "postgres" else ""
        if bare:
            yield (
                f"{code_span(_short(render(select, dialect)))} returns `{bare}`, which it neither groups by nor "
                "aggregates, from any one row of each group"
            )
    for window in tree.find_all(exp.Window):
        function = window.this
        name = type(function).__name__.lower() if isinstance(function, exp.Expression) else ""
        if name == "anonymous":
            name = str(function.name).lower().replace("_", "")
        if name in _ORDERED and window.args.get("partition_by") and not window.args.get("order"):
            yield f"{code_span(_short(render(window, dialect)))} numbers or picks the rows of each partition with no ORDER BY"


def _ungrouped(select: exp.Select, dialect: str, catalog: Catalog) -> str:
    """MySQL, MariaDB and SQLite: a column a grouped SELECT returns bare (`SELECT id … GROUP BY email`) is taken
    from any one row of the group (PostgreSQL refuses it). "" when every column is grouped or aggregated, or the
    groups are by a unique key (one row each)."""
    group = select.args.get("group")
    if group is None:
        return ""
    keys = {k.name.lower() for k in group.expressions if isinstance(k, exp.Column)}
    source = select.args.get("from_")
    table = table_name(source.this) if source is not None and isinstance(source.this, exp.Table) else ""
    unique = {keys[0].lower() for keys in catalog.unique_keys(table) if len(keys) == 1} if table else set()
    if "id" in keys or keys & unique:
        return ""
    picked = [e.this if isinstance(e, exp.Alias) else e for e in select.expressions]
    if dialect == "sqlite" and any(isinstance(e, exp.Min | exp.Max) for e in picked):
        return ""  # SQLite takes the bare columns from the row of the min() or max()
    bare = [e for e in picked if isinstance(e, exp.Column) and e.name.lower() not in keys]
    return render(bare[0], dialect) if bare else ""


def _correlated(select: exp.Select) -> bool:
    """The sub-query's condition names a table of the outer statement (`WHERE ds.workflowid =
    daw.workflowid`): each outer row can match several rows. A constant lookup (`WHERE name = 'default'`)
    is not."""
    own = {t.alias_or_name.lower() for t in select.find_all(exp.Table)}
    where = select.args.get("where")
    return any(c.table and c.table.lower() not in own for c in (where.find_all(exp.Column) if where else ()))


def _pins_a_key(select: exp.Select, catalog: Catalog) -> bool:
    """`WHERE u.id = p.user_id`, `WHERE code = 'default'` on a unique `code`: at most one row matches, and
    LIMIT 1 changes nothing."""
    where = select.args.get("where")
    source = select.args.get("from_")
    table = table_name(source.this) if source is not None and isinstance(source.this, exp.Table) else ""
    single = {keys[0] for keys in catalog.unique_keys(table) if len(keys) == 1} if table else set()
    return any(
        isinstance(side, exp.Column) and (side.name.lower() == "id" or side.name in single)
        for eq in (where.find_all(exp.EQ) if where is not None else ())
        for side in (eq.this, eq.expression)
    )


def _items(node: exp.Expression) -> list[exp.Expression]:
    return list(node.expressions) if isinstance(node, exp.Tuple) else [node]


def _is_subquery(select: exp.Select) -> bool:
    return isinstance(select.parent, exp.Subquery | exp.Paren)


def _short(sql: str) -> str:
    return sql if len(sql) <= 90 else sql[:87] + "…"
