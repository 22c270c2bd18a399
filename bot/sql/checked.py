"""Would a statement the review writes run? Parsed in the target dialect (PostgreSQL's own parser through
pglast, sqlglot for the others), then every column resolved against the schema the review knows."""

from __future__ import annotations

import json
from typing import Any

import pglast
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.qualify import qualify

from bot.sql.names import DEFAULT_SCHEMAS, table_name

Schema = dict[str, dict[str, str]]  # table → column → type


def problem(sql: str, dialect: str, schema: Schema) -> str:
    """Why the statement would not run; "" when it parses and names only columns of the known tables.

    A statement that reads a table the schema does not hold (a system catalog, a table another application
    creates) is only parsed: its columns cannot be judged."""
    syntax = "mysql" if dialect in ("mysql", "mariadb") else dialect
    if syntax == "postgres":
        try:
            parsed, nodes = _decoded(pglast.parser.parse_sql_json(sql))  # no Python tree of nodes built
        except pglast.parser.ParseError as error:
            return f"PostgreSQL cannot parse it: {error}"
        stray = _stray_reference(nodes, schema) or _foreign_function(nodes, schema, parsed)
        if stray:
            return stray
        resolves = _plain_select_resolves(parsed, nodes, schema)
        if resolves is not None:
            return "" if resolves else "a column it names is in none of its tables"
    try:
        tree = sqlglot.parse_one(sql, dialect=syntax)
    except SqlglotError as error:
        return f"it does not parse: {error}"
    named = {table_name(t) for t in tree.find_all(exp.Table)}
    derived = {identifier for cte in tree.find_all(exp.CTE) for identifier in (cte.alias_or_name,)}
    if not named or any(t not in schema and t not in derived for t in named):
        return ""
    try:
        # only the tables the statement names: sqlglot normalises every name of the schema it is given
        known: dict[str, object] = {t: schema[t] for t in named if t in schema}
        qualify(tree, schema=known, dialect=syntax, validate_qualify_columns=True)
    except SqlglotError as error:
        return str(error)
    return ""


