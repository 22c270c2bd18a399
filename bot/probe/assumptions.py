"""What a change assumes about production's data, read from its statements and the schema before it.

Pure: built on the data-change reading (`bot.sql.data_changes`) and the catalog, so the probe asks and
the rules judge the same things. It holds:

- every literal ID a data change writes or compares (`SET`, `VALUES`, `WHERE`, `CASE`, join conditions),
  with the table it names, found through the foreign keys of the schema and of the change (never guessed
  from the column's name), and the label the statement expects that row to have (`SET status_id = 2
  WHERE status = 'active'` expects row 2 of `statuses` to say "active");
- the rows a statement restricts itself to (`guard`): its WHERE, keeping only what can be evaluated on
  production as it is before the change (conditions on columns the change adds are left out, which widens
  the rows counted and never narrows them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from bot.model.catalog import Catalog
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    CreateTable,
    DataDelete,
    DataInsert,
    DataUpdate,
    Operation,
)
from bot.sql.data_changes import literals, mapping_sites, source_table, where_of
from bot.sql.names import identifier, table_name

_INTEGER = re.compile(r"^\d+$")


@dataclass(frozen=True)
class IdSite:
    """Literal IDs in one place of one statement, and the row each is meant to name."""

    op: Operation
    column: str  # the column that holds or is compared with the IDs
    origin: str  # the table of that column
    table: str  # the table the IDs name; "" when the schema the change knows declares no foreign key
    key: str  # its key column
    ids: tuple[str, ...]
    labels: tuple[tuple[str, str], ...] = ()  # (expected label, ID) the statement implies
    place: str = "WHERE"  # SET | VALUES | WHERE | CASE | JOIN


def id_sites(
    ops: Sequence[Operation], catalog: Catalog, change: Iterable[Operation] = ()
) -> Iterator[IdSite]:
    """Every literal ID of the data changes in `ops`: in a column with a foreign key (its table then known),
    or in an `…_id` column whose foreign key, if any, only production knows (`table` "": the probe asks).

    `change`: every operation of the change (foreign keys it declares count as well as the catalog's)."""
    declared = [*change, *ops]
    for op in ops:
        if not isinstance(op, DataUpdate | DataDelete | DataInsert):
            continue
        for site in _sites(op):
            column_table, column, ids, labels, place = site
            found = referenced(catalog, declared, column_table, column) or ("", "")
            if found[0] or column.endswith("_id"):  # other columns only when a foreign key says so
                yield IdSite(op, column, column_table, found[0], found[1], ids, labels, place)


def referenced(catalog: Catalog, ops: Iterable[Operation], table: str, column: str) -> tuple[str, str] | None:
    """(table, key column) that `table.column` points at: its own key for `id`, else a foreign key."""
    if column == "id":
        return table, "id"
    for op in ops:
        if (
            isinstance(op, AddColumn)
            and (op.table, op.column.name) == (table, column)
            and op.column.references
        ):
            return op.column.references, "id"
        if isinstance(op, CreateTable) and op.table == table:
            for spec in op.columns:
                if spec.name == column and spec.references:
                    return spec.references, "id"
            for constraint in op.constraints:
                if _declares(constraint, table, column):
                    return constraint.references or "", _first(constraint.referenced_columns)
        if isinstance(op, AddConstraint) and _declares(op, table, column):
            return op.references or "", _first(op.referenced_columns)
    for key in catalog.foreign_keys.values():
        if key.table == table and key.columns == (column,):
            return key.references, _first(key.referenced_columns)
    return None


def _declares(op: AddConstraint, table: str, column: str) -> bool:
    return (
        op.constraint == "foreign_key"
        and op.table == table
        and op.columns == (column,)
        and bool(op.references)
    )


def _first(columns: tuple[str, ...]) -> str:
    return columns[0] if len(columns) == 1 else "id"


_Site = tuple[str, str, tuple[str, ...], tuple[tuple[str, str], ...], str]


def _sites(op: DataUpdate | DataDelete | DataInsert) -> Iterator[_Site]:
    tree = op.expression if isinstance(op.expression, exp.Expression) else _parsed(op)
    if tree is None:
        return
    home = op.table if not isinstance(op, DataInsert) else source_table(op)
    aliases = _aliases(tree)
    written: set[int] = set()
    if isinstance(op, DataUpdate):
        expected = _expected_labels(op)
        for assignment in tree.expressions:
            if isinstance(assignment, exp.EQ) and isinstance(assignment.this, exp.Column):
                written.add(id(assignment))
                number = _integer(assignment.expression)
                column = identifier(assignment.this)
                if number is not None and column != "id":
                    labels = tuple((label, number) for label in expected.get(column, ()))
                    yield op.table, column, (number,), labels, "SET"
    if isinstance(op, DataUpdate | DataInsert):
        for mapping_op, mapping, _ in mapping_sites([op]):
            pairs = [(condition, r) for condition, r in mapping.whens if _INTEGER.match(r)]
            if mapping.target and pairs:
                labels = tuple((label, r) for condition, r in pairs for label in (literals(condition) or ()))
                yield (
                    mapping_op.table,
                    mapping.target,
                    tuple(dict.fromkeys(r for _, r in pairs)),
                    labels,
                    "CASE",
                )
    if isinstance(op, DataInsert):
        yield from _inserted(op, tree)
    for node in tree.find_all(exp.EQ, exp.In):
        if id(node) in written or isinstance(node.parent, exp.Not) or _in_case(node):
            continue
        column_node, values = _compared(node)
        if column_node is None or not values:
            continue
        numbers = [_integer(v) for v in values]
        if any(n is None for n in numbers):
            continue
        qualifier = identifier(column_node.args.get("table")) if column_node.args.get("table") else ""
        table = aliases.get(qualifier, qualifier) if qualifier else home
        place = "JOIN" if node.find_ancestor(exp.Join) is not None else "WHERE"
        yield table, identifier(column_node), tuple(n for n in numbers if n is not None), (), place


def _inserted(op: DataInsert, tree: exp.Expression) -> Iterator[_Site]:
    target = tree.this if isinstance(tree, exp.Insert) else None
    columns = [identifier(c) for c in target.expressions] if isinstance(target, exp.Schema) else []
    source = tree.expression if isinstance(tree, exp.Insert) else None
    rows: list[list[exp.Expression]] = []
    if isinstance(source, exp.Values):
        rows = [list(t.expressions) for t in source.expressions if isinstance(t, exp.Tuple)]
    elif isinstance(source, exp.Select):
        rows = [[e.this if isinstance(e, exp.Alias) else e for e in source.expressions]]
    found: dict[str, dict[str, None]] = {}
    for row in rows:
        for column, value in zip(columns, row, strict=False):
            number = _integer(value)
            if number is not None and column != "id":  # a new row's own key names nothing
                found.setdefault(column, {})[number] = None
    for column, ids in found.items():
        yield op.table, column, tuple(ids), (), "VALUES"


def _parsed(op: Operation) -> exp.Expression | None:
    """An INSERT … VALUES is kept as text only: read it here (its values are what the probe looks up)."""
    if not isinstance(op, DataInsert) or not op.sql:
        return None
    for dialect in ("postgres", "mysql"):
        try:
            tree = sqlglot.parse_one(op.sql, read=dialect)
        except SqlglotError:
            continue
        if isinstance(tree, exp.Insert):
            return tree
    return None


def _compared(node: exp.Expr) -> tuple[exp.Column | None, list[exp.Expression]]:
    if isinstance(node, exp.In):
        if isinstance(node.this, exp.Column) and not node.args.get("query"):
            return node.this, list(node.expressions)
        return None, []
    left, right = node.this, node.expression
    if isinstance(left, exp.Column) and not isinstance(right, exp.Column):
        return left, [right]
    if isinstance(right, exp.Column) and not isinstance(left, exp.Column):
        return right, [left]
    return None, []


def _in_case(node: exp.Expr) -> bool:
    """A WHEN condition of a CASE: the mapping reads it, not a filter."""
    return node.find_ancestor(exp.If) is not None and node.find_ancestor(exp.Case) is not None


def _integer(node: exp.Expression | None) -> str | None:
    if isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Literal) and not node.is_string and _INTEGER.match(node.name):
        return str(int(node.name))
    return None


