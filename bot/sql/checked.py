"""Would a statement the review writes run? Parsed in the target dialect (PostgreSQL's own parser through
pglast, sqlglot for the others), then every column resolved against the schema the review knows."""

from __future__ import annotations

import json
from collections.abc import Iterator
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
            parsed = json.loads(pglast.parser.parse_sql_json(sql))  # no Python tree of nodes built
        except pglast.parser.ParseError as error:
            return f"PostgreSQL cannot parse it: {error}"
        if _plain_select_resolves(parsed, schema):
            return ""
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


def _plain_select_resolves(parsed: dict[str, Any], schema: Schema) -> bool:
    """Does every column of a plain SELECT name a column of the tables it reads? Read from PostgreSQL's own
    parse tree, which costs a fraction of sqlglot's qualification. False means "cannot tell this way", and
    the statement is judged by qualification instead: common table expressions, set-returning functions,
    derived tables, sub-queries (their tables are seen only inside them), column aliases of a table and
    three-part names are left to it. A table the schema does not know makes the statement judged as parsed
    only, as qualification would."""
    statements = parsed.get("stmts", [])
    if len(statements) != 1 or "SelectStmt" not in statements[0].get("stmt", {}):
        return False
    nodes = list(_nodes(statements[0]["stmt"]))
    if any(
        key in ("CommonTableExpr", "RangeFunction", "RangeSubselect", "RangeTableFunc", "SubLink")
        for key, _ in nodes
    ):
        return False
    tables: dict[str, dict[str, str]] = {}  # alias or name → columns
    every: set[str] = set()
    for key, node in nodes:
        if key != "RangeVar":
            continue
        alias = node.get("alias", {})
        if alias.get("colnames"):
            return False
        owner = node.get("schemaname", "")
        name = f"{owner}.{node['relname']}" if owner and owner not in DEFAULT_SCHEMAS else node["relname"]
        if name not in schema:
            return True  # a table of somebody else: parsed only
        tables[alias.get("aliasname", name)] = tables[name] = schema[name]
        every.update(schema[name])
    outputs = {node["name"] for key, node in nodes if key == "ResTarget" and "name" in node}
    for key, node in nodes:
        if key != "ColumnRef":
            continue
        fields = [f.get("String", {}).get("sval", "*") for f in node["fields"]]
        if fields == ["*"] or (len(fields) == 1 and (fields[0] in every or fields[0] in outputs)):
            continue
        if len(fields) == 2 and fields[0] in tables and (fields[1] == "*" or fields[1] in tables[fields[0]]):
            continue
        return False
    return True


def _nodes(node: object) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every node of a pglast JSON tree as (its type, its fields)."""
    if isinstance(node, list):
        for each in node:
            yield from _nodes(each)
    elif isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dict) and key[:1].isupper():
                yield key, value
            yield from _nodes(value)
