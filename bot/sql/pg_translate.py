"""PostgreSQL statements → typed operations, read from PostgreSQL's own parse tree (pglast).

One dispatch on the node type; every statement PostgreSQL accepts becomes typed operations or a RawSQL
of a deliberate category (the node's type, when nothing more specific is known). Only a statement
PostgreSQL rejects becomes `Unparsed`, with PostgreSQL's message and line.

Where an operation carries a sqlglot tree that rules and `bot/sql/data_changes.py` read (the SET and WHERE
of an UPDATE, the CASE mappings of an INSERT … SELECT), the statement's text is parsed again with sqlglot's
PostgreSQL dialect to fill those fields only; pglast has already decided what the statement is, its lines
and its operations, so a statement sqlglot cannot read still becomes the same operation, without a tree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

from pglast import ast
from pglast.enums import ObjectType, TransactionStmtKind, VariableSetKind
from sqlglot import exp

from bot.model.findings import Location
from bot.model.migration import (
    PLACEHOLDER,
    AddEnumValue,
    AddIndex,
    CreateEnum,
    CreateTable,
    DataDelete,
    DataInsert,
    DataUpdate,
    DropIndex,
    DropSchema,
    DropTable,
    Operation,
    RawSQL,
    RenameColumn,
    RenameConstraint,
    RenameTable,
    SetTimeout,
    Transaction,
    Truncate,
    Unparsed,
    UnreadDataChange,
)
from bot.sql.commands import TIMEOUT_SETTINGS
from bot.sql.pg_bodies import BlockStatements, DataStatement, do_block_statements, schema_change_only
from bot.sql.pg_columns import trigger_uses, view_uses
from bot.sql.pg_data import delete, insert, merge, select, update
from bot.sql.pg_maintenance import cluster, lock, reindex, vacuum
from bot.sql.pg_names import restore_long_names
from bot.sql.pg_nodes import deparse, dotted, option, relation, text_of
from bot.sql.pg_routines import create_function, do_block
from bot.sql.pg_statements import PgStatement, split
from bot.sql.pg_tables import alter_table, create_table
from bot.sql.pg_volatility import calls

Base = dict[str, Any]
Handler = Callable[[Any, Base], Iterator[Operation]]


def operations(statement: PgStatement, path: str) -> list[Operation]:
    base: Base = {
        "location": Location(path, statement.line),
        "end_line": statement.end_line,
        "sql": statement.text,
    }
    if statement.psql:
        return [RawSQL(category="psql-command", **base)]
    if statement.error is not None or statement.node is None:
        return [Unparsed(error=statement.error or "empty statement", **base)]
    handler = _HANDLERS.get(type(statement.node))
    if handler is None:
        return [RawSQL(category=_category(statement.node), **base)]
    ops = list(handler(statement.node, base))
    return restore_long_names(ops, statement.text)


def _category(node: ast.Node) -> str:
    """`CreateSeqStmt` → `create-seq`: a deliberate category for statements nothing reads further."""
    name = type(node).__name__.removesuffix("Stmt")
    return "".join(f"-{ch.lower()}" if ch.isupper() else ch for ch in name).strip("-")


def _policy(node: ast.CreatePolicyStmt, base: Base) -> Iterator[Operation]:
    """`CREATE POLICY name ON table …`: the table it opens rows of, and its name."""
    yield RawSQL(category="policy", table=relation(node.table), name=str(node.policy_name or ""), **base)


def _index(node: ast.IndexStmt, base: Base) -> Iterator[Operation]:
    yield AddIndex(
        table=relation(node.relation),
        name=str(node.idxname or ""),
        columns=tuple(str(e.name) if e.name else deparse(e.expr) for e in node.indexParams or ()),
        unique=bool(node.unique or node.primary),
        concurrently=bool(node.concurrent),
        if_not_exists=bool(node.if_not_exists),
        where=deparse(node.whereClause) if node.whereClause is not None else "",
        method=str(node.accessMethod or ""),
        only=node.relation is not None and not node.relation.inh,
        calls=calls(tuple(e.expr for e in node.indexParams or () if e.expr is not None)),
        predicate_calls=calls(node.whereClause),
        **base,
    )


_DROPPED_KINDS = {
    ObjectType.OBJECT_VIEW: "drop-view",
    ObjectType.OBJECT_MATVIEW: "drop-view",
    ObjectType.OBJECT_SEQUENCE: "drop-sequence",
    ObjectType.OBJECT_FUNCTION: "drop-function",
    ObjectType.OBJECT_PROCEDURE: "drop-function",
    ObjectType.OBJECT_TRIGGER: "drop-trigger",
    ObjectType.OBJECT_EXTENSION: "drop-extension",
    ObjectType.OBJECT_POLICY: "drop-policy",
    ObjectType.OBJECT_DOMAIN: "drop-domain",
    ObjectType.OBJECT_TYPE: "drop-type",
}


def _drop(node: ast.DropStmt, base: Base) -> Iterator[Operation]:
    kind, exists = node.removeType or ObjectType.OBJECT_TABLE, bool(node.missing_ok)
    cascade = node.behavior is not None and node.behavior.name == "DROP_CASCADE"
    for target in node.objects or ():
        name = _object_name(target)
        if kind == ObjectType.OBJECT_TABLE or kind == ObjectType.OBJECT_FOREIGN_TABLE:
            yield DropTable(table=name, if_exists=exists, cascade=cascade, **base)
        elif kind == ObjectType.OBJECT_INDEX:
            yield DropIndex(name=name, concurrently=bool(node.concurrent), if_exists=exists, **base)
        elif kind == ObjectType.OBJECT_SCHEMA:
            yield DropSchema(name=name, kind="schema", if_exists=exists, cascade=cascade, **base)
        else:
            category = _DROPPED_KINDS.get(kind, f"drop-{kind.name.removeprefix('OBJECT_').lower()}")
            yield RawSQL(category=category, table=name, if_exists=exists, cascade=cascade, **base)


def _set_schema(node: ast.AlterObjectSchemaStmt, base: Base) -> Iterator[Operation]:
    """`ALTER TABLE public.tokens SET SCHEMA private`: to every query that names the table as before (through
    the search path, or by its old schema), the table is gone, as if renamed; it keeps its rows, and the
    catalog knows it under its new name."""
    kind = node.objectType
    if kind in (ObjectType.OBJECT_TABLE, ObjectType.OBJECT_FOREIGN_TABLE) and node.relation is not None:
        table = relation(node.relation)
        moved = ast.RangeVar(
            relname=node.relation.relname, schemaname=node.newschema, inh=True, relpersistence="p"
        )
        if relation(moved) != table:
            yield RenameTable(table=table, new_name=relation(moved), **base)
            return
    yield RawSQL(category=_category(node), **base)


def _object_name(target: object) -> str:
    if isinstance(target, tuple | list):
        return dotted(target)
    if isinstance(target, ast.TypeName):
        return dotted(target.names)
    if isinstance(target, ast.ObjectWithArgs):
        return dotted(target.objname)
    return text_of(target) if isinstance(target, ast.Node) else str(target)


def _dropdb(node: ast.DropdbStmt, base: Base) -> Iterator[Operation]:
    yield DropSchema(name=str(node.dbname), kind="database", if_exists=bool(node.missing_ok), **base)


def _rename(node: ast.RenameStmt, base: Base) -> Iterator[Operation]:
    kind, table = node.renameType or ObjectType.OBJECT_TABLE, relation(node.relation)
    if kind == ObjectType.OBJECT_TABLE:
        yield RenameTable(table=table, new_name=str(node.newname), **base)
    elif kind == ObjectType.OBJECT_COLUMN and node.relationType == ObjectType.OBJECT_TABLE:
        yield RenameColumn(table=table, column=str(node.subname), new_name=str(node.newname), **base)
    elif kind == ObjectType.OBJECT_TABCONSTRAINT:
        yield RenameConstraint(table=table, name=str(node.subname), new_name=str(node.newname), **base)
    elif kind in (ObjectType.OBJECT_FUNCTION, ObjectType.OBJECT_PROCEDURE, ObjectType.OBJECT_ROUTINE):
        # the catalog follows it: the function's code is known under its new name (and a later DROP of it)
        old = _object_name(node.object)
        yield RawSQL(category="rename-function", table=old, name=str(node.newname), **base)
    elif kind == ObjectType.OBJECT_TRIGGER:
        yield RawSQL(
            category="rename-trigger", table=f"{table}.{node.subname}", name=str(node.newname), **base
        )
    elif kind == ObjectType.OBJECT_TYPE:
        # the columns of that type keep it under its new name (they point at the type, not at its name)
        yield RawSQL(category="rename-type", table=_object_name(node.object), name=str(node.newname), **base)
    else:
        what = kind.name.removeprefix("OBJECT_").lower().replace("_", "-")
        yield RawSQL(category=f"alter-{what}", table=table, **base)


def _create_enum(node: ast.CreateEnumStmt, base: Base) -> Iterator[Operation]:
    yield CreateEnum(name=dotted(node.typeName), values=tuple(text_of(v) for v in node.vals or ()), **base)


def _alter_enum(node: ast.AlterEnumStmt, base: Base) -> Iterator[Operation]:
    if node.oldVal:  # RENAME VALUE
        yield RawSQL(category="alter-type", **base)
        return
    neighbour = str(node.newValNeighbor) if node.newValNeighbor else None
    yield AddEnumValue(
        name=dotted(node.typeName),
        value=str(node.newVal),
        before=neighbour if neighbour and not node.newValIsAfter else None,
        after=neighbour if neighbour and node.newValIsAfter else None,
        if_not_exists=bool(node.skipIfNewValExists),
        **base,
    )


def _truncate(node: ast.TruncateStmt, base: Base) -> Iterator[Operation]:
    cascade = node.behavior is not None and node.behavior.name == "DROP_CASCADE"
    for target in node.relations or ():
        yield Truncate(table=relation(target), cascade=cascade, **base)


def _set(node: ast.VariableSetStmt, base: Base) -> Iterator[Operation]:
    setting = str(node.name or "").lower()
    if setting in TIMEOUT_SETTINGS and node.kind in (
        VariableSetKind.VAR_SET_VALUE,
        VariableSetKind.VAR_SET_DEFAULT,
    ):
        value = text_of(node.args[0]) if node.args else "default"
        yield SetTimeout(setting=setting, value=value, local=bool(node.is_local), **base)
    else:
        yield RawSQL(category="set", **base)


_TRANSACTIONS = {
    TransactionStmtKind.TRANS_STMT_BEGIN: "begin",
    TransactionStmtKind.TRANS_STMT_START: "begin",
    TransactionStmtKind.TRANS_STMT_COMMIT: "commit",
    TransactionStmtKind.TRANS_STMT_ROLLBACK: "rollback",
}


def _transaction(node: ast.TransactionStmt, base: Base) -> Iterator[Operation]:
    action = _TRANSACTIONS.get(node.kind, "savepoint") if node.kind is not None else "savepoint"
    yield Transaction(action=action, **base)


def _create_table_as(node: ast.CreateTableAsStmt, base: Base) -> Iterator[Operation]:
    target = relation(node.into.rel) if node.into is not None else ""
    if node.objtype == ObjectType.OBJECT_MATVIEW:
        yield RawSQL(category="view", table=target, **view_uses(target, str(base["sql"])), **base)
    else:
        yield CreateTable(
            table=target,
            as_select=True,
            if_not_exists=bool(node.if_not_exists),
            selected=_selected(node.query),
            **base,
        )


def _selected(query: ast.Node | None) -> tuple[tuple[str, str, str], ...]:
    """The columns a plain `SELECT a, t.b AS c, t.* FROM t [alias]` gives, as (name, table, column); () when
    the query is of another shape (a join of several tables with unqualified columns, a set operation)."""
    if not isinstance(query, ast.SelectStmt) or query.targetList is None:
        return ()
    tables = {}
    for item in query.fromClause or ():
        if not isinstance(item, ast.RangeVar):
            return ()
        name = relation(item)
        tables[item.alias.aliasname if item.alias is not None else item.relname] = name
    only = next(iter(tables.values())) if len(tables) == 1 else ""
    found: list[tuple[str, str, str]] = []
    for target in query.targetList:
        value = target.val if isinstance(target, ast.ResTarget) else None
        fields = value.fields if isinstance(value, ast.ColumnRef) else None
        if not fields:
            found.append((target.name or "?column?", "", ""))
            continue
        *qualifier, last = fields
        table = tables.get(text_of(qualifier[-1]), "") if qualifier else only
        column = "*" if isinstance(last, ast.A_Star) else text_of(last)
        if not table:
            return ()
        found.append((target.name or column, table, column))
    return tuple(found)


def _view(node: ast.ViewStmt, base: Base) -> Iterator[Operation]:
    name = relation(node.view)
    yield RawSQL(category="view", table=name, **view_uses(name, str(base["sql"])), **base)


def _trigger(node: ast.CreateTrigStmt, base: Base) -> Iterator[Operation]:
    yield RawSQL(
        category="trigger", table=relation(node.relation), **trigger_uses(node, str(base["sql"])), **base
    )


def _refresh(node: ast.RefreshMatViewStmt, base: Base) -> Iterator[Operation]:
    yield RawSQL(category="refresh-view", table=relation(node.relation), **base)


def _do(node: ast.DoStmt, base: Base) -> Iterator[Operation]:
    """A DO block stays one operation, and the schema changes it runs are read as what they are
    (drizzle-kit and hand-written migrations wrap `ALTER TABLE … ADD CONSTRAINT` in `DO … EXCEPTION WHEN
    duplicate_object`, and loop over a list of tables with `EXECUTE format(…)`); a block that does nothing
    else is those changes alone. SQL it builds from values only known when it runs is a statement the
    review cannot read, and is said so."""
    body = option(node.args, "as")
    language = option(node.args, "language")
    inner: list[Operation] = []
    read = BlockStatements()
    location: Location = base["location"]
    if body is not None and (language is None or text_of(language.arg).lower() == "plpgsql"):
        read = do_block_statements(text_of(body.arg))
        for query, line in read.changes:
            for statement in split(query, first_line=location.line + line - 1):
                inner.extend(operations(statement, location.path))
    if not (read.only and inner):
        yield from do_block(node, base)
    for data in read.data:
        # a loop whose batches are committed: a COMMIT run again by a loop that starts before the statement
        committed = any(
            action == "commit" and loop != line and loop <= data.line for action, line, loop in read.ends
        )
        inner.extend(
            _block_data(data, Location(location.path, location.line + data.line - 1), committed=committed)
        )
    ends = [
        Transaction(
            action=f"block-{action}",
            location=Location(location.path, location.line + at - 1),
            sql=action.upper(),
        )
        for action, _, at in read.ends
    ]
    if ends:  # its statements run in its own transaction, which each COMMIT ends and the next starts
        inner.insert(0, Transaction(action="block-begin", location=location, sql="DO"))
        inner.extend(ends)
    inner = sorted(inner, key=lambda op: op.location.line)  # in the order the block runs them
    if ends:
        last = max([location.line, *(op.location.line for op in inner)])
        inner.append(Transaction(action="block-end", location=Location(location.path, last), sql="END"))
    yield from inner
    for expression, line, shape, loop in read.unknown:
        yield from _built_at_run_time(
            expression, shape, loop, Location(location.path, location.line + line - 1)
        )


def _block_data(data: DataStatement, location: Location, *, committed: bool = True) -> Iterator[Operation]:
    """A data statement of a DO block, read as the one it is; in a loop, each pass runs one batch of it when its
    condition holds a value the loop gives, and the loop's way of moving a key range goes with it. A block
    runs in one transaction unless it commits: batches its loop does not commit keep every row they change
    locked until the block ends, one change of all the rows the loop reaches (not batched)."""
    for statement in split(data.query, first_line=location.line):
        for op in operations(statement, location.path):
            if not isinstance(op, DataUpdate | DataDelete | DataInsert):
                continue
            if isinstance(op, DataUpdate | DataDelete) and data.loop:
                # one pass's rows: those a value the loop gives picks (anywhere in the statement, a CTE's
                # key range too), or a LIMIT
                batched = (op.batched or PLACEHOLDER in op.sql or _limited(op)) and committed
                op = dataclasses.replace(op, batched=batched, step=data.step, loop=data.loop)
            yield dataclasses.replace(op, in_block=True)


def _limited(op: Operation) -> bool:
    tree = op.expression
    return isinstance(tree, exp.Expression) and tree.find(exp.Limit) is not None


def _built_at_run_time(expression: str, shape: str, loop: str, location: Location) -> Iterator[Operation]:
    """A statement a DO block builds from values only known when it runs. A schema change whose unknown
    parts are names of constraints, indexes or new names (`ALTER TABLE chart DROP CONSTRAINT <each foreign
    key>`) is read as that change on its table; one whose table, or whose data, is only known then is a
    change the review cannot read, and is said so."""
    read = [
        op
        for statement in split(shape, first_line=location.line)
        for op in operations(statement, location.path)
    ]
    if (
        read
        and schema_change_only(shape)
        and not any(PLACEHOLDER in table for op in read for table in op.tables)
    ):
        yield from read
        return
    shown = " ".join(shape.replace(PLACEHOLDER, "…").split())
    yield UnreadDataChange(
        location=location,
        end_line=location.line,
        sql=f"EXECUTE {expression}",
        runs=f"`{shown[:160]}` (SQL a DO block builds with `EXECUTE`)",
        how=(f"{loop}, " if loop else "") + "on tables or with values only known when it runs",
        check="Read which tables and values the block's queries give on production, and what the statement does "
        "to each (locks, rewrites, rows written)",
    )


def _named(category: str) -> Handler:
    def handle(node: Any, base: Base) -> Iterator[Operation]:
        yield RawSQL(category=category, **base)

    return handle


_HANDLERS: dict[type, Handler] = {
    ast.CreateStmt: create_table,
    ast.AlterTableStmt: alter_table,
    ast.IndexStmt: _index,
    ast.DropStmt: _drop,
    ast.DropdbStmt: _dropdb,
    ast.RenameStmt: _rename,
    ast.CreateEnumStmt: _create_enum,
    ast.AlterEnumStmt: _alter_enum,
    ast.TruncateStmt: _truncate,
    ast.VariableSetStmt: _set,
    ast.TransactionStmt: _transaction,
    ast.VacuumStmt: vacuum,
    ast.ClusterStmt: cluster,
    ast.ReindexStmt: reindex,
    ast.LockStmt: lock,
    ast.CreateTableAsStmt: _create_table_as,
    ast.ViewStmt: _view,
    ast.AlterObjectSchemaStmt: _set_schema,
    ast.CreateTrigStmt: _trigger,
    ast.RefreshMatViewStmt: _refresh,
    ast.UpdateStmt: update,
    ast.DeleteStmt: delete,
    ast.InsertStmt: insert,
    ast.MergeStmt: merge,
    ast.SelectStmt: select,
    ast.CreateFunctionStmt: create_function,
    ast.DoStmt: _do,
    ast.CreateExtensionStmt: _named("extension"),
    ast.CreateSchemaStmt: _named("schema"),
    ast.CreateSeqStmt: _named("sequence"),
    ast.CreatePolicyStmt: _policy,
    ast.CreateDomainStmt: _named("domain"),
    ast.AlterDomainStmt: _named("alter-domain"),
    ast.RuleStmt: _named("rule"),
    ast.CreateRoleStmt: _named("role"),
    ast.GrantStmt: _named("grant"),
    ast.GrantRoleStmt: _named("grant"),
    ast.AlterDefaultPrivilegesStmt: _named("grant"),
    ast.CommentStmt: _named("comment"),
    ast.CallStmt: _named("call"),
    ast.CompositeTypeStmt: _named("type"),
    ast.CreateRangeStmt: _named("type"),
    ast.CreateStatsStmt: _named("statistics"),
    ast.CreateEventTrigStmt: _named("trigger"),
    ast.CreatedbStmt: _named("create-database"),
    ast.AlterSystemStmt: _named("alter-system"),
    ast.AlterSeqStmt: _named("alter-sequence"),
    ast.AlterFunctionStmt: _named("alter-function"),
    ast.AlterExtensionStmt: _named("alter-extension"),
    ast.ExplainStmt: _named("select"),
    ast.VariableShowStmt: _named("select"),
    ast.CopyStmt: _named("copy"),
    ast.NotifyStmt: _named("notify"),
    ast.DiscardStmt: _named("discard"),
}
