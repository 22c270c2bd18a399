"""Key ranges a Python loop moves batch after batch: `for start in range(0, max_id, 1000):` with
`Order.objects.filter(id__gte=start, id__lt=start + 1000).update(…)`.

Each pass moves the loop's variable by the range's step; the queryset's lookups bound the key by it. Read as
the same bounds a PL/pgSQL loop's WHERE gives (`id >= start AND id < start + 1000`, `start := start + 1000`),
they show the keys that fall between two batches (`id__gt=start, id__lt=start + 1000`) or in both
(`id__range=(start, start + 1000)`, which includes both ends).
"""

from __future__ import annotations

import ast

from bot.model.migration import BatchStep
from bot.sql.pg_batches import batch_step

_BOUNDS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def range_loop(loop: ast.For | ast.AsyncFor) -> tuple[str, str] | None:
    """`for start in range(a, b, step)`: the variable and the step (as Python text); None for another loop."""
    call = loop.iter
    if (
        not isinstance(loop.target, ast.Name)
        or not isinstance(call, ast.Call)
        or not isinstance(call.func, ast.Name)
        or call.func.id != "range"
        or not call.args
    ):
        return None
    step = ast.unparse(call.args[2]) if len(call.args) > 2 else "1"
    return loop.target.id, step


def range_step(loop: ast.For | ast.AsyncFor, line: int) -> BatchStep | None:
    """How the range loop moves the key range of the queryset written at `line` of its body."""
    found = range_loop(loop)
    if found is None:
        return None
    variable, step = found
    statement = next(
        (s for s in ast.walk(loop) if isinstance(s, ast.stmt) and s is not loop and s.lineno == line), None
    )
    if statement is None:
        return None
    conditions, names = [], {variable}
    for call in ast.walk(statement):
        if (
            not isinstance(call, ast.Call)
            or not isinstance(call.func, ast.Attribute)
            or call.func.attr != "filter"
        ):
            continue
        for keyword in call.keywords:
            condition = _condition(keyword)
            if condition:
                conditions.append(condition)
                names |= {n.id for n in ast.walk(keyword.value) if isinstance(n, ast.Name)}
    if not conditions:
        return None
    text = (
        f"range({', '.join(ast.unparse(a) for a in loop.iter.args)})"
        if isinstance(loop.iter, ast.Call)
        else ""
    )
    query = f"DELETE FROM t WHERE {' AND '.join(conditions)}"
    return batch_step(
        query, {variable.lower(): f"{variable} + {step}"}, names, f"in a loop (`for {variable} in {text}`)"
    )


def _condition(keyword: ast.keyword) -> str:
    """`id__gte=start` → `id >= start`; `id__range=(start, start + 1000)` → `id BETWEEN start AND start + 1000`."""
    field, _, lookup = (keyword.arg or "").rpartition("__")
    if not field or "__" in field:
        return ""
    column = "id" if field == "pk" else field
    if lookup in _BOUNDS:
        return f"{column} {_BOUNDS[lookup]} {ast.unparse(keyword.value)}"
    if lookup == "range" and isinstance(keyword.value, ast.Tuple | ast.List) and len(keyword.value.elts) == 2:
        low, high = (ast.unparse(e) for e in keyword.value.elts)
        return f"{column} BETWEEN {low} AND {high}"
    return ""
