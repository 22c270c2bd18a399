"""Whether a CHECK holds for a row whose values are known, in SQL's three-valued logic.

A CHECK added over columns the same migration has just added holds the same values in every existing row: NULL
(no default) or the default's constant. The constraint passes where the expression is TRUE or NULL (unknown) and
fails where it is FALSE, so `jit_role IN ('admin', 'write', 'read')` over a column added with DEFAULT 'read',
`policy IS NULL OR policy IN ('block', 'expand')` over one added without a default, and
`char_length(note) <= 1000` over NULL cannot fail on any row. Only the forms below are worked out (boolean
connectives, IS [NOT] NULL, IN, comparisons, BETWEEN, the length of a string); anything else is unknown, and the
caller says nothing about it. sqlglot reads the expression; its own executor is not used, as it does not keep
SQL's NULL semantics.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import sqlglot
from sqlglot import exp

UNKNOWN = object()  # the evaluator cannot tell (a form it does not work out)
_NULL = None  # SQL NULL


def check_body(sql: str) -> str:
    """The expression of a statement's `CHECK (…)` clause, "" when it has none."""
    match = _CHECK.search(sql)
    return match.group(1) if match else ""


_CHECK = re.compile(r"CHECK\s*\((.*)\)", re.I | re.S)


def holds_for(expression: str, row: Mapping[str, str | None], dialect: str = "postgres") -> bool | None:
    """True when the CHECK passes for the row (TRUE or NULL), False when it fails, None when not worked out.
    `row` maps each lower-case column to its value as a SQL literal (`'read'`, `0`) or None for NULL."""
    try:
        tree = sqlglot.parse_one(expression, read=dialect)
    except sqlglot.errors.ParseError:
        return None
    values = {name: _literal(value) for name, value in row.items()}
    if any(v is UNKNOWN for v in values.values()):
        return None
    result = _value(tree, values)
    if result is UNKNOWN:
        return None
    return result is not False


def _literal(sql: str | None) -> Any:
    if sql is None or sql.strip().upper() == "NULL":
        return _NULL
    try:
        node = sqlglot.parse_one(sql)
    except sqlglot.errors.ParseError:
        return UNKNOWN
    return _value(node, {})


def _value(node: Any, row: Mapping[str, Any]) -> Any:
    if isinstance(node, exp.Paren):
        return _value(node.this, row)
    if isinstance(node, exp.Null):
        return _NULL
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Literal):
        if node.is_string:
            return str(node.this)
        try:
            return float(node.this)
        except ValueError:
            return UNKNOWN
    if isinstance(node, exp.Cast):  # `'read'::text`: the value as it is
        return _value(node.this, row)
    if isinstance(node, exp.Column):
        return row.get(node.name.lower(), UNKNOWN) if not node.table else UNKNOWN
    if isinstance(node, exp.Neg):
        inner = _value(node.this, row)
        return -inner if isinstance(inner, float) else UNKNOWN
    if isinstance(node, exp.Length):
        inner = _value(node.this, row)
        return float(len(inner)) if isinstance(inner, str) else (_NULL if inner is _NULL else UNKNOWN)
    if isinstance(node, exp.Not):
        inner = _value(node.this, row)
        return (
            inner
            if inner is UNKNOWN or inner is _NULL
            else (not inner if isinstance(inner, bool) else UNKNOWN)
        )
    if isinstance(node, exp.And | exp.Or):
        return _connective(node, row)
    if isinstance(node, exp.Is):
        inner = _value(node.this, row)
        if inner is UNKNOWN or not isinstance(node.expression, exp.Null):
            return UNKNOWN
        return (inner is not _NULL) if node.args.get("negate") else (inner is _NULL)
    if isinstance(node, exp.In):
        return _in(node, row)
    if isinstance(node, exp.Between):
        value, low, high = (
            _value(node.this, row),
            _value(node.args["low"], row),
            _value(node.args["high"], row),
        )
        return _and(_compare(">=", value, low), _compare("<=", value, high))
    operators = {exp.EQ: "=", exp.NEQ: "<>", exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<="}
    for kind, operator in operators.items():
        if isinstance(node, kind):
            return _compare(operator, _value(node.this, row), _value(node.expression, row))
    return UNKNOWN


def _connective(node: exp.And | exp.Or, row: Mapping[str, Any]) -> Any:
    left, right = _value(node.this, row), _value(node.expression, row)
    return _and(left, right) if isinstance(node, exp.And) else _or(left, right)


def _and(left: Any, right: Any) -> Any:
    if left is False or right is False:
        return False
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    return _NULL if left is _NULL or right is _NULL else True


def _or(left: Any, right: Any) -> Any:
    if left is True or right is True:
        return True
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    return _NULL if left is _NULL or right is _NULL else False


def _in(node: exp.In, row: Mapping[str, Any]) -> Any:
    value = _value(node.this, row)
    options = [_value(e, row) for e in node.expressions]
    if value is UNKNOWN or not node.expressions or any(o is UNKNOWN for o in options):
        return UNKNOWN
    if value is _NULL:
        return _NULL
    if any(o == value for o in options if o is not _NULL):
        return True
    return _NULL if any(o is _NULL for o in options) else False


def _compare(operator: str, left: Any, right: Any) -> Any:
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    if left is _NULL or right is _NULL:
        return _NULL
    if type(left) is not type(right) or isinstance(left, bool):
        return UNKNOWN  # `'7' > 5`: a cast the database makes, or refuses
    results = {
        "=": left == right,
        "<>": left != right,
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
    }
    return results[operator]