def _aliases(tree: exp.Expression) -> dict[str, str]:
    found = {}
    for table in tree.find_all(exp.Table):
        name = table_name(table)
        found[table.alias_or_name] = name
        found[table.name] = name
    return found


def _expected_labels(op: DataUpdate) -> dict[str, tuple[str, ...]]:
    """`SET status_id = 2 WHERE status = 'active'`: status_id → ('active',). The compared column must share
    the ID column's stem (`status`, `status_code`), so a filter on anything else implies no label."""
    condition = where_of(op)
    if condition is None:
        return {}
    texts: dict[str, list[str]] = {}
    for node in condition.find_all(exp.EQ, exp.In):
        if isinstance(node.parent, exp.Not) or not isinstance(node.this, exp.Column):
            continue
        values = [node.expression] if isinstance(node, exp.EQ) else list(node.expressions)
        if len(values) == 1 and isinstance(values[0], exp.Literal) and values[0].is_string:
            texts.setdefault(identifier(node.this), []).append(values[0].name)
    found: dict[str, tuple[str, ...]] = {}
    for assignment in op.assignments:
        column = assignment[0]
        stem = column.removesuffix("_id")
        if stem == column:
            continue
        labels = [v for name, vs in texts.items() if name == stem or name.startswith(f"{stem}_") for v in vs]
        if len(labels) == 1:
            found[column] = (labels[0],)
    return found


# --- the rows a statement restricts itself to ----------------------------------------------------------

_SAFE = (
    exp.Column,
    exp.Identifier,
    exp.Literal,
    exp.Null,
    exp.Boolean,
    exp.Paren,
    exp.And,
    exp.Or,
    exp.Not,
    exp.Is,
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.Between,
    exp.In,
    exp.Like,
    exp.ILike,
    exp.Neg,
    exp.Tuple,
)


def guard(op: Operation, fresh: set[str], table: str) -> str:
    """The WHERE of a data change, as SQL production can evaluate before the change; "" for every row.

    Conditions naming a column in `fresh` (added by the change), another table, a parameter or a
    sub-query are left out of the top-level AND: the rows counted can only grow."""
    condition = where_of(op)
    if condition is None:
        return ""
    kept = [c for c in _conjuncts(condition) if _evaluable(c, fresh, table)]
    if not kept:
        return ""
    return exp.and_(*[c.copy() for c in kept]).sql()


def _conjuncts(node: exp.Expression) -> Iterator[exp.Expression]:
    if isinstance(node, exp.Paren):
        yield from _conjuncts(node.this)
    elif isinstance(node, exp.And):
        yield from _conjuncts(node.this)
        yield from _conjuncts(node.expression)
    else:
        yield node


def _evaluable(node: exp.Expression, fresh: set[str], table: str) -> bool:
    own = {table.rsplit(".", 1)[-1], ""}
    for part in node.walk():
        if not isinstance(part, _SAFE):
            return False
        if isinstance(part, exp.Column) and (
            identifier(part) in fresh or identifier(part.args.get("table")) not in own
        ):
            return False
    return True
