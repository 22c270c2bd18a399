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
