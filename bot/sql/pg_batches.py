"""The data statements a PL/pgSQL loop runs batch after batch, and how the loop moves their key range.

`WHILE lo < max_id LOOP hi := lo + 1000; UPDATE orders SET … WHERE id > lo AND id <= hi; lo := hi; END LOOP`
updates the rows between two bounds the loop keeps in variables. The statement is read with the variables
as values the code fills in (PLACEHOLDER), and the bounds with the assignment that moves the lower one
(`lo := hi`, `lo := hi + 1`) give the keys that fall between two batches, or in both.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from bot.model.migration import PLACEHOLDER, BatchStep
from bot.sql.names import identifier

_STRING = re.compile(r"'(?:[^']|'')*'")
_FLIPPED: dict[type[exp.Expression], type[exp.Expression]] = {
    exp.GT: exp.LT,
    exp.GTE: exp.LTE,
    exp.LT: exp.GT,
    exp.LTE: exp.GTE,
}


def with_placeholders(query: str, variables: set[str]) -> str:
    """The statement with each PL/pgSQL variable it names (not a qualified name, not inside a string) read as a
    value filled in when it runs."""
    if not variables:
        return query
    pattern = re.compile(
        r"(?<![\w.$\"])("
        + "|".join(re.escape(v) for v in sorted(variables, key=len, reverse=True))
        + r")(?![\w.\"(])",
        re.I,
    )
    pieces, last = [], 0
    for string in _STRING.finditer(query):
        pieces.append(pattern.sub(PLACEHOLDER, query[last : string.start()]))
        pieces.append(string.group(0))
        last = string.end()
    pieces.append(pattern.sub(PLACEHOLDER, query[last:]))
    return "".join(pieces)


def batch_step(query: str, assigned: dict[str, str], variables: set[str], loop: str) -> BatchStep | None:
    """The key range the statement's WHERE bounds by two variables (`id > lo AND id <= hi`, `id BETWEEN lo AND
    hi`), with the loop's assignment of the lower one from the upper one; None when either is not so."""
    try:
        tree = sqlglot.parse_one(query, dialect="postgres")
    except (SqlglotError, ValueError):
        return None
    where = tree.args.get("where") if tree is not None else None
    if where is None:
        return None
    found = _bounds(where.this, {v.lower() for v in variables})
    if found is None:
        return None
    column, lower, lower_strict, upper, upper_strict = found
    offset = _offset(assigned.get(lower, ""), upper)
    if offset is None:
        return None
    return BatchStep(column, lower, lower_strict, upper, upper_strict, offset, loop)


def _bounds(condition: exp.Expression, variables: set[str]) -> tuple[str, str, bool, str, bool] | None:
    """(column, lower variable, strict, upper variable, strict) of the AND-ed terms that bound one column."""
    lower: dict[str, tuple[str, bool]] = {}
    upper: dict[str, tuple[str, bool]] = {}
    for term in _conjuncts(condition):
        if isinstance(term, exp.Between) and isinstance(term.this, exp.Column):
            low, high = (
                _variable(term.args.get("low"), variables),
                _computed(term.args.get("high"), variables),
            )
            if low and high:
                lower[identifier(term.this.this)] = (low, False)
                upper[identifier(term.this.this)] = (high, False)
            continue
        if not isinstance(term, exp.GT | exp.GTE | exp.LT | exp.LTE):
            continue
        left, right = term.this, term.expression
        kind: type[exp.Expression] = type(term)
        if _computed(left, variables) and not _computed(right, variables):
            left, right = right, left  # `lo < id` is `id > lo`
            kind = _FLIPPED[kind]
        if not isinstance(left, exp.Column) or _computed(left, variables):
            continue
        if kind in (exp.GT, exp.GTE) and (variable := _variable(right, variables)):
            lower[identifier(left.this)] = (variable, kind is exp.GT)
        elif kind in (exp.LT, exp.LTE) and (bound := _computed(right, variables)):
            upper[identifier(left.this)] = (bound, kind is exp.LT)
    for column, (low, low_strict) in lower.items():
        if column in upper and upper[column][0] != low:
            return column, low, low_strict, upper[column][0], upper[column][1]
    return None


def _conjuncts(condition: exp.Expression) -> list[exp.Expression]:
    if isinstance(condition, exp.And):
        return _conjuncts(condition.this) + _conjuncts(condition.expression)
    if isinstance(condition, exp.Paren):
        return _conjuncts(condition.this)
    return [condition]


def _variable(node: exp.Expression | None, variables: set[str]) -> str:
    if isinstance(node, exp.Column) and not node.table and identifier(node.this).lower() in variables:
        return identifier(node.this).lower()
    return ""


def _computed(node: exp.Expression | None, variables: set[str]) -> str:
    """A bound computed from the block's variables alone (`hi`, `last_id + batch_size`), as SQL; "" otherwise."""
    if node is None or not isinstance(node, exp.Column | exp.Add | exp.Sub | exp.Mul | exp.Paren):
        return ""
    columns = list(node.find_all(exp.Column))
    if not columns or not all(_variable(c, variables) for c in columns):
        return ""
    return _normal(node)


def _normal(node: exp.Expression) -> str:
    return " ".join(node.sql(dialect="postgres").lower().split())


def _offset(expression: str, upper: str) -> int | None:
    """How far past the upper bound the loop sets the lower one: `lo := hi` 0, `lo := hi + 1` 1 (and
    `last_id := last_id + batch_size` 0 for the bound `last_id + batch_size`); None for anything else."""
    try:
        moved = sqlglot.parse_one(expression.strip().rstrip(";"), dialect="postgres")
    except (SqlglotError, ValueError):
        return None
    if not isinstance(moved, exp.Expression):
        return None
    if _normal(moved) == upper:
        return 0
    if (
        isinstance(moved, exp.Add | exp.Sub)
        and isinstance(moved.this, exp.Expression)
        and _normal(moved.this) == upper
    ):
        amount = moved.expression
        if isinstance(amount, exp.Literal) and amount.this.isdigit():
            return int(amount.this) if isinstance(moved, exp.Add) else -int(amount.this)
    return None
