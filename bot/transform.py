"""What a data change reads and maps: CASE mappings, the columns it reads, whether it runs in batches."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from bot.migration import CaseMapping
from bot.names import identifier


def case_mappings(statement: exp.Expression, dialect: str, line: int) -> tuple[CaseMapping, ...]:
    mappings = []
    for case in statement.find_all(exp.Case):
        target = _target_of(case, statement)
        source = identifier(case.this) if case.this is not None else _common_column(case)
        whens = []
        for branch in case.args.get("ifs") or []:
            condition, result = branch.this, branch.args.get("true")
            value = _compared_value(condition, source) if case.this is None else condition.sql(dialect)
            whens.append(
                (value or condition.sql(dialect), result.sql(dialect) if result is not None else "NULL")
            )
        default = case.args.get("default")
        mappings.append(
            CaseMapping(
                target=target,
                source=source or None,
                whens=tuple(whens),
                otherwise=default.sql(dialect) if default is not None else None,
                line=line,
            )
        )
    return tuple(mappings)


def reads(statement: exp.Expression) -> tuple[str, ...]:
    written = {identifier(a.this) for a in statement.expressions if isinstance(a, exp.EQ)}
    seen: dict[str, None] = {}
    for assignment in statement.expressions:
        if isinstance(assignment, exp.EQ) and assignment.expression is not None:
            for column in assignment.expression.find_all(exp.Column):
                seen.setdefault(identifier(column.this), None)
    where = statement.args.get("where")
    if where is not None:
        for column in where.find_all(exp.Column):
            seen.setdefault(identifier(column.this), None)
    return tuple(c for c in seen if c and (c not in written or c in _where_columns(statement)))


def is_batched(statement: exp.Expression) -> bool:
    """A LIMIT, a key range or a sub-select with a LIMIT bounds the rows one statement changes."""
    if statement.args.get("limit") is not None:
        return True
    where = statement.args.get("where")
    if where is None:
        return False
    if any(select.args.get("limit") is not None for select in where.find_all(exp.Select)):
        return True
    if any(isinstance(b.this, exp.Column) for b in where.find_all(exp.Between)):
        return True
    lower = any(isinstance(c.this, exp.Column) for c in where.find_all(exp.GTE, exp.GT))
    upper = any(isinstance(c.this, exp.Column) for c in where.find_all(exp.LT, exp.LTE))
    return lower and upper and _has_placeholder_or_literal_range(where)


def _has_placeholder_or_literal_range(where: exp.Expression) -> bool:
    return any(
        isinstance(c.expression, exp.Literal | exp.Placeholder | exp.Parameter)
        for c in where.find_all(exp.GTE, exp.GT, exp.LT, exp.LTE)
    )


def _where_columns(statement: exp.Expression) -> set[str]:
    where = statement.args.get("where")
    return {identifier(c.this) for c in where.find_all(exp.Column)} if where is not None else set()


def _target_of(case: exp.Case, statement: exp.Expression) -> str:
    node: Any = case
    while node is not None and node is not statement:
        parent = node.parent
        if isinstance(parent, exp.EQ) and parent.parent is statement and parent.expression is node:
            return identifier(parent.this)
        if isinstance(node, exp.Alias):
            return identifier(node.args.get("alias"))
        node = parent
    return ""


def _common_column(case: exp.Case) -> str:
    columns = set()
    for branch in case.args.get("ifs") or []:
        condition = branch.this
        if isinstance(condition, exp.EQ | exp.In) and isinstance(condition.this, exp.Column):
            columns.add(identifier(condition.this.this))
        elif isinstance(condition, exp.EQ) and isinstance(condition.expression, exp.Column):
            columns.add(identifier(condition.expression.this))
        else:
            return ""
    return columns.pop() if len(columns) == 1 else ""


def _compared_value(condition: exp.Expression, source: str) -> str:
    if not source:
        return ""
    if isinstance(condition, exp.EQ):
        other = condition.expression if isinstance(condition.this, exp.Column) else condition.this
        return str(other.sql())
    if isinstance(condition, exp.In):
        return ", ".join(v.sql() for v in condition.expressions)
    return ""
