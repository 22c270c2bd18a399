"""The tables a review's generated SQL names that its catalog does not hold, inferred from that SQL.

A review of a repository whose history does not create a table (a test's repository holding only the change,
a table of another tool) still prints validation queries and rollback steps for it. To run those on the real
databases, the generated-SQL plugin creates each such table with the columns the review's statements use,
typed by how they are used: compared with or assigned a string literal → text, an integer → bigint, a
decimal → numeric, a boolean or used as a condition → boolean, compared with the current time →
timestamp; columns compared with each other share a type; anything else is text, and a table none of whose
columns is named gets `id`. A statement run on such a table is counted apart from one run on the catalog's
own schema, so the report says how much of the SQL ran on a schema the review knew.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_ORDER = ("boolean", "timestamp", "numeric", "bigint", "text")


def inferred_tables(
    statements: Iterable[tuple[str, str]], unknown: set[str], known: dict[str, dict[str, str]] | None = None
) -> tuple[dict[str, dict[str, str]], set[str]]:
    """For (sql, dialect) pairs: each unknown table (named as `bot.sql.names.table_name` names it) → column
    → type."""
    import sqlglot

    columns: dict[str, dict[str, None]] = {table: {} for table in unknown}
    facts = _Facts()
    for table, declared in (
        known or {}
    ).items():  # a known column compared with an inferred one lends its type
        for name, kind in declared.items():
            facts.seen[(table, name)] = kind
            facts.fixed.add((table, name))
    for sql, dialect in statements:
        try:
            tree = sqlglot.parse_one(sql, dialect=dialect)
        except Exception:
            continue
        if tree is None:
            continue
        _collect(tree, unknown, columns, facts)
    tables = {
        table: {name: facts.type_of(table, name) for name in names} or {"id": "bigint"}
        for table, names in columns.items()
    }
    # the inferred tables one of whose columns the statements use as two types (compared with a number
    # here, a string there): no schema satisfies both, so a type error there says nothing of the SQL
    conflicting = {table for table, names in columns.items() for name in names if facts.conflict(table, name)}
    return tables, conflicting


class _Facts:
    """Types seen for (table, column) and which columns were compared with each other."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], str] = {}
        self.parent: dict[tuple[str, str], tuple[str, str]] = {}
        self.fixed: set[tuple[str, str]] = set()  # columns the catalog declares: their type stands
        self.kinds: dict[tuple[str, str], set[str]] = {}  # every type seen for each column, once joined

    def root(self, key: tuple[str, str]) -> tuple[str, str]:
        while self.parent.get(key, key) != key:
            key = self.parent[key]
        return key

    def join(self, one: tuple[str, str], other: tuple[str, str]) -> None:
        a, b = self.root(one), self.root(other)
        if a == b:
            return
        if a in self.fixed and b in self.fixed:
            return  # two declared columns: nothing to infer
        if b in self.fixed:
            a, b = b, a
        self.parent[b] = a  # the declared one (or either) is the root
        if a not in self.seen and b in self.seen:
            self.seen[a] = self.seen[b]

    def conflict(self, table: str, column: str) -> bool:
        root = self.root((table, column))
        seen = set().union(*(k for key, k in self.kinds.items() if self.root(key) == root))
        return len(seen - {"numeric"} if seen >= {"bigint", "numeric"} else seen) > 1

    def note(self, key: tuple[str, str], kind: str) -> None:
        self.kinds.setdefault(key, set()).add(kind)
        key = self.root(key)
        if key in self.fixed:
            return
        known = self.seen.get(key)
        if known is None or _ORDER.index(kind) > _ORDER.index(known):  # text wins: it takes any literal
            self.seen[key] = kind

    def type_of(self, table: str, column: str) -> str:
        root = self.root((table, column))
        found = self.seen.get(root)
        if found:
            return found
        # no literal says: a key (`id`, `…_id`) is bigint, and so is every column compared with one
        group = [name for table_name, name in (*self.parent, root) if self.root((table_name, name)) == root]
        return "bigint" if any(name == "id" or name.endswith("_id") for name in (*group, column)) else "text"


