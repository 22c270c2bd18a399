"""The types of arithmetic in a data change's expressions, as far as the catalog tells them.

PostgreSQL and SQLite divide two integers as integers: `1 / 3` is `0`, `1999 / 100` is `19`. Written to a
column that holds fractions, the fraction is gone for every row. MySQL and MariaDB's `/` always keeps the
fraction (their integer division is `DIV`), so the question only arises in the dialects that truncate.
"""

from __future__ import annotations

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
