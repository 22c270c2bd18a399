"""A written value as a column scaled by a constant: `total * 100`, `100 * total + 5`, `round(price * 1.2)`,
`(amount - 3) * 1000`, `cents / 100`, so a rule can tell how far the scaling takes the column's values."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlglot import exp

# wrappers that keep the size of what they wrap: rounding changes only the digits after the point
_KEEPING = (exp.Paren, exp.Round, exp.Floor, exp.Ceil, exp.Cast, exp.TryCast, exp.Abs)


@dataclass(frozen=True)
class Scaled:
    """`factor * column + offset`."""

    column: exp.Column
    factor: Decimal
    offset: Decimal
    text: tuple[str, ...]  # how the factor and offset were written, in order

    @property
    def words(self) -> str:
        return " and ".join(self.text)


def linear(node: exp.Expression) -> Scaled | None:
    """The value as `factor * column + offset` of one column; None when it is anything else (two columns,
    a function that changes the size of the value, a string)."""
    if isinstance(node, _KEEPING) and isinstance(node.this, exp.Expression):
        return linear(node.this)
    if isinstance(node, exp.Column):
        return Scaled(node, Decimal(1), Decimal(0), ())
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Expression):
        inner = linear(node.this)
        return None if inner is None else Scaled(inner.column, -inner.factor, -inner.offset, inner.text)
    if not isinstance(node, exp.Mul | exp.Div | exp.Add | exp.Sub):
        return None
    left, right = node.this, node.expression
    if _number(right) is not None:
        constant, other, written = _number(right), left, right.sql()
    elif _number(left) is not None and isinstance(node, exp.Mul | exp.Add):
        constant, other, written = _number(left), right, left.sql()
    else:
        return None  # `100 / col` and `5 - col` are no scaling of the column, nor is `a * b`
    inner = linear(other) if isinstance(other, exp.Expression) and constant is not None else None
    if inner is None or constant is None:
        return None
    if isinstance(node, exp.Mul):
        return Scaled(
            inner.column,
            inner.factor * constant,
            inner.offset * constant,
            (*inner.text, f"multiplied by {written}"),
        )
    if isinstance(node, exp.Div):
        if constant == 0:
            return None
        return Scaled(
            inner.column,
            inner.factor / constant,
            inner.offset / constant,
            (*inner.text, f"divided by {written}"),
        )
    sign = -1 if isinstance(node, exp.Sub) else 1
    said = f"with {written} added" if sign > 0 else f"with {written} taken off"
    return Scaled(inner.column, inner.factor, inner.offset + sign * constant, (*inner.text, said))


def _number(node: object) -> Decimal | None:
    if isinstance(node, exp.Paren):
        node = node.this
    negative = isinstance(node, exp.Neg)
    if negative and isinstance(node, exp.Neg):
        node = node.this
    if not isinstance(node, exp.Literal) or node.is_string:
        return None
    try:
        value = Decimal(node.name)
    except InvalidOperation:
        return None
    return -value if negative else value
