"""UPDATE, DELETE, INSERT and SELECT read by PostgreSQL's grammar, with the sqlglot tree the data rules read.

pglast decides the operation and its table. The SET, WHERE and CASE mappings that rules and
`bot/sql/data_changes.py` inspect are sqlglot trees, so the statement's text is parsed again with sqlglot's
PostgreSQL dialect to fill them; when sqlglot cannot read it, the fields come from pglast's nodes and the
operation carries no tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlglot
from pglast import ast
from pglast.enums.nodes import OnConflictAction
from sqlglot import exp

from bot.model.migration import MAX_ROWS, DataDelete, DataInsert, DataUpdate, Operation, RawSQL, SetTimeout
from bot.sql.commands import TIMEOUT_SETTINGS
from bot.sql.data_changes import case_mappings, is_batched, reads
from bot.sql.names import identifier
from bot.sql.pg_hypertables import calls as hypertable_calls
from bot.sql.pg_merge import merge_clauses
from bot.sql.pg_nodes import deparse, dotted, relation, text_of, value_text, walk
from bot.sql.statements import render

Base = dict[str, Any]


def update(node: ast.UpdateStmt, base: Base) -> Iterator[Operation]:
    tree = _sqlglot(base["sql"], exp.Update)
    if tree is None:
        assignments = tuple((str(t.name), deparse(t.val)) for t in node.targetList or () if t.name)
        where = deparse(node.whereClause) if node.whereClause is not None else None
        yield DataUpdate(table=relation(node.relation), assignments=assignments, where=where, **base)
        return
    where_node = tree.args.get("where")
    yield DataUpdate(
        table=relation(node.relation),
        assignments=tuple(
            (identifier(a.this), render(a.expression)) for a in tree.expressions if isinstance(a, exp.EQ)
        ),
        where=render(where_node.this) if where_node is not None else None,
        batched=is_batched(tree),
        case_mappings=case_mappings(tree, "postgres", int(base["location"].line)),
        reads=reads(tree),
        **{**base, "expression": tree},
    )


def delete(node: ast.DeleteStmt, base: Base) -> Iterator[Operation]:
    tree = _sqlglot(base["sql"], exp.Delete)
    where_node = tree.args.get("where") if tree is not None else None
    where = render(where_node.this) if where_node is not None else None
    if tree is None and node.whereClause is not None:
        where = deparse(node.whereClause)
    yield DataDelete(
        table=relation(node.relation),
        where=where,
        batched=is_batched(tree) if tree is not None else False,
        **{**base, "expression": tree},
    )


def insert(node: ast.InsertStmt, base: Base) -> Iterator[Operation]:
    columns = tuple(str(c.name) for c in node.cols or () if isinstance(c, ast.ResTarget))
    source = node.selectStmt
    from_select = isinstance(source, ast.SelectStmt) and not source.valuesLists
    tree = _sqlglot(base["sql"], exp.Insert) if from_select else None
    rows = tuple(
        tuple(value_text(value) for value in row)
        for row in (source.valuesLists or () if isinstance(source, ast.SelectStmt) else ())[:MAX_ROWS]
    )
    yield DataInsert(
        table=relation(node.relation),
        columns=columns,
        from_select=from_select,
        rows=rows,
        overwrites=_overwrites(node),
        case_mappings=case_mappings(tree, "postgres", int(base["location"].line)) if tree is not None else (),
        **{**base, "expression": tree},
    )


def _overwrites(node: ast.InsertStmt) -> tuple[str, ...]:
    """The columns `ON CONFLICT … DO UPDATE SET` sets on every row that already exists (none when a WHERE
    keeps to some of them)."""
    clause = node.onConflictClause
    if (
        clause is None
        or clause.action != OnConflictAction.ONCONFLICT_UPDATE
        or clause.whereClause is not None
    ):
        return ()
    return tuple(
        dict.fromkeys(
            str(t.name) for t in clause.targetList or () if isinstance(t, ast.ResTarget) and not _itself(t)
        )
    )


def _itself(target: ast.ResTarget) -> bool:
    """`DO UPDATE SET name = settings.name`: the row keeps what it has (`excluded.name` is the new value)."""
    value = target.val
    if not isinstance(value, ast.ColumnRef) or not value.fields:
        return False
    names = [str(f.sval) for f in value.fields if isinstance(f, ast.String)]
    return (
        bool(names) and names[-1] == str(target.name) and (len(names) == 1 or names[0].lower() != "excluded")
    )


def merge(node: ast.MergeStmt, base: Base) -> Iterator[Operation]:
    """MERGE (PostgreSQL 15+): each WHEN clause read as the statement it performs (bot/sql/pg_merge.py)."""
    yield from merge_clauses(node, base, _sqlglot(base["sql"], exp.Merge))


def select(node: ast.SelectStmt, base: Base) -> Iterator[Operation]:
    """`SELECT set_config('lock_timeout', '5s', false)` sets a timeout; Diesel's `SELECT
    diesel_manage_updated_at('posts')` creates a trigger; TimescaleDB's `SELECT create_hypertable('conditions',
    …)` makes a hypertable of the table; other SELECTs read only."""
    for found in walk(node):
        if (
            isinstance(found, ast.FuncCall)
            and dotted(found.funcname).rsplit(".", 1)[-1] == "diesel_manage_updated_at"
            and found.args
            and isinstance(table := _string_argument(next(iter(found.args))), str)
        ):
            yield updated_at_trigger(table, base)
            return
        if isinstance(found, ast.FuncCall) and dotted(found.funcname) == "set_config" and found.args:
            args = list(found.args)
            setting = text_of(args[0]).lower()
            if setting in TIMEOUT_SETTINGS and len(args) >= 2:
                local = len(args) > 2 and text_of(args[2]).lower() in ("true", "t", "on")
                yield SetTimeout(setting=setting, value=text_of(args[1]), local=local, **base)
                return
    read = tuple(dict.fromkeys(relation(r) for r in walk(node) if isinstance(r, ast.RangeVar)))
    converted = list(hypertable_calls(node))
    for hypertable in converted:  # TimescaleDB's `SELECT create_hypertable('conditions', …)`
        yield RawSQL(category="create-hypertable", table=hypertable.table, reads=read, **base)
    if not converted:
        yield RawSQL(category="select", table=read[0] if read else "", reads=read, **base)


def _sqlglot(sql: str, kind: type[exp.Expression]) -> Any:
    try:
        tree = sqlglot.parse_one(sql, dialect="postgres")
    except Exception:  # sqlglot raises several error types on SQL it cannot read
        return None
    return tree if isinstance(tree, kind) else None


# the trigger Diesel's `diesel_manage_updated_at(table)` creates on the table, and the function it runs
# (from Diesel's initial setup migration: it sets `updated_at` to the current time on an UPDATE that
# changes the row but leaves `updated_at` as it was)
DIESEL_TRIGGER = "set_updated_at"
DIESEL_FUNCTION = "diesel_set_updated_at"


def updated_at_trigger(table: str, base: Base) -> RawSQL:
    """`SELECT diesel_manage_updated_at('posts')`: the `BEFORE UPDATE` trigger it creates on `posts`."""
    return RawSQL(
        category="trigger",
        table=table,
        name=DIESEL_TRIGGER,
        function=DIESEL_FUNCTION,
        tracked=True,
        **{
            **base,
            "sql": f"CREATE TRIGGER {DIESEL_TRIGGER} BEFORE UPDATE ON {table} FOR EACH ROW "
            f"EXECUTE PROCEDURE {DIESEL_FUNCTION}()",
        },
    )


def _string_argument(node: Any) -> str | None:
    """The table named by a string argument (`'posts'`, `'posts'::regclass`), else None."""
    if isinstance(node, ast.TypeCast):
        node = node.arg
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.String):
        return (
            str(node.val.sval).lower()
            if not str(node.val.sval).startswith('"')
            else str(node.val.sval).strip('"')
        )
    return None
