"""The values a column admits, judged without a database: one literal against a CHECK expression.

A CHECK is evaluated with the column replaced by the literal, in SQL's three-valued logic: True and NULL
(unknown) let the row in, only False refuses it. Only what can be decided from the text is decided:
`IN`/`NOT IN` lists, `= ANY (ARRAY[…])` (PostgreSQL's own rendering of an `IN` list), comparisons with
literals, `BETWEEN`, `IS [NOT] NULL`, `length()`, `lower()`/`upper()`/`trim()`, casts, AND, OR and NOT. An
expression that reads another column or calls anything else gives no verdict (None), never a refusal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import sqlglot
from sqlglot import exp

from bot.sql.names import identifier


@dataclass(frozen=True)
class Literal:
    text: str  # the value, unquoted
    quoted: bool  # written as a string literal

    @property
    def sql(self) -> str:
        return "'" + self.text.replace("'", "''") + "'" if self.quoted else self.text


_CAST_SUFFIX = re.compile(r"(?<=')\s*::\s*[\w .\"\[\]()]+$")
_CAST_CALL = re.compile(r"^CAST\s*\((.*)\s+AS\s+[\w .\"\[\]()]+\)$", re.I | re.S)
_STRING = re.compile(r"^[EN]?'((?:[^']|'')*)'$", re.I)
_NUMBER = re.compile(r"^[-+]?\d+(?:\.\d+)?$")


@lru_cache(maxsize=16384)  # the rules read the same values of the same statements again and again
def literal(sql: str) -> Literal | None:
    """`'paid'`, `'paid'::text`, `CAST('paid' AS text)` → paid (quoted); `3` → 3; None for anything else."""
    text = sql.strip()
    cast = _CAST_CALL.match(text)
    if cast:
        text = cast.group(1).strip()
    text = _CAST_SUFFIX.sub("", text)
    string = _STRING.match(text)
    if string:
        return Literal(string.group(1).replace("''", "'"), True)
    if _NUMBER.match(text):
        return Literal(text.lstrip("+"), False)
    return None


def admits(check_sql: str, column: str, value: Literal, dialect: str = "postgres") -> bool | None:
    """Does a CHECK on `column` let a row through whose `column` holds `value`? None when undecidable."""
    tree = _parsed(check_sql, "mysql" if dialect in ("mysql", "mariadb") else dialect)
    if tree is None or not _only(tree, column):
        return None
    verdict = _truth(tree, column, value)
    return None if verdict is None else verdict is not False


def still_met(condition_sql: str, column: str, value: Literal, dialect: str = "postgres") -> bool:
    """Does a row still meet the condition once `column` holds `value` (`status <> 'open'` for 'closed')?
    True only when every part of the AND that reads `column` reads it alone and is true for the value; the
    parts on other columns held before and are not written."""
    tree = _parsed(condition_sql, "mysql" if dialect in ("mysql", "mariadb") else dialect)
    if tree is None:
        return False
    while isinstance(tree, exp.Paren):
        tree = tree.this
    parts = (
        [p for p in tree.flatten() if isinstance(p, exp.Expression)] if isinstance(tree, exp.And) else [tree]
    )
    reading = [p for p in parts if column in {identifier(c.this) for c in p.find_all(exp.Column)}]
    return bool(reading) and all(_only(p, column) and _truth(p, column, value) is True for p in reading)


@lru_cache(maxsize=4096)
def reads_only(check_sql: str, column: str, dialect: str = "postgres") -> bool:
    """Does the CHECK read `column` and no other column? (Asked of every CHECK of a table for each column
    a data change writes.)"""
    tree = _parsed(check_sql, "mysql" if dialect in ("mysql", "mariadb") else dialect)
    return tree is not None and _only(tree, column)


def condition(check_sql: str, dialect: str = "postgres") -> exp.Expression | None:
    """A condition or expression written as text (a CHECK's, an index's) as a tree; None when it is no SQL."""
    return _parsed(check_sql, dialect)


@lru_cache(maxsize=512)
def _parsed(check_sql: str, dialect: str) -> exp.Expression | None:
    try:
        select = sqlglot.parse_one(f"SELECT 1 WHERE {check_sql}", dialect=dialect)
    except (sqlglot.errors.SqlglotError, ValueError):
        return None
    where = select.args.get("where")
    return where.this if where is not None else None


def _only(tree: exp.Expression, column: str) -> bool:
    names = {identifier(c.this) for c in tree.find_all(exp.Column)}
    return names == {column}


_Unknown = None
Scalar = Decimal | str | None  # None: SQL NULL


def _truth(node: exp.Expression, column: str, value: Literal) -> bool | None:
    """The condition's truth: True, False, or None for NULL as well as for what cannot be decided."""
    if isinstance(node, exp.Paren):
        return _truth(node.this, column, value)
    if isinstance(node, exp.And):
        left, right = _truth(node.this, column, value), _truth(node.expression, column, value)
        if left is False or right is False:
            return False
        return True if left and right else _Unknown
    if isinstance(node, exp.Or):
        left, right = _truth(node.this, column, value), _truth(node.expression, column, value)
        if left or right:
            return True
        return False if left is False and right is False else _Unknown
    if isinstance(node, exp.Not):
        inner = _truth(node.this, column, value)
        return None if inner is None else not inner
    if isinstance(node, exp.Is):
        return _is(node, column, value)
    if isinstance(node, exp.In):
        return _member(node.this, list(node.expressions), column, value)
    if isinstance(node, exp.EQ) and isinstance(node.expression, exp.Any):
        return _member(node.this, _array_items(node.expression), column, value)
    if isinstance(node, exp.Between):
        low = _compare(exp.GTE, node.this, node.args.get("low"), column, value)
        high = _compare(exp.LTE, node.this, node.args.get("high"), column, value)
        return _truth_and(low, high)
    if isinstance(node, exp.EQ | exp.NEQ | exp.GT | exp.GTE | exp.LT | exp.LTE):
        return _compare(type(node), node.this, node.expression, column, value)
    return _Unknown


