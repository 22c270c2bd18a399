"""SQLAlchemy Core data changes an Alembic revision runs, read back into SQL: `t.update().where(t.c.state ==
'stale').values(state='closed')`, `sa.update(t).values({"b": t.c.a})`, `t.delete().where(…)`,
`t.insert().values(key="x", value=v)`, on tables the
revision declares with `sa.table("t", sa.Column(…))` or `sa.Table(…)`.

What the expressions hold is rendered as the statement they send, so the same rules read it as SQL; a
value of the code (`.values(content=new_content)`, `.where(t.c.id == row.id)`) is a value known only when it
runs, written as such; an expression this reader does not know (a `case`, a sub-query) leaves the whole
change unread, which the review says.
"""

from __future__ import annotations

import ast

from bot.frameworks import python_source as py
from bot.frameworks.python_code import sql_value
from bot.model.migration import PLACEHOLDER

_COMPARE = {ast.Eq: "=", ast.NotEq: "<>", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.BitAnd: "AND", ast.BitOr: "OR"}


def declared_table(node: ast.expr | None) -> str:
    """`sa.table("queries", …)` / `Table("queries", metadata, …)` → "queries"; "" otherwise."""
    if isinstance(node, ast.Call) and py.name(node) in ("table", "Table") and node.args:
        value = py.literal(node.args[0])
        return value if isinstance(value, str) else ""
    return ""


def core_sql(node: ast.expr | None, tables: dict[str, str]) -> str | None:
    """The UPDATE or DELETE a Core statement expression sends; None when any part of it cannot be read."""
    chain: list[ast.Call] = []
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _STEPS:
        chain.append(node)
        node = node.func.value
    start = _start(node, tables)
    if start is None:
        return None
    kind, table, variable = start
    wheres: list[str] = []
    values: list[tuple[str, str]] = []
    for call in reversed(chain):
        step = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        if step == "where":
            for condition in call.args:
                text = _expression(condition, variable)
                if text is None:
                    return None
                wheres.append(text)
        elif step == "values":
            pairs = _values(call, variable)
            if pairs is None:
                return None
            values.extend(pairs)
        elif step != "execution_options":
            return None
    where = f" WHERE {' AND '.join(f'({w})' if ' OR ' in w else w for w in wheres)}" if wheres else ""
    if kind == "delete":
        return f"DELETE FROM {table}{where}"
    if not values:
        return None
    if kind == "insert":
        if wheres:
            return None
        columns, row = ", ".join(c for c, _ in values), ", ".join(v for _, v in values)
        return f"INSERT INTO {table} ({columns}) VALUES ({row})"
    return f"UPDATE {table} SET {', '.join(f'{c} = {v}' for c, v in values)}{where}"


_STEPS = frozenset({"where", "values", "execution_options"})


def _start(node: ast.expr | None, tables: dict[str, str]) -> tuple[str, str, str] | None:
    """(update | delete | insert, table, the variable that names it) of `t.update()` or `sa.update(t)`."""
    if not isinstance(node, ast.Call):
        return None
    name = py.name(node)
    if name not in ("update", "delete", "insert"):
        return None
    if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) and not node.args:
        target = node.func.value.id
    elif node.args and isinstance(node.args[0], ast.Name):
        target = node.args[0].id
    else:
        return None
    return (name, tables[target], target) if target in tables else None


def _values(call: ast.Call, variable: str) -> list[tuple[str, str]] | None:
    pairs: list[tuple[str, ast.expr]] = [(k.arg, k.value) for k in call.keywords if k.arg]
    for argument in call.args:
        if not isinstance(argument, ast.Dict):
            return None
        for key, value in zip(argument.keys, argument.values, strict=True):
            column = py.literal(key) if key is not None else None
            if not isinstance(column, str):
                column = _column(key, variable) if key is not None else None
            if not column:
                return None
            pairs.append((column, value))
    rendered = []
    for column, value in pairs:
        text = _expression(value, variable)
        if text is None:
            return None
        rendered.append((column, text))
    return rendered


