"""CREATE FUNCTION / PROCEDURE and DO blocks: one operation each, whole, with the tables the body touches.

A function's declared volatility is kept (PostgreSQL's default is VOLATILE), so a column default that
calls a function the repository declared IMMUTABLE or STABLE is known to be computed once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pglast import ast

from bot.model.migration import CreateFunction, Operation, RawSQL
from bot.sql.pg_bodies import do_block_tables, node_tables, plpgsql_tables, sql_tables
from bot.sql.pg_columns import function_uses
from bot.sql.pg_nodes import dotted, option, text_of

Base = dict[str, Any]


def create_function(node: ast.CreateFunctionStmt, base: Base) -> Iterator[Operation]:
    declared = option(node.options, "language")
    language = text_of(declared.arg).lower() if declared is not None else ""
    language = language or ("sql" if node.sql_body else "")
    volatility = option(node.options, "volatility")
    reads, writes = _body_tables(node, language, str(base["sql"]))
    name = dotted(node.funcname)
    yield CreateFunction(
        category="function",
        **function_uses(name, str(base["sql"]), language, bool(node.sql_body)),
        volatility=text_of(volatility.arg).lower() if volatility is not None else "volatile",
        language=language,
        reads=reads,
        writes=writes,
        **base,
    )


def do_block(node: ast.DoStmt, base: Base) -> Iterator[Operation]:
    body = option(node.args, "as")
    language = option(node.args, "language")
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    if body is not None and (language is None or text_of(language.arg).lower() == "plpgsql"):
        reads, writes = do_block_tables(text_of(body.arg))
    yield RawSQL(category="do-block", reads=reads, writes=writes, **base)


def _body_tables(
    node: ast.CreateFunctionStmt, language: str, sql: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if node.sql_body:
        return node_tables(_flatten(node.sql_body))
    if language == "plpgsql":
        return plpgsql_tables(sql)
    body = option(node.options, "as")
    if language == "sql" and body is not None and isinstance(body.arg, tuple | list) and body.arg:
        return sql_tables([text_of(body.arg[0])])
    return (), ()


def _flatten(nodes: object) -> list[ast.Node]:
    if isinstance(nodes, tuple | list):
        return [n for item in nodes for n in _flatten(item)]
    return [nodes] if isinstance(nodes, ast.Node) else []
