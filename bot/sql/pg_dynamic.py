"""SQL a PL/pgSQL block builds when it runs, read where its parts are known.

`EXECUTE 'ALTER TABLE ' || t || ' …'` and `EXECUTE format('ALTER TABLE %I …', r.name)` are statements like
any other once the values of `t` and `r.name` are known: the values of a loop over a literal list
(`FOREACH t IN ARRAY ARRAY['a', 'b']`, `FOR t IN SELECT unnest(ARRAY[…])`, `FOR a, b IN VALUES (…)`,
`FOR r IN SELECT * FROM (VALUES …) AS v(a, b)`). `evaluate` gives the text, or None when a part is only
known when the block runs (a loop over `pg_tables`, a value read from a table). `template` gives the same
text with such parts replaced by a marker, so the kind of statement can still be told.

PostgreSQL evaluates these expressions itself; this module follows its rules for the few functions that
build SQL (`format` with %s/%I/%L, `quote_ident`, `quote_literal`, `concat`, `||`) and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pglast
from pglast import ast
from pglast.parser import ParseError

from bot.model.migration import PLACEHOLDER
from bot.sql.domains import Literal
from bot.sql.pg_nodes import function_name, text_of

Bindings = dict[str, str]  # a variable (`t`) or a record's field (`r.name`) -> its text value
UNKNOWN = PLACEHOLDER  # what stands for a part only known at run time in `template`
_PLAIN = re.compile(r"[a-z_][a-z0-9_$]*")
_FORMAT = re.compile(r"%(?:(\d+)\$)?([sIL%])")


def evaluate(expression: str, bindings: Bindings) -> str | None:
    """The text an expression builds, or None when a part of it is only known at run time."""
    node = _expression(expression)
    return _value(node, bindings, None) if node is not None else None


def template(expression: str, bindings: Bindings) -> str | None:
    """The text with the unknown parts as the placeholder the readers use for values code fills in at run
    time (None when the expression is no text at all)."""
    node = _expression(expression)
    return _value(node, bindings, UNKNOWN) if node is not None else None


def array_values(expression: str) -> list[str] | None:
    """`ARRAY['a', 'b']` or `'{a,b}'::text[]`: the values of a literal array."""
    node = _expression(expression)
    return _array(node) if node is not None else None


def query_rows(query: str) -> tuple[list[str], list[list[str]]] | None:
    """The column names and rows of a loop's query over literal values, or None when they come from tables."""
    try:
        statements = pglast.parse_sql(query)
    except ParseError:
        return None
    if len(statements) != 1 or not isinstance(statements[0].stmt, ast.SelectStmt):
        return None
    select: Any = statements[0].stmt
    if select.valuesLists:
        return _values_rows(select.valuesLists, [])
    targets: Any = select.targetList or ()
    sources: Any = select.fromClause or ()
    if len(targets) == 1 and not sources and isinstance(targets[0].val, ast.FuncCall):
        values = _unnest(targets[0].val)
        name = targets[0].name or "unnest"
        return ([str(name)], [[v] for v in values]) if values is not None else None
    found = _from_source(sources[0]) if len(sources) == 1 else None
    if found is None or _star(targets):
        return found
    names, rows = found
    picked = [_column(t, names) for t in targets]
    if any(i is None for i in picked):
        return None
    indexes = [i for i in picked if i is not None]
    return [str(t.name or names[i]) for t, i in zip(targets, indexes, strict=True)], [
        [row[i] for i in indexes] for row in rows
    ]


def _column(target: Any, names: list[str]) -> int | None:
    """The position of the source column a target names (`t` of `unnest(…) AS t` is its only column)."""
    fields: Any = target.val.fields if isinstance(target.val, ast.ColumnRef) else ()
    if not fields or not isinstance(fields[-1], ast.String):
        return None
    name = text_of(fields[-1])
    return names.index(name) if name in names else None


def _values_rows(lists: Any, names: list[str]) -> tuple[list[str], list[list[str]]] | None:
    """The rows of a `VALUES (…), (…)` list of constants, named as given or `column1`, `column2`… as
    PostgreSQL names them; None when a value is not a constant."""
    rows = [_texts(row) for row in lists]
    if not rows or any(r is None for r in rows):
        return None
    width = len(rows[0] or [])
    return names or [f"column{i + 1}" for i in range(width)], [r for r in rows if r is not None]


def _from_source(source: Any) -> tuple[list[str], list[list[str]]] | None:
    alias = getattr(source, "alias", None)
    names = [text_of(c) for c in alias.colnames or ()] if alias is not None and alias.colnames else []
    if isinstance(source, ast.RangeSubselect) and isinstance(source.subquery, ast.SelectStmt):
        inner = source.subquery.valuesLists
        return _values_rows(inner, names) if inner else None
    if isinstance(source, ast.RangeFunction) and source.functions:
        call = source.functions[0][0] if isinstance(source.functions[0], tuple) else None
        values = _unnest(call) if isinstance(call, ast.FuncCall) else None
        if values is None:
            return None
        name = names[0] if names else (str(alias.aliasname) if alias is not None else "unnest")
        return [name], [[v] for v in values]
    return None


