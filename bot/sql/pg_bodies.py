"""The tables a PL/pgSQL or SQL body reads and writes: DO blocks, functions, procedures.

A body stays one operation. PostgreSQL's PL/pgSQL grammar (through pglast) lists the SQL the body runs;
each piece is parsed with PostgreSQL's SQL grammar and its relations sorted into written (INSERT, UPDATE,
DELETE, MERGE, ALTER TABLE, TRUNCATE targets) and read (everything else). `EXECUTE` of a constant string is
read the same way; SQL built at run time cannot be known and is left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pglast
from pglast import ast
from pglast.parser import ParseError, parse_sql_json

from bot.sql.names import DEFAULT_SCHEMAS
from bot.sql.pg_nodes import relation, text_of, walk

_WRITERS = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.MergeStmt, ast.AlterTableStmt)


def plpgsql_tables(function_sql: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(read, written) by a `CREATE FUNCTION … LANGUAGE plpgsql` statement's body."""
    try:
        tree = pglast.parse_plpgsql(function_sql)
    except Exception:  # a body PL/pgSQL rejects: PostgreSQL rejects it at run time, not at CREATE
        return (), ()
    return sql_tables(_queries(json.loads(tree) if isinstance(tree, str) else tree))


def do_block_tables(body: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(read, written) by the body of a `DO` block (PL/pgSQL)."""
    tag = "$mr$"
    while tag in body:
        tag = tag[:-1] + "x$"
    wrapped = f"CREATE FUNCTION pg_temp.do_block() RETURNS void LANGUAGE plpgsql AS {tag}{body}{tag}"
    return plpgsql_tables(wrapped)


# Statements a DO block runs that change the schema: read as the operations they are.
_SCHEMA_CHANGES = frozenset(
    {
        "AlterTableStmt",
        "IndexStmt",
        "RenameStmt",
        "AlterEnumStmt",
        "CreateEnumStmt",
        "CreateStmt",
        "DropStmt",
        "ReindexStmt",
        "LockStmt",
    }
)
# PL/pgSQL statements that change nothing themselves (a block, a branch, a message, a return).
_STRUCTURE = frozenset(
    {
        "PLpgSQL_stmt_block",
        "PLpgSQL_stmt_if",
        "PLpgSQL_stmt_raise",
        "PLpgSQL_stmt_return",
        "PLpgSQL_stmt_assert",
    }
)


def do_block_statements(body: str) -> tuple[list[tuple[str, int]], bool]:
    """The schema changes a DO block runs once, in order, with their line in the body (1: the DO's line):
    at its top level, in nested blocks and in IF branches (`IF NOT EXISTS (…) THEN ALTER TABLE …`), not
    in loops or exception handlers. And whether that is all it does (nothing else runs, no loop, no data)."""
    tag = "$mr$"
    while tag in body:
        tag = tag[:-1] + "x$"
    try:
        tree = pglast.parse_plpgsql(
            f"CREATE FUNCTION pg_temp.do_block() RETURNS void LANGUAGE plpgsql AS {tag}{body}{tag}"
        )
    except Exception:
        return [], False
    found: list[tuple[str, int]] = []
    tree = json.loads(tree) if isinstance(tree, str) else tree
    action = tree[0].get("PLpgSQL_function", {}).get("action", {}) if isinstance(tree, list) and tree else {}
    only = _run_once(action.get("PLpgSQL_stmt_block", {}).get("body", []), found)
    return found, only


def _run_once(statements: object, found: list[tuple[str, int]]) -> bool:
    only = True
    for statement in statements if isinstance(statements, list) else []:
        for kind, value in statement.items() if isinstance(statement, dict) else ():
            value = value if isinstance(value, dict) else {}
            if kind == "PLpgSQL_stmt_block":
                only = _run_once(value.get("body", []), found) and only
            elif kind == "PLpgSQL_stmt_if":
                branches = [value.get("then_body", []), value.get("else_body", [])]
                branches += [
                    e.get("PLpgSQL_if_elsif", {}).get("stmts", []) for e in value.get("elsif_list", [])
                ]
                only = all([_run_once(b, found) for b in branches]) and only
            elif kind == "PLpgSQL_stmt_execsql":
                query = value.get("sqlstmt", {}).get("PLpgSQL_expr", {}).get("query", "")
                parsed = _parsed(query) if isinstance(query, str) else []
                kinds = (
                    {k for s in parsed if isinstance(s, dict) for k in s.get("stmt", {})}
                    if isinstance(parsed, list)
                    else set()
                )
                if kinds and kinds <= _SCHEMA_CHANGES:
                    found.append((query, int(value.get("lineno") or 1)))
                else:
                    only = False
            elif kind not in _STRUCTURE:
                only = False
    return only


def sql_tables(queries: Iterator[str] | list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    reads: dict[str, None] = {}
    writes: dict[str, None] = {}
    for query in queries:
        _sort_json(_parsed(query), reads, writes)
    return tuple(t for t in reads if t not in writes), tuple(writes)


def node_tables(nodes: tuple[ast.Node, ...] | list[ast.Node]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(read, written) by already parsed statements (a `BEGIN ATOMIC` body)."""
    reads: dict[str, None] = {}
    writes: dict[str, None] = {}
    for statement in nodes:
        for node in walk(statement):
            if isinstance(node, _WRITERS) and node.relation is not None:
                writes.setdefault(relation(node.relation), None)
            elif isinstance(node, ast.RangeVar):
                reads.setdefault(relation(node), None)
    return tuple(t for t in reads if t not in writes), tuple(writes)


def _sort_json(tree: object, reads: dict[str, None], writes: dict[str, None]) -> None:
    """The relations of a statement in pglast's JSON form (a body has many; its nodes are not needed)."""
    if isinstance(tree, list):
        for item in tree:
            _sort_json(item, reads, writes)
        return
    if not isinstance(tree, dict):
        return
    for kind, value in tree.items():
        if kind in _WRITER_NAMES and isinstance(value, dict) and isinstance(value.get("relation"), dict):
            writes.setdefault(_json_relation(value["relation"]), None)
        elif kind == "TruncateStmt" and isinstance(value, dict):
            for target in value.get("relations", []):
                writes.setdefault(_json_relation(target.get("RangeVar", {})), None)
        elif kind == "RangeVar" and isinstance(value, dict):
            reads.setdefault(_json_relation(value), None)
        _sort_json(value, reads, writes)


_WRITER_NAMES = frozenset(w.__name__ for w in _WRITERS)


def _json_relation(value: dict[str, object]) -> str:
    schema, name = str(value.get("schemaname") or ""), str(value.get("relname") or "")
    return f"{schema}.{name}" if schema and schema not in DEFAULT_SCHEMAS else name


def _parsed(query: str) -> object:
    for text in (query, f"SELECT {query}"):
        try:
            return json.loads(parse_sql_json(text)).get("stmts", [])
        except ParseError:
            continue
    return []


def _statements(query: str) -> list[ast.Node]:
    for text in (query, f"SELECT {query}"):
        try:
            return [raw.stmt for raw in pglast.parse_sql(text) if raw.stmt is not None]
        except ParseError:
            continue
    return []


def _queries(tree: object) -> Iterator[str]:
    """Every SQL text in a PL/pgSQL tree (as pglast returns it: nested dicts and lists)."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            if key == "PLpgSQL_stmt_dynexecute":
                yield from _constant_sql(value)
            if key == "PLpgSQL_expr" and isinstance(value, dict) and isinstance(value.get("query"), str):
                yield value["query"]
            else:
                yield from _queries(value)
    elif isinstance(tree, list):
        for item in tree:
            yield from _queries(item)


def _constant_sql(dynexecute: object) -> Iterator[str]:
    """`EXECUTE 'ALTER TABLE …'`: a constant string is SQL that can be read."""
    query = dynexecute.get("query", {}) if isinstance(dynexecute, dict) else {}
    text = query.get("PLpgSQL_expr", {}).get("query", "") if isinstance(query, dict) else ""
    for statement in _statements(text):
        for node in walk(statement):
            if isinstance(node, ast.A_Const) and isinstance(node.val, ast.String):
                yield text_of(node.val)
                return