def _decoded(text: str) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    """pglast's JSON tree, and its nodes as (type, fields), listed while the JSON decoder builds the tree
    (each map once it is complete) rather than by a walk of the tree afterwards. That order puts a node
    after the nodes inside it; nodes of which neither holds the other keep their document order, so
    column references and tables, which never hold one another, come in the order `_nodes` gives."""
    found: list[tuple[str, dict[str, Any]]] = []
    append = found.append

    def listed(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        for key, value in pairs:
            if type(value) is dict and key[:1].isupper():
                append((key, value))
        return dict(pairs)

    parsed: dict[str, Any] = json.loads(text, object_pairs_hook=listed)
    return parsed, found


def _plain_select_resolves(
    parsed: dict[str, Any], nodes: list[tuple[str, dict[str, Any]]], schema: Schema
) -> bool | None:
    """Does every column of a plain SELECT name a column of a table in its scope? Read from PostgreSQL's own
    parse tree, which costs a fraction of sqlglot's qualification. False: one does not (qualification
    refuses such a statement as well). None means "cannot tell this way", and
    the statement is judged by qualification instead: common table expressions, set-returning functions,
    derived tables, column aliases of a table and three-part names are left to it. A table the schema does
    not know makes the statement judged as parsed only, as qualification would. A sub-query sees its own
    tables and those of the queries around it; a query never sees the tables of its sub-queries. `nodes`
    are those of the whole statement list (here: of its one statement)."""
    statements = parsed.get("stmts", [])
    select = statements[0].get("stmt", {}).get("SelectStmt") if len(statements) == 1 else None
    if select is None:
        return None
    if any(
        key in ("CommonTableExpr", "RangeFunction", "RangeSubselect", "RangeTableFunc") for key, _ in nodes
    ):
        return None
    for key, node in nodes:
        if key == "RangeVar" and node.get("alias", {}).get("colnames"):
            return None
        if key == "RangeVar" and _relation(node) not in schema:
            return True  # a table of somebody else: parsed only
    if any(key == "ColumnRef" and len(node["fields"]) > 2 for key, node in nodes):
        return None
    outputs = {node["name"] for key, node in nodes if key == "ResTarget" and "name" in node}
    return _scope_resolves(select, [], schema, outputs)


def _stray_reference(nodes: list[tuple[str, dict[str, Any]]], schema: Schema) -> str:
    """A qualified column (`a.email`, `child.account_id`) whose qualifier no table, alias, sub-query or CTE
    of the statement names (a condition taken from a statement with other aliases, `DELETE FROM users a
    USING users b WHERE …`, reused without them), or that names a known table lacking that column. Judged
    even when other tables of the statement are unknown. "" when there is none."""
    names: dict[str, set[str]] = {}  # qualifier → the tables it may stand for ("" for a sub-query or CTE)
    references: list[tuple[str, str]] = []
    for key, node in nodes:
        if key in ("UpdateStmt", "DeleteStmt", "InsertStmt") and "relation" in node:
            key, node = "RangeVar", node["relation"]
        if key == "RangeVar":
            table = _relation(node)
            for name in (node["relname"], node.get("alias", {}).get("aliasname", "")):
                names.setdefault(name, set()).add(table)
        elif key in ("RangeSubselect", "RangeFunction"):
            names.setdefault(node.get("alias", {}).get("aliasname", ""), set()).add("")
        elif key == "CommonTableExpr":
            names.setdefault(node.get("ctename", ""), set()).add("")
        elif key == "ColumnRef":
            fields = [f.get("String", {}).get("sval") for f in node["fields"]]
            if len(fields) == 2 and fields[0]:
                references.append((fields[0], fields[1] or "*"))
    for qualifier, column in references:
        tables = names.get(qualifier)
        if tables is None:
            if qualifier not in _ROW_NAMES:
                return f"`{qualifier}.` names no table or alias of the statement"
            continue
        (table,) = tables if len(tables) == 1 else ("",)
        if table in schema and column != "*" and column not in schema[table]:
            return f"`{qualifier}.{column}`: the table `{table}` has no column `{column}`"
    return ""


_ROW_NAMES = frozenset({"new", "old", "excluded"})  # rows a trigger or an upsert names without a FROM


def _relation(node: dict[str, Any]) -> str:
    owner = node.get("schemaname", "")
    return f"{owner}.{node['relname']}" if owner and owner not in DEFAULT_SCHEMAS else str(node["relname"])


def _scope_resolves(
    select: dict[str, Any], outer: list[dict[str, dict[str, str]]], schema: Schema, outputs: set[str]
) -> bool:
    """One SELECT: its FROM tables (by alias, else name) in front of the scopes around it."""
    if select.get("op", "SETOP_NONE") != "SETOP_NONE":
        return all(
            _scope_resolves(select[side]["SelectStmt"], outer, schema, outputs)
            for side in ("larg", "rarg")
            if "SelectStmt" in select.get(side, {})
        )
    tables: dict[str, dict[str, str]] = {}
    for key, node in _nodes(select.get("fromClause", []), nested=False):
        if key == "RangeVar":
            tables[node.get("alias", {}).get("aliasname") or node["relname"]] = schema[_relation(node)]
    scopes = [tables, *outer]
    nested = []
    for key, node in _nodes(select, nested=False):
        if key == "SelectStmt":
            nested.append(node)
        elif key == "ColumnRef" and not _column_resolves(node, scopes, outputs):
            return False
    return all(_scope_resolves(inner, scopes, schema, outputs) for inner in nested)


def _column_resolves(
    node: dict[str, Any], scopes: list[dict[str, dict[str, str]]], outputs: set[str]
) -> bool:
    fields = [f.get("String", {}).get("sval", "*") for f in node["fields"]]
    if fields == ["*"]:
        return True
    if len(fields) == 1:
        return fields[0] in outputs or any(
            fields[0] in columns for scope in scopes for columns in scope.values()
        )
    if len(fields) == 2:
        owner = next((scope[fields[0]] for scope in scopes if fields[0] in scope), None)
        return owner is not None and (fields[1] == "*" or fields[1] in owner)
    return False


def _foreign_function(nodes: list[tuple[str, dict[str, Any]]], schema: Schema, parsed: dict[str, Any]) -> str:
    """A call qualified by a schema the database does not have: code pasted into SQL (`datetime.date(2024,
    1, 1)`, `timezone.now()`) reads as one. With several, the first in the text is named (calls can
    hold calls: then the tree is walked in document order)."""
    known = {"pg_catalog", "information_schema", *DEFAULT_SCHEMAS} | {
        t.split(".")[0] for t in schema if "." in t
    }
    found = _foreign_calls(nodes, known)
    if len(found) > 1:
        found = _foreign_calls(_nodes(parsed.get("stmts", [])), known)
    if not found:
        return ""
    names = found[0]
    return f"it calls `{'.'.join(names)}`, and there is no schema `{names[0]}`"


def _foreign_calls(nodes: list[tuple[str, dict[str, Any]]], known: set[str]) -> list[list[str]]:
    calls = []
    for kind, node in nodes:
        if kind != "FuncCall":
            continue
        names = [part.get("String", {}).get("sval", "") for part in node.get("funcname", [])]
        if len(names) >= 2 and names[0] not in known:
            calls.append(names)
    return calls


def _nodes(node: object, *, nested: bool = True) -> list[tuple[str, dict[str, Any]]]:
    """The nodes of a pglast JSON tree as (its type, its fields), in document order; with `nested=False`
    those of one query level only: a nested SELECT is listed, not entered.

    The tree comes from `json.loads`: its maps and lists are exactly `dict` and `list`. A node's type is
    the one key of a map whose name starts with a capital (`{"ColumnRef": {…}}`); field names do not."""
    found: list[tuple[str, dict[str, Any]]] = []
    append = found.append

    def walk_map(value: dict[str, Any]) -> None:
        for key, inner in value.items():
            kind = type(inner)
            if kind is dict:
                if key[:1].isupper():
                    append((key, inner))
                    if not nested and key == "SelectStmt":
                        continue
                walk_map(inner)
            elif kind is list:
                walk_list(inner)

    def walk_list(value: list[Any]) -> None:
        for each in value:
            kind = type(each)
            if kind is dict:
                walk_map(each)
            elif kind is list:
                walk_list(each)

    if type(node) is dict:
        walk_map(node)
    elif type(node) is list:
        walk_list(node)
    return found