def _star(targets: Any) -> bool:
    value: Any = targets[0].val if len(targets) == 1 else None
    return isinstance(value, ast.ColumnRef) and isinstance((value.fields or (None,))[-1], ast.A_Star)


def _unnest(call: Any) -> list[str] | None:
    if function_name(call) != "unnest" or len(call.args or ()) != 1:
        return None
    return _array(call.args[0])


def _array(node: Any) -> list[str] | None:
    if isinstance(node, ast.TypeCast):
        if isinstance(node.arg, ast.A_Const) and isinstance(node.arg.val, ast.String):
            inner = text_of(node.arg.val).strip()
            if inner.startswith("{") and inner.endswith("}"):
                return [v.strip().strip('"') for v in inner[1:-1].split(",") if v.strip()]
        return _array(node.arg)
    if isinstance(node, ast.A_ArrayExpr):
        values = _texts(node.elements or ())
        return values
    return None


def _texts(nodes: Any) -> list[str] | None:
    values = [_value(n, {}, None) for n in nodes]
    return [v for v in values if v is not None] if all(v is not None for v in values) else None


def _expression(expression: str) -> Any:
    try:
        statements = pglast.parse_sql(f"SELECT {expression}")
    except ParseError:
        return None
    select: Any = statements[0].stmt if len(statements) == 1 else None
    if not isinstance(select, ast.SelectStmt) or len(select.targetList or ()) != 1:
        return None
    targets: Any = select.targetList
    return targets[0].val


def _value(node: Any, bindings: Bindings, unknown: str | None) -> str | None:
    if isinstance(node, ast.A_Const):
        return None if node.isnull else text_of(node.val)
    if isinstance(node, ast.TypeCast):
        return _value(node.arg, bindings, unknown)
    if isinstance(node, ast.ColumnRef):
        fields: Any = node.fields or ()
        name = ".".join(text_of(f) for f in fields if isinstance(f, ast.String))
        return bindings.get(name, unknown)
    if isinstance(node, ast.A_Expr) and _operator(node) == "||" and isinstance(node.rexpr, ast.Node):
        left, right = _value(node.lexpr, bindings, unknown), _value(node.rexpr, bindings, unknown)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.FuncCall):
        builder = _BUILDERS.get(function_name(node))
        args = [_value(a, bindings, unknown) for a in node.args or () if isinstance(a, ast.Node)]
        if builder is None or any(a is None for a in args):
            return unknown
        return builder([a for a in args if a is not None])
    return unknown


def _operator(node: Any) -> str:
    return text_of(node.name[-1]) if node.name else ""


def quote_ident(name: str) -> str:
    return name if _PLAIN.fullmatch(name) else '"' + name.replace('"', '""') + '"'


def _substring(text: str, start: str, length: str = "") -> str | None:
    """PostgreSQL's `substr(text, from [, count])`: positions count from 1."""
    if not start.lstrip("-").isdigit() or (length and not length.isdigit()):
        return None
    first = max(int(start) - 1, 0)
    end = int(start) - 1 + int(length) if length else len(text)
    return text[first : max(end, first)]


def _format(args: list[str]) -> str | None:
    if not args:
        return None
    template, values = args[0], args[1:]
    position = 0
    out: list[str] = []
    last = 0
    for match in _FORMAT.finditer(template):
        out.append(template[last : match.start()])
        last = match.end()
        if match.group(2) == "%":
            out.append("%")
            continue
        index = int(match.group(1)) - 1 if match.group(1) else position
        position = index + 1
        if index >= len(values):
            return None
        value = values[index]
        kind = match.group(2)
        out.append(
            quote_ident(value) if kind == "I" else Literal(value, quoted=True).sql if kind == "L" else value
        )
    out.append(template[last:])
    return "".join(out)


_BUILDERS: dict[str, Callable[[list[str]], str | None]] = {
    "format": _format,
    "quote_ident": lambda a: quote_ident(a[0]) if len(a) == 1 else None,
    "quote_literal": lambda a: Literal(a[0], quoted=True).sql if len(a) == 1 else None,
    "concat": "".join,
    "lower": lambda a: a[0].lower() if len(a) == 1 else None,
    "substr": lambda a: _substring(*a) if len(a) in (2, 3) else None,
    "substring": lambda a: _substring(*a) if len(a) in (2, 3) else None,
    "replace": lambda a: a[0].replace(a[1], a[2]) if len(a) == 3 else None,
    "left": lambda a: a[0][: int(a[1])] if len(a) == 2 and a[1].lstrip("-").isdigit() else None,
    "trim": lambda a: a[0].strip() if len(a) == 1 else None,
    "btrim": lambda a: a[0].strip() if len(a) == 1 else None,
    "upper": lambda a: a[0].upper() if len(a) == 1 else None,
}
