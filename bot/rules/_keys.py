"""Which table's rows a key column identifies, and the places where a data change pairs two key columns.

A column identifies rows of a table when a foreign key says so (`orders.user_id REFERENCES users`), when it
is a table's own single-column primary key (`accounts.id`), or, without a declared key, when it is named
after an existing table (`team_id` and a table `teams`). A polymorphic pair (`owner_id` with `owner_type`)
identifies nothing in particular. Pairs are the writes of a data change (`SET a_id = x.b_id`, the n-th
column of an INSERT and the n-th expression of its SELECT) and its comparisons (`a.user_id = b.id`,
`user_id IN (SELECT id FROM accounts)`) in WHERE and JOIN conditions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlglot import exp

from bot.model.catalog import Catalog, same_table
from bot.model.migration import DataDelete, DataInsert, DataUpdate, Operation
from bot.references.inflection import pluralize
from bot.sql.data_changes import where_of
from bot.sql.names import identifier, table_name
from bot.sql.writes import aliases, writes


@dataclass(frozen=True)
class Key:
    table: str  # the table whose rows the column identifies
    declared: bool  # by the schema's foreign key or primary key, not only by the column's name
    how: str  # "references `users`", "is the primary key of `accounts`", "is named after `teams`"


@dataclass(frozen=True)
class Pair:
    """Two key columns a data change puts together: a write (target ← source) or a comparison."""

    left: str  # `orders.user_id`
    left_key: Key
    right: str  # `accounts.id`
    right_key: Key
    written: bool  # a write of `left` from `right`, not a comparison
    target: str = ""  # the column written, for writes

    @property
    def crossed(self) -> bool:
        return not same_table(self.left_key.table, self.right_key.table)


def key_of(catalog: Catalog, table: str, column: str) -> Key | None:
    if not table or not column:
        return None
    known = catalog.tables.get(table)
    if column.endswith("_id") and known is not None and f"{column[:-3]}_type" in known.columns:
        return None  # polymorphic: the type column says which table
    for key in catalog.foreign_keys.values():
        if same_table(key.table, table) and key.columns == (column,):
            return Key(key.references.rsplit(".", 1)[-1], True, f"references `{key.references}`")
    if catalog.primary_keys.get(table) == (column,) or (column == "id" and known is not None):
        return Key(table.rsplit(".", 1)[-1], True, f"is the primary key of `{table}`")
    if column.endswith("_id") and len(column) > 3:
        named = pluralize(column[:-3])
        if named in catalog.tables and not same_table(named, table):
            return Key(named, False, f"is named after `{named}`")
    return None


def pairs(op: Operation, catalog: Catalog) -> Iterator[Pair]:
    """Every write and comparison of two key columns in the data change, with both keys known."""
    if isinstance(op, DataUpdate | DataInsert):
        for write in writes(op):
            if isinstance(write.value, exp.Column):
                source = write.table_of(write.value)
                pair = _pair(catalog, (op.table, write.target), (source, identifier(write.value.this)))
                if pair is not None:
                    yield Pair(pair.left, pair.left_key, pair.right, pair.right_key, True, write.target)
    tree = op.expression
    if not isinstance(op, DataUpdate | DataDelete | DataInsert) or tree is None:
        return
    scope = tree.find(exp.Select) if isinstance(op, DataInsert) else tree
    if scope is None:
        return
    names = aliases(scope)
    home = op.table if not isinstance(op, DataInsert) else _first_table(scope)
    conditions = [c for c in (where_of(op),) if c is not None]
    conditions += [j.args["on"] for j in scope.args.get("joins") or () if j.args.get("on") is not None]
    for condition in conditions:
        yield from _compared(condition, names, home, catalog, scope)


def _pair(catalog: Catalog, left: tuple[str, str], right: tuple[str, str]) -> Pair | None:
    left_key, right_key = key_of(catalog, *left), key_of(catalog, *right)
    if left_key is None or right_key is None:
        return None
    return Pair(f"{left[0]}.{left[1]}", left_key, f"{right[0]}.{right[1]}", right_key, False)


def _compared(
    condition: exp.Expression, names: dict[str, str], home: str, catalog: Catalog, scope: exp.Expression
) -> Iterator[Pair]:
    for node in condition.find_all(exp.EQ, exp.In):
        assert isinstance(node, exp.Expression)
        if _inside_subquery(node, condition):
            continue
        left = _table_column(node.this, names, home, catalog, scope)
        if left is None:
            continue
        if isinstance(node, exp.EQ):
            right = _table_column(node.expression, names, home, catalog, scope)
        else:
            query = node.args.get("query")
            right = _selected(query.this if isinstance(query, exp.Subquery) else query, catalog)
        if right is not None:
            pair = _pair(catalog, left, right)
            if pair is not None:
                yield pair


def _inside_subquery(node: exp.Expression, top: exp.Expression) -> bool:
    parent = node.parent
    while parent is not None and parent is not top:
        if isinstance(parent, exp.Subquery | exp.Select):
            return True
        parent = parent.parent
    return False


def _table_column(
    node: exp.Expression | None, names: dict[str, str], home: str, catalog: Catalog, scope: exp.Expression
) -> tuple[str, str] | None:
    if not isinstance(node, exp.Column):
        return None
    column = identifier(node.this)
    if node.table:
        table = names.get(node.table, node.table)
        return table, column
    tables = set(names.values())
    if len(tables) <= 1:
        return (next(iter(tables)) if tables else home), column
    holding = [t for t in tables if column in getattr(catalog.tables.get(t), "columns", {})]
    return (holding[0], column) if len(holding) == 1 else None


def _selected(select: exp.Expression | None, catalog: Catalog) -> tuple[str, str] | None:
    """The table and column a one-column sub-query selects (`SELECT id FROM accounts …`)."""
    if not isinstance(select, exp.Select) or len(select.expressions) != 1:
        return None
    names = aliases(select)
    return _table_column(select.expressions[0], names, _first_table(select), catalog, select)


def _first_table(select: exp.Expression) -> str:
    origin = select.args.get("from_")
    table = origin.find(exp.Table) if origin is not None else None
    return table_name(table) if table is not None else ""


def telling(pair: Pair) -> bool:
    """Two primary keys compared (a table sharing its key with another) say nothing about a mix-up, and
    neither do two columns known only by their names (a migration that copies one table's keys into a new
    table keeps them equal on purpose)."""
    primary = "primary key"
    if primary in pair.left_key.how and primary in pair.right_key.how:
        return False
    return pair.left_key.declared or pair.right_key.declared


def swaps(found: list[Pair]) -> list[Pair]:
    """Writes that exchange two keys: `a_id ← x.b_id` together with `b_id ← x.a_id`."""
    written = [p for p in found if p.written]
    return [
        p
        for p in written
        if any(
            q is not p and q.left_key.table == p.right_key.table and q.right_key.table == p.left_key.table
            for q in written
        )
    ]
