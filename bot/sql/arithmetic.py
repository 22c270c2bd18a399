"""The types of arithmetic in a data change's expressions, as far as the catalog tells them.

PostgreSQL and SQLite divide two integers as integers: `1 / 3` is `0`, `1999 / 100` is `19`. Written to a
column that holds fractions, the fraction is gone for every row. MySQL and MariaDB's `/` always keeps the
fraction (their integer division is `DIV`), so the question only arises in the dialects that truncate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from bot.model.catalog import Catalog
from bot.sql.conversions import textual
from bot.sql.domains import literal
from bot.sql.names import identifier
from bot.sql.pg_casts import pg_type
from bot.sql.writes import Write

TRUNCATING = frozenset({"postgres", "sqlite"})
# the built-in types by PostgreSQL's own names (`pg_type` maps `integer`, `serial`, `decimal`, `double precision` …)
_INTEGER = frozenset({"int2", "int4", "int8"})
_FRACTIONAL = frozenset({"numeric", "float4", "float8", "money"})


def holds_fractions(sql_type: str) -> bool:
    return pg_type(sql_type) in _FRACTIONAL


def holds_integers(sql_type: str) -> bool:
    return pg_type(sql_type) in _INTEGER


def fractional(node: exp.Expression, write: Write, catalog: Catalog, dialect: str) -> bool:
    """Does the expression compute a value with a fraction, as far as the catalog tells (`qty * 1.1`, `price *
    0.9` with `price` numeric, `a / b` where `/` keeps fractions)? `price * 100` of a `numeric(10, 2)` has
    none; a function around it (`round(…)`) is a conversion written on purpose; what the catalog cannot type
    is taken to have none."""
    return _places(node, write, catalog, dialect) > 0


_ANY = 99  # decimal places of a float, or of a division that keeps fractions: as many as it likes


def _places(node: exp.Expression | None, write: Write, catalog: Catalog, dialect: str) -> int:
    """The decimal places the expression's values can have (0 when whole, or when the catalog cannot tell)."""
    if isinstance(node, exp.Paren | exp.Neg):
        return _places(node.this, write, catalog, dialect)
    if isinstance(node, exp.Literal) and not node.is_string:
        whole, _, fraction = node.this.partition(".")
        return len(fraction.rstrip("0")) if whole.lstrip("-").isdigit() else 0
    if isinstance(node, exp.Column):
        column = catalog.column(write.table_of(node), identifier(node.this))
        return _scale(column.type, dialect) if column is not None and holds_fractions(column.type) else 0
    if isinstance(node, exp.Div):
        parts = [_places(p, write, catalog, dialect) for p in (node.this, node.expression)]
        return _ANY if dialect not in TRUNCATING or any(parts) else 0
    if isinstance(node, exp.Add | exp.Sub):
        return max(_places(p, write, catalog, dialect) for p in (node.this, node.expression))
    if isinstance(node, exp.Mul):
        left, right = node.this, node.expression
        places = _places(left, write, catalog, dialect) + _places(right, write, catalog, dialect)
        return max(0, places - _tens(left) - _tens(right)) if places < _ANY else _ANY
    return 0


def _scale(sql_type: str, dialect: str) -> int:
    """The decimal places a fractional type holds: `numeric(10, 2)` 2; floats and an unconstrained PostgreSQL
    `numeric` any number; MySQL's `decimal` without a scale none."""
    if pg_type(sql_type) != "numeric":
        return _ANY
    scale = re.search(r"\(\s*\d+\s*,\s*(\d+)\s*\)", sql_type)
    if scale:
        return int(scale.group(1))
    return 0 if dialect in ("mysql", "mariadb") else _ANY


def _tens(node: exp.Expression) -> int:
    """The power of ten a whole literal factor is a multiple of (`100` → 2): it shifts that many places."""
    if not isinstance(node, exp.Literal) or node.is_string or not node.this.isdigit():
        return 0
    digits = node.this
    return len(digits) - len(digits.rstrip("0")) if digits.strip("0") else 0


def integer_divisions(write: Write, catalog: Catalog) -> Iterator[exp.Div]:
    """The divisions of the written expression whose two operands are integers."""
    for division in write.value.find_all(exp.Div):
        if _integer(division.this, write, catalog) and _integer(division.expression, write, catalog):
            yield division


def _integer(node: exp.Expression | None, write: Write, catalog: Catalog) -> bool:
    """The catalog shows the expression is of an integer type (False when it cannot tell)."""
    if node is None:
        return False
    if isinstance(node, exp.Paren | exp.Neg):
        return _integer(node.this, write, catalog)
    if isinstance(node, exp.Literal):
        return not node.is_string and node.this.lstrip("-").isdigit()
    if isinstance(node, exp.Cast):
        return pg_type(node.to.sql(dialect="postgres")) in _INTEGER
    if isinstance(node, exp.Count):
        return True
    if isinstance(node, exp.Add | exp.Sub | exp.Mul | exp.Mod):
        return _integer(node.this, write, catalog) and _integer(node.expression, write, catalog)
    if isinstance(node, exp.Column):
        column = catalog.column(write.table_of(node), identifier(node.this))
        return column is not None and pg_type(column.type) in _INTEGER
    return False


def text_additions(write: Write, catalog: Catalog, postgres: bool) -> Iterator[exp.Add]:
    """The `+` of a write that adds text (`first_name + ' ' + last_name`): PostgreSQL has no such operator (for a
    column of text on either side: `integer + character varying` neither); MySQL, MariaDB and SQLite add the two
    sides as numbers."""
    return (a for a in write.value.find_all(exp.Add) if _refused(a, write, catalog, postgres))


def _refused(add: exp.Add, write: Write, catalog: Catalog, postgres: bool) -> bool:
    """Text on both sides; on PostgreSQL, a column of text on either (`qty + code` has no operator either)."""
    if _text(add, write, catalog):
        return True
    return postgres and any(
        isinstance(side, exp.Column | exp.Cast) and _text(side, write, catalog)
        for side in (add.this, add.expression)
    )


def _text(node: exp.Expression | None, write: Write, catalog: Catalog) -> bool:
    """The operand is text: a string that is no number, a text column, a cast to text, `+` of two of those."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Add):
        return _text(node.this, write, catalog) and _text(node.expression, write, catalog)
    if isinstance(node, exp.Literal):
        value = literal(node.sql())
        return node.is_string and value is not None and not _number(value.text)
    if isinstance(node, exp.Cast):
        return textual(node.to.sql())
    if isinstance(node, exp.Column):
        known = catalog.column(write.table_of(node), identifier(node.this))
        return known is not None and textual(known.type)
    return False


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
