"""What a data change writes: for each target column, the expression that produces its new value, the table
that expression reads, and the condition that chooses the rows.

One reading for UPDATE (`SET column = expression … WHERE`) and INSERT … SELECT (the n-th column of the list
gets the n-th expression of the SELECT, whose FROM and WHERE decide the rows). Table aliases are resolved to
the tables they name, so a rule can ask the catalog about every column an expression reads.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from bot.model.kept import ByIdentity
from bot.model.migration import DataInsert, DataUpdate, Operation
from bot.sql.domains import Literal, literal
from bot.sql.names import identifier, table_name


@dataclass(frozen=True)
class Write:
    target: str  # the column written
    value: exp.Expression  # the expression producing its new value
    table: str  # the table the change writes
    source: str  # the table the expression reads by default (the UPDATE's own, the SELECT's first)
    where: exp.Expression | None  # the condition choosing the rows, None for every row
    aliases: dict[str, str] = field(default_factory=dict)  # alias (or table name) → table

    def table_of(self, column: exp.Column) -> str:
        """The table a column of the expression belongs to: its qualifier resolved, else the source."""
        qualifier = column.table
        return self.aliases.get(qualifier, qualifier) if qualifier else self.source


def writes(op: Operation) -> Iterator[Write]:
    """Every column the data change writes, with the expression that produces it.

    Read once per operation: a dozen rules ask for the writes of every data change of a migration."""
    if not isinstance(op, DataUpdate | DataInsert) or op.expression is None:
        return iter(())
    return iter(_read(op))


def _writes(op: Operation) -> tuple[Write, ...]:
    return tuple(_written(op))


_read: ByIdentity[Operation, tuple[Write, ...]] = ByIdentity(_writes)


def _written(op: Operation) -> Iterator[Write]:
    tree = op.expression
    if isinstance(op, DataUpdate) and isinstance(tree, exp.Update):
        names = aliases(tree)
        where = tree.args.get("where")
        for assignment in tree.expressions:
            if isinstance(assignment, exp.EQ) and assignment.expression is not None:
                yield Write(
                    identifier(assignment.this),
                    assignment.expression,
                    op.table,
                    op.table,
                    where.this if where is not None else None,
                    names,
                )
    elif isinstance(op, DataInsert) and tree is not None:
        select = tree.find(exp.Select)
        if select is None or not op.columns or len(select.expressions) != len(op.columns):
            return
        names = aliases(select)
        origin = select.args.get("from_")
        first = origin.find(exp.Table) if origin is not None else None
        where = select.args.get("where")
        for column, value in zip(op.columns, select.expressions, strict=True):
            yield Write(
                column,
                value.this if isinstance(value, exp.Alias) else value,
                op.table,
                table_name(first) if first is not None else "",
                where.this if where is not None else None,
                names,
            )


def assigned(op: Operation, dialect: str) -> Iterator[Write]:
    """`writes`, and for an UPDATE read from ORM code (no SQL tree) its assignments' SQL parsed one by one."""
    if op.expression is not None or not isinstance(op, DataUpdate):
        yield from writes(op)
        return
    syntax = "mysql" if dialect in ("mysql", "mariadb") else dialect
    for column, text in op.assignments:
        try:
            parsed = sqlglot.parse_one(text, dialect=syntax)
        except (SqlglotError, ValueError):
            continue
        if isinstance(parsed, exp.Expression):
            yield Write(column, parsed, op.table, op.table, None)


def written_literals(op: Operation) -> Mapping[str, tuple[Literal, ...]]:
    """The literal values a data change writes into each column: a SET, the results and ELSE of a CASE,
    the rows of a VALUES list, the literal expressions of an INSERT … SELECT. NULL is no literal here.

    Read once per operation (the data rules and the plan each ask), and shared: not to be changed."""
    if not isinstance(op, DataUpdate | DataInsert):
        return {}
    return _literals(op)


def _written_literals(op: Operation) -> dict[str, tuple[Literal, ...]]:
    found: dict[str, dict[Literal, None]] = {}

    def add(column: str, sql: str | None) -> None:
        value = literal(sql) if sql else None
        if column and value is not None:
            found.setdefault(column, {})[value] = None

    if isinstance(op, DataUpdate):
        for column, sql in op.assignments:
            add(column, sql)
    if isinstance(op, DataInsert):
        for row in op.rows:
            for column, sql in zip(op.columns, row, strict=False):
                add(column, sql)
        for write in writes(op):
            if isinstance(write.value, exp.Literal | exp.Cast):
                add(write.target, write.value.sql(dialect="postgres"))
    if isinstance(op, DataUpdate | DataInsert):
        for mapping in op.case_mappings:
            for _, result in mapping.whens:
                add(mapping.target, result)
            add(mapping.target, mapping.otherwise)
    return {column: tuple(values) for column, values in found.items()}


_literals: ByIdentity[Operation, dict[str, tuple[Literal, ...]]] = ByIdentity(_written_literals)


def aliases(scope: exp.Expression) -> dict[str, str]:
    """alias → table for the tables a statement names directly (not those of its sub-queries)."""
    found: dict[str, str] = {}
    for table in scope.find_all(exp.Table):
        if table.find_ancestor(exp.Subquery) is not None and scope.find_ancestor(exp.Subquery) is None:
            continue
        name = table_name(table)
        found.setdefault(table.alias_or_name, name)
        found.setdefault(table.name, name)
    return found


