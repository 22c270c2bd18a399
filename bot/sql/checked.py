"""Would a statement the review writes run? Parsed in the target dialect (PostgreSQL's own parser through
pglast, sqlglot for the others), then every column resolved against the schema the review knows."""

from __future__ import annotations

import pglast
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.qualify import qualify

from bot.sql.names import table_name

Schema = dict[str, dict[str, str]]  # table → column → type


def problem(sql: str, dialect: str, schema: Schema) -> str:
    """Why the statement would not run; "" when it parses and names only columns of the known tables.

    A statement that reads a table the schema does not hold (a system catalog, a table another application
    creates) is only parsed: its columns cannot be judged."""
    syntax = "mysql" if dialect in ("mysql", "mariadb") else dialect
    if syntax == "postgres":
        try:
            pglast.parser.parse_sql_json(sql)  # parsed only to know it parses: no Python tree built
        except pglast.parser.ParseError as error:
            return f"PostgreSQL cannot parse it: {error}"
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