def _collect(tree: Any, unknown: set[str], columns: dict[str, dict[str, None]], facts: _Facts) -> None:
    from sqlglot import exp

    from bot.sql.names import identifier, table_name

    def tables_of(node: Any) -> dict[str, str]:
        """alias or name → table, for the tables the statement or sub-query reads directly."""
        found: dict[str, str] = {}
        for table in node.find_all(exp.Table):
            owner = table.find_ancestor(exp.Select, exp.Update, exp.Delete, exp.Insert, exp.Merge)
            if owner is node or owner is None:
                name = table_name(table)
                found[(table.alias or table.name).lower()] = name
                found.setdefault(name, name)
        return found

    def owner_of(column: Any) -> Any:
        return column.find_ancestor(exp.Select, exp.Update, exp.Delete, exp.Merge) or tree

    def key_of(column: Any) -> tuple[str, str] | None:
        owner = owner_of(column)
        scope = tables_of(owner)
        name = identifier(column.this)
        while column.table and column.table.lower() not in scope and owner is not tree:
            owner = owner.parent.find_ancestor(exp.Select, exp.Update, exp.Delete, exp.Merge) or tree
            scope = tables_of(owner)  # a correlated sub-query names a table of the query around it
        if column.table:
            table = scope.get(column.table.lower())
        else:
            candidates = {t for t in scope.values() if t in unknown}
            table = candidates.pop() if len(candidates) == 1 and len(set(scope.values())) == 1 else None
        if table is None or not name:
            return None
        if table in unknown:
            columns[table][name] = None
            return (table, name)
        return (table, name) if (table, name) in facts.seen else None

    for column in tree.find_all(exp.Column):
        key_of(column)
    for insert in tree.find_all(exp.Insert):
        target = insert.this
        if isinstance(target, exp.Schema) and isinstance(target.this, exp.Table):
            table = table_name(target.this)
            if table in unknown:
                for name in target.expressions:
                    columns[table][identifier(name)] = None
    for node in tree.find_all(
        exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ
    ):
        left, right = node.this, node.expression
        if isinstance(right, exp.Column) and not isinstance(left, exp.Column):
            left, right = right, left
        if not isinstance(left, exp.Column):
            continue
        key = key_of(left)
        if key is None:
            continue
        if isinstance(right, exp.Column):
            other = key_of(right)
            if other is not None:
                facts.join(key, other)
        elif (kind := _kind(right)) is not None:
            facts.note(key, kind)
    for node in tree.find_all(exp.In):
        if isinstance(node.this, exp.Column) and (key := key_of(node.this)) is not None:
            for value in node.expressions:
                if (kind := _kind(value)) is not None:
                    facts.note(key, kind)
    for node in tree.find_all(exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Sum, exp.Avg):
        for side in (node.this, node.args.get("expression")):
            if isinstance(side, exp.Column) and (key := key_of(side)) is not None:
                facts.note(key, "numeric")
    for node in tree.find_all(exp.Where, exp.Not, exp.And, exp.Or):
        for side in (node.this, node.args.get("expression")):
            if isinstance(side, exp.Column) and (key := key_of(side)) is not None:
                facts.note(key, "boolean")


def _kind(value: Any) -> str | None:
    from sqlglot import exp

    if isinstance(value, exp.Paren):
        value = value.this
    if isinstance(value, exp.Neg):
        value = value.this
    if isinstance(value, exp.Boolean | exp.Not):
        return "boolean"
    if isinstance(value, exp.Literal):
        if value.is_string:
            return "text"
        return "numeric" if "." in value.this or "e" in value.this.lower() else "bigint"
    if isinstance(value, exp.CurrentTimestamp | exp.CurrentDate):
        return "timestamp"
    if isinstance(value, exp.Add | exp.Sub):  # `now() - interval '1 year'`
        return _kind(value.this)
    if isinstance(value, exp.Anonymous) and value.name.lower() in {"now", "localtimestamp"}:
        return "timestamp"
    return None