def _column(node: ast.expr, variable: str) -> str | None:
    """`t.c.state`, `t.c["state"]` → state, for the statement's own table."""
    if isinstance(node, ast.Attribute) and _columns_of(node.value, variable):
        return node.attr
    if isinstance(node, ast.Subscript) and _columns_of(node.value, variable):
        key = py.literal(node.slice)
        return key if isinstance(key, str) else None
    return None


def _columns_of(node: ast.expr, variable: str) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr in ("c", "columns")
        and isinstance(node.value, ast.Name)
        and node.value.id == variable
    )


def _expression(node: ast.expr, variable: str) -> str | None:
    column = _column(node, variable)
    if column is not None:
        return column
    if isinstance(node, ast.Constant):
        return sql_value(node)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        return _comparison(node, variable)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _expression(node.left, variable), _expression(node.right, variable)
        if left is None or right is None:
            return None
        return f"({left} {_BINARY[type(node.op)]} {right})"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert | ast.Not):
        inner = _expression(node.operand, variable)
        return f"NOT ({inner})" if inner is not None else None
    if isinstance(node, ast.Call):
        return _call(node, variable)
    if _run_time(node, variable):
        return PLACEHOLDER  # `.values(content=new_content)`, `.where(t.c.id == row.id)`: a value of the code
    return None


def _run_time(node: ast.expr, variable: str) -> bool:
    """A local of the migration's code or an attribute or item of one (`new_value`, `row.id`, `ids[0]`), not
    the statement's own table: a value known when the code runs."""
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return isinstance(node, ast.Name) and node.id != variable


def _comparison(node: ast.Compare, variable: str) -> str | None:
    left, right = _expression(node.left, variable), _expression(node.comparators[0], variable)
    operator = _COMPARE.get(type(node.ops[0]))
    if left is None or right is None or operator is None:
        return None
    if right == "NULL" and operator in ("=", "<>"):
        return f"{left} IS {'NOT ' if operator == '<>' else ''}NULL"
    return f"{left} {operator} {right}"


def _call(node: ast.Call, variable: str) -> str | None:
    name = py.name(node)
    if isinstance(node.func, ast.Attribute) and name in _METHODS:
        subject = _expression(node.func.value, variable)
        argument = node.args[0] if node.args else None
        if subject is None or argument is None:
            return None
        if name in ("in_", "not_in", "notin_"):
            items = argument.elts if isinstance(argument, ast.List | ast.Tuple | ast.Set) else None
            rendered = [_expression(i, variable) for i in items or []]
            if not items or any(r is None for r in rendered):
                return None
            negated = "NOT " if name != "in_" else ""
            return f"{subject} {negated}IN ({', '.join(str(r) for r in rendered)})"
        other = _expression(argument, variable)
        return f"{subject} {_METHODS[name]} {other}" if other is not None else None
    if name in ("and_", "or_"):
        parts = [_expression(a, variable) for a in node.args]
        if not parts or any(p is None for p in parts):
            return None
        return "(" + f" {name[:-1].upper()} ".join(str(p) for p in parts) + ")"
    if name == "not_" and node.args:
        inner = _expression(node.args[0], variable)
        return f"NOT ({inner})" if inner is not None else None
    if name == "null" and not node.args:
        return "NULL"
    if name in ("true", "false") and not node.args:
        return name.upper()
    if name == "literal" and node.args and isinstance(node.args[0], ast.Constant):
        return sql_value(node.args[0])
    if _sql_function(node.func) and name.isidentifier() and not node.keywords:
        # `sa.func.lower(t.c.email)`, `func.coalesce(t.c.a, 0)`: the SQL function of that name
        arguments = [_expression(a, variable) for a in node.args]
        if any(a is None for a in arguments):
            return None
        return f"{name}({', '.join(str(a) for a in arguments)})"
    return None


def _sql_function(func: ast.expr) -> bool:
    """`sa.func.lower`, `sqlalchemy.func.lower`, `func.lower`: a name looked up on SQLAlchemy's `func`."""
    return isinstance(func, ast.Attribute) and py.dotted(func.value).split(".")[-1] == "func"


_METHODS = {
    "is_": "IS",
    "isnot": "IS NOT",
    "is_not": "IS NOT",
    "in_": "IN",
    "not_in": "NOT IN",
    "notin_": "NOT IN",
}
