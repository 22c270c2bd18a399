"""What a data change writes, whatever way it is written.

The same UPDATE can be raw SQL (`UPDATE servers SET status = 'x' WHERE installed = 0`), a query builder's calls
(`DB::table('servers')->where('installed', 0)->update(['status' => 'x'])`) or an ORM's bulk update: the
operations the frameworks read from each carry the same table, columns, values and condition, spelled
differently (quotes around names, `TRUE` for `1` on MySQL, `<>` for `!=`). `effect` gives one record per data
change that two spellings of the same change share and two different changes do not.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from bot.model.migration import DataDelete, DataInsert, DataUpdate
from bot.sql.statements import render

# Databases where TRUE and FALSE are the numbers 1 and 0 (a column compared with either matches the same rows).
_BOOLEANS_ARE_NUMBERS = frozenset({"mysql", "mariadb", "sqlite"})


def effect(op: DataUpdate | DataDelete | DataInsert, dialect: str) -> tuple[object, ...]:
    """The table, the columns written, their values and the condition, each in one spelling."""
    if isinstance(op, DataUpdate):
        table = _name(op.table)
        written = tuple(sorted((_name(c), expression(v, dialect, table)) for c, v in op.assignments))
        return ("update", table, written, expression(op.where or "", dialect, table), op.saves)
    if isinstance(op, DataDelete):
        return ("delete", _name(op.table), expression(op.where or "", dialect, _name(op.table)))
    if op.from_select or not op.rows:
        return ("insert", _name(op.table), " ".join(op.sql.split()))  # a SELECT's rows: as written
    rows = tuple(tuple(expression(value, dialect) for value in row) for row in op.rows)
    return ("insert", _name(op.table), tuple(_name(c) for c in op.columns), rows, op.overwrites, op.replaces)


def expression(sql: str, dialect: str, table: str = "") -> str:
    """An expression or condition in one spelling: names unquoted and in one case (and without the name of
    `table`, the one the statement changes, before its columns), booleans as the numbers the database stores
    where it stores them so, the dialect's own operators; the text itself (without its layout) when it is no
    SQL the parser reads."""
    if not sql.strip():
        return ""
    syntax = "mysql" if dialect in ("mysql", "mariadb") else dialect or "postgres"
    try:
        tree = sqlglot.parse_one(sql, dialect=syntax)
    except (SqlglotError, ValueError):
        return " ".join(sql.split())
    numbers = dialect in _BOOLEANS_ARE_NUMBERS

    def plain(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and table and _name(node.table) == table and not node.args.get("db"):
            return exp.Column(this=node.this)
        if isinstance(node, exp.Identifier):
            return exp.Identifier(this=str(node.this).lower(), quoted=False)
        if numbers and isinstance(node, exp.Boolean):
            return exp.Literal.number(1 if node.this else 0)
        return node

    return render(tree.transform(plain), syntax)


def _name(name: str) -> str:
    return name.strip('`"[]').lower()
