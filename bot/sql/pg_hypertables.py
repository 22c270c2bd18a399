"""TimescaleDB's `create_hypertable(…)` calls in a statement: which table each converts, and whether it asks to
move the table's rows into chunks (`migrate_data`).

Both of TimescaleDB's signatures are read, with arguments named (`migrate_data => true`, `:=`) or in their place:
the old one, `create_hypertable(relation, time_column_name, partitioning_column, number_partitions,
associated_schema_name, associated_table_prefix, chunk_time_interval, create_default_indexes, if_not_exists,
partitioning_func, migrate_data, …)`, and the one of 2.13 on, `create_hypertable(relation, dimension,
create_default_indexes, if_not_exists, migrate_data)` whose dimension is `by_range('time')` or `by_hash(…)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pglast
from pglast import ast
from pglast.parser import ParseError

from bot.sql.names import DEFAULT_SCHEMAS
from bot.sql.pg_nodes import function_name, text_of, walk

_FUNCTION = "create_hypertable"
# the places of `migrate_data` and `if_not_exists` among the arguments (counted from 0), in each signature
_MIGRATE_DATA_AT = {"old": 10, "new": 4}
_IF_NOT_EXISTS_AT = {"old": 8, "new": 3}
_TRUE = frozenset({"true", "t", "on", "yes", "y", "1"})


@dataclass(frozen=True)
class Hypertable:
    table: str  # as the catalog names it: lower case unless quoted, with its schema unless the default one
    migrate_data: bool  # copy the table's rows into chunks (else the call refuses a table that has one)
    if_not_exists: bool  # a table that already is a hypertable is left alone (else the call fails)


def hypertables(sql: str) -> Iterator[Hypertable]:
    """Each `create_hypertable` call of `sql` whose table is written as a constant."""
    if _FUNCTION not in sql.lower():
        return
    try:
        statements = pglast.parse_sql(sql)
    except ParseError:
        return
    for raw in statements:
        yield from calls(raw.stmt)


def calls(node: object) -> Iterator[Hypertable]:
    """Each `create_hypertable` call under a parsed statement whose table is written as a constant."""
    for found in walk(node):
        if isinstance(found, ast.FuncCall) and function_name(found) == _FUNCTION and found.args:
            read = _read(found)
            if read is not None:
                yield read


def _read(call: ast.FuncCall) -> Hypertable | None:
    args = list(call.args or ())
    table = _table(args[0])
    if not table:
        return None
    positional = [a for a in args if not isinstance(a, ast.NamedArgExpr)]
    named = {str(a.name).lower(): a.arg for a in args if isinstance(a, ast.NamedArgExpr)}
    new = (len(positional) > 1 and isinstance(positional[1], ast.FuncCall)) or "dimension" in named
    signature = "new" if new else "old"

    def given(name: str, at: int) -> bool:
        value = named.get(name, positional[at] if len(positional) > at else None)
        return value is not None and _constant(value).lower() in _TRUE

    return Hypertable(
        table,
        given("migrate_data", _MIGRATE_DATA_AT[signature]),
        given("if_not_exists", _IF_NOT_EXISTS_AT[signature]),
    )


def _table(node: ast.Node | None) -> str:
    """The table a `'conditions'`, `'public.conditions'` or `'conditions'::regclass` argument names (with its
    schema unless that is the default one)."""
    if isinstance(node, ast.TypeCast):
        node = node.arg
    if not (isinstance(node, ast.A_Const) and isinstance(node.val, ast.String)):
        return ""
    parts = [p.strip('"') if p.startswith('"') else p.lower() for p in str(node.val.sval).split(".")]
    if len(parts) > 1 and parts[-2] in DEFAULT_SCHEMAS:
        parts = parts[-1:]
    return ".".join(parts[-2:])


def _constant(node: ast.Node | None) -> str:
    if isinstance(node, ast.TypeCast):
        node = node.arg
    return text_of(node) if isinstance(node, ast.A_Const) else ""