def guarded(column: exp.Column, within: exp.Expression) -> bool:
    """Is the column wrapped (below `within`) in a function that replaces NULL: COALESCE, IFNULL, NULLIF …?"""
    node = column.parent
    while node is not None and node is not within.parent:
        if isinstance(node, exp.Coalesce | exp.Case | exp.If | exp.ConcatWs):
            return True
        if isinstance(node, exp.Anonymous) and node.name.lower() in ("ifnull", "nvl", "isnull"):
            return True
        node = node.parent
    return False


def null_only_in(where: exp.Expression | None, column: str) -> bool:
    """Does the condition keep only rows where `column` is NULL (`WHERE price_cents IS NULL AND …`)?"""
    if where is None:
        return False
    return any(
        isinstance(node.expression, exp.Null)
        and not node.args.get("negate")
        and not isinstance(node.parent, exp.Not)
        and _names(node.this, column)
        and in_conjunction(node, where)
        for node in where.find_all(exp.Is)
    )


def not_null_in(where: exp.Expression | None, column: str) -> bool:
    """Does the condition keep only rows where `column` is not NULL (`IS NOT NULL`, `= value`, `> value`…)?"""
    if where is None:
        return False
    for node in where.find_all(exp.Is):
        negated = (
            node.parent if isinstance(node.parent, exp.Not) else node if node.args.get("negate") else None
        )
        if negated is not None and _names(node.this, column) and in_conjunction(negated, where):
            return True
    return any(
        _names(node.this, column) and not isinstance(node.parent, exp.Not) and in_conjunction(node, where)
        for node in where.find_all(exp.EQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.In, exp.Like)
    )


def _names(node: exp.Expression | None, column: str) -> bool:
    return isinstance(node, exp.Column) and identifier(node.this) == column


def check_keeps_not_null(check: str, column: str, where: exp.Expression, dialect: str) -> bool:
    """Does a CHECK constraint (its SQL) keep `column` from NULL in the rows `where` chooses? Every branch of
    the CHECK's ORs that those rows can take (none requires another constant where the condition requires
    `col = constant`) says `column IS NOT NULL`: `(status = 'OPEN' AND closed_at IS NULL) OR (status =
    'CLOSED' AND closed_at IS NOT NULL)` under `WHERE status = 'CLOSED'`."""
    chosen = _constants(conjuncts(where))
    if not chosen:
        return False
    try:
        parsed = sqlglot.parse_one(check, read=_SQLGLOT.get(dialect, dialect))
    except SqlglotError:
        return False
    if not isinstance(parsed, exp.Expression):
        return False
    branches = [b for b in _disjuncts(parsed) if _can_hold(_constants(conjuncts(b)), chosen)]
    return bool(branches) and all(not_null_in(b, column) for b in branches)


_SQLGLOT = {"mariadb": "mysql"}


def _disjuncts(condition: exp.Expression) -> list[exp.Expression]:
    term = condition.unnest()
    if isinstance(term, exp.Or):
        return _disjuncts(term.this) + _disjuncts(term.expression)
    return [term] if isinstance(term, exp.Expression) else []


def _constants(terms: list[exp.Expression]) -> dict[str, str]:
    """The `column = constant` terms among conjuncts, by column."""
    return {
        identifier(t.this.this): t.expression.sql()
        for t in terms
        if isinstance(t, exp.EQ) and isinstance(t.this, exp.Column) and isinstance(t.expression, exp.Literal)
    }


def _can_hold(branch: dict[str, str], chosen: dict[str, str]) -> bool:
    return all(chosen.get(column, value) == value for column, value in branch.items())


def conjuncts(condition: exp.Expression | None) -> list[exp.Expression]:
    """`a AND (b AND c)` → [a, b, c], parentheses dropped; [] for no condition."""
    if condition is None:
        return []
    term = condition.unnest()
    if isinstance(term, exp.And):
        return conjuncts(term.this) + conjuncts(term.expression)
    return [term] if isinstance(term, exp.Expression) else []


def inner_joined(scope: exp.Expression) -> list[tuple[exp.Table, exp.Expression | None]]:
    """The tables a statement reads through its FROM and inner joins (MySQL's `UPDATE a JOIN b` too), each
    with its ON condition (None for the first): a LEFT, RIGHT or FULL join keeps every row, so it is left out."""
    origin = scope.args.get("from_")
    first = origin.this if origin is not None else None
    joins = list(scope.args.get("joins") or [])
    if isinstance(scope.this, exp.Table):
        joins += list(scope.this.args.get("joins") or [])
    found: list[tuple[exp.Table, exp.Expression | None]] = []
    if isinstance(first, exp.Table):
        found.append((first, None))
        joins += list(first.args.get("joins") or [])
    for join in joins:
        if isinstance(join.this, exp.Table) and not join.side:
            found.append((join.this, join.args.get("on")))
    return found


def in_conjunction(node: Any, where: exp.Expression) -> bool:
    """Is the node one of the AND-ed terms of the condition (not under an OR)?"""
    current: Any = node
    while current is not where:
        parent = current.parent
        if parent is None or isinstance(parent, exp.Or | exp.Not | exp.Subquery):
            return False
        current = parent
    return True