def _truth_and(left: bool | None, right: bool | None) -> bool | None:
    if left is False or right is False:
        return False
    return True if left and right else None


def _is(node: exp.Is, column: str, value: Literal) -> bool | None:
    if not isinstance(node.expression, exp.Null):
        return _Unknown
    scalar = _scalar(node.this, column, value)
    if scalar is None:
        return _Unknown
    return bool(node.args.get("negate"))  # a literal is never NULL: `IS NULL` is false, `IS NOT NULL` true


def _member(left: exp.Expression, items: list[exp.Expression], column: str, value: Literal) -> bool | None:
    scalar = _scalar(left, column, value)
    verdicts = [
        _equal(scalar, item) if scalar is not None and item is not None else None
        for item in (_scalar(node, column, value) for node in items)
    ]
    if not verdicts or any(verdict is None for verdict in verdicts):
        return _Unknown
    return any(verdicts)


def _array_items(node: exp.Any) -> list[exp.Expression]:
    inner: exp.Expression | None = node.this
    while isinstance(inner, exp.Paren | exp.Cast):
        inner = inner.this
    return list(inner.expressions) if isinstance(inner, exp.Array) else []


def _compare(
    kind: type[exp.Expression],
    left_node: exp.Expression | None,
    right_node: exp.Expression | None,
    column: str,
    value: Literal,
) -> bool | None:
    left, right = _scalar(left_node, column, value), _scalar(right_node, column, value)
    if left is None or right is None:
        return _Unknown
    if kind in (exp.EQ, exp.NEQ):
        same = _equal(left, right)
        return None if same is None else same == (kind is exp.EQ)
    if not (isinstance(left, Decimal) and isinstance(right, Decimal)):
        return _Unknown  # text ordering depends on the collation
    if kind is exp.GT:
        return left > right
    if kind is exp.GTE:
        return left >= right
    if kind is exp.LT:
        return left < right
    return left <= right


def _equal(left: Decimal | str, right: Decimal | str) -> bool | None:
    if type(left) is not type(right):
        return None
    return left == right


def _scalar(node: exp.Expression | None, column: str, value: Literal) -> Decimal | str | None:
    """The value of a side of a comparison; None when it is NULL or not known."""
    if isinstance(node, exp.Cast | exp.Paren):
        return _scalar(node.this, column, value)
    if isinstance(node, exp.Column) and identifier(node.this) == column:
        return _typed(value.text, numeric=not value.quoted)
    if isinstance(node, exp.Literal):
        return _typed(node.name, numeric=not node.is_string)
    if isinstance(node, exp.Neg):
        inner = _scalar(node.this, column, value)
        return -inner if isinstance(inner, Decimal) else None
    if isinstance(node, exp.Length):
        inner = _scalar(node.this, column, value)
        return Decimal(len(inner)) if isinstance(inner, str) else None
    if isinstance(node, exp.Lower | exp.Upper | exp.Trim):
        inner = _scalar(node.this, column, value)
        if not isinstance(inner, str) or node.args.get("expression") is not None:
            return None
        return (
            inner.lower()
            if isinstance(node, exp.Lower)
            else inner.upper()
            if isinstance(node, exp.Upper)
            else inner.strip(" ")
        )
    return None


def _typed(text: str, *, numeric: bool) -> Decimal | str | None:
    if not numeric:
        return text
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
