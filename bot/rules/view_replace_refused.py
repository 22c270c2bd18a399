"""`CREATE OR REPLACE VIEW` that removes, renames or reorders the view's columns fails on PostgreSQL.

## Why is this bad?
PostgreSQL replaces a view only when the new query returns the old view's columns first, with the same
names in the same order (new columns may only be added at the end): `CREATE OR REPLACE VIEW order_totals AS
SELECT id, total FROM orders` over a view that returned `id, qty, total` fails with "cannot drop columns
from view", and a column renamed or moved fails with "cannot change name of view column". The statement
reads like a harmless redefinition and passes review; the migration then stops on every database that has
the old view, which is all of them but a fresh one.

## Use instead
Keep the old columns in place and add new ones at the end, or `DROP VIEW order_totals;` then `CREATE VIEW
…` in the same transaction (and recreate the views that depend on it: `DROP VIEW … CASCADE` drops them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pglast
from pglast import ast

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, RawSQL
from bot.rules.context import Context

RULE = Rule(
    id="view-replace-refused",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Keep the old columns first, in order, and add new ones at the end; or DROP VIEW then CREATE VIEW.",
    bad=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, qty integer, total numeric);\n"
        "CREATE VIEW order_totals AS SELECT id, qty, total FROM orders;\n"
        "-- migration\n"
        "CREATE OR REPLACE VIEW order_totals AS SELECT id, total FROM orders;",
    ),
    good=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, qty integer, total numeric);\n"
        "CREATE VIEW order_totals AS SELECT id, qty, total FROM orders;\n"
        "-- migration\n"
        "CREATE OR REPLACE VIEW order_totals AS SELECT id, qty, total, total / qty AS unit_price FROM orders;",
    ),
    dialects=("postgres",),
)

_REPLACE = re.compile(r"\bCREATE\s+OR\s+REPLACE\s+(?:TEMP(?:ORARY)?\s+|RECURSIVE\s+)*VIEW\b", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    for op in migration.up:
        if not isinstance(op, RawSQL) or op.category != "view" or not _REPLACE.search(op.sql):
            continue
        old = context.before(op).view(op.name or op.table)
        if old is None or context.before(op).materialized_view(old.name) is not None:
            continue
        before, after = _columns(old.sql), _columns(op.sql)
        if before is None or after is None:
            continue  # a star, or a definition the parser does not read: the columns are not known here
        problem = _refused(before, after)
        if problem is not None:
            yield op.finding(
                RULE,
                f"`CREATE OR REPLACE VIEW {old.name}` {problem}: PostgreSQL refuses it (new columns may only "
                f"be added after the old ones, `{', '.join(before)}`, kept in their order), and the migration "
                "fails.",
                blast_radius=f"The deploy stops at this statement on every database that has the view "
                f"(created at `{old.path}:{old.line}`); only a fresh database runs it.",
                fix=f"Keep `{', '.join(before)}` first and in order, adding new columns at the end; or `DROP VIEW "
                f"{old.name};` and `CREATE VIEW {old.name} …` in the same transaction (recreating the views that "
                "depend on it).",
            )


def _columns(sql: str) -> list[str] | None:
    """The names of the columns the view returns, as PostgreSQL names them; None with a star or unread."""
    try:
        statements = pglast.parse_sql(sql)
    except pglast.parser.ParseError:
        return None
    view = next((s.stmt for s in statements if isinstance(s.stmt, ast.ViewStmt)), None)
    if view is None:
        return None
    if view.aliases:  # `CREATE VIEW v (a, b) AS …`
        named = [str(a.sval) for a in view.aliases if isinstance(a, ast.String)]
        query = view.query
        if isinstance(query, ast.SelectStmt) and query.targetList and len(query.targetList) > len(named):
            return None
        return named
    query = view.query
    while isinstance(query, ast.SelectStmt) and query.op != 0 and query.larg is not None:  # UNION: the left's
        query = query.larg
    if not isinstance(query, ast.SelectStmt) or not query.targetList:
        return None
    names = []
    for target in query.targetList:
        name = _name(target)
        if name is None:
            return None
        names.append(name)
    return names


def _name(target: ast.ResTarget) -> str | None:
    if target.name:
        return str(target.name)
    value = target.val
    while isinstance(value, ast.TypeCast) and isinstance(value.arg, ast.ColumnRef | ast.FuncCall):
        value = value.arg
    if isinstance(value, ast.ColumnRef) and value.fields:
        last = value.fields[-1]
        return str(last.sval) if isinstance(last, ast.String) else None  # None: a star
    if isinstance(value, ast.FuncCall) and value.funcname:
        last = value.funcname[-1]
        return str(last.sval) if isinstance(last, ast.String) else None
    return "?column?"


def _refused(before: list[str], after: list[str]) -> str | None:
    for index, name in enumerate(before):
        if index >= len(after):
            missing = ", ".join(f"`{n}`" for n in before[index:])
            return f"leaves out {missing}"
        if after[index] != name:
            if name not in after:
                return f"drops or renames `{name}` (column {index + 1} is now `{after[index]}`)"
            return f"moves `{name}` (column {index + 1} is now `{after[index]}`)"
    return None
