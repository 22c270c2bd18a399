"""CREATE TABLE and ALTER TABLE read from PostgreSQL's own nodes: columns, constraints, every subcommand.

Inline column constraints are operations of their own where PostgreSQL does the work of one:
`ADD COLUMN … UNIQUE` builds a unique index and `ADD COLUMN … REFERENCES` adds a foreign key, so they
become `AddConstraint` operations next to the `AddColumn`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from pglast import ast
from pglast.enums import AlterTableType, ConstrType, ObjectType, OnCommitAction, TableLikeOption

from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AlterColumnType,
    ColumnSpec,
    CreateTable,
    DetachPartition,
    DropColumn,
    DropConstraint,
    DropNotNull,
    Maintenance,
    Operation,
    RawSQL,
    SetDefault,
    SetNotNull,
    ValidateConstraint,
)
from bot.sql.names import SERIAL_TYPES
from bot.sql.pg_nodes import (
    called_functions,
    deparse,
    expression_sql,
    may_be_volatile,
    relation,
    text_of,
    type_sql,
    unknown_functions,
)
from bot.sql.pg_volatility import calls

Base = dict[str, Any]

_KINDS = {
    ConstrType.CONSTR_FOREIGN: "foreign_key",
    ConstrType.CONSTR_CHECK: "check",
    ConstrType.CONSTR_UNIQUE: "unique",
    ConstrType.CONSTR_PRIMARY: "primary_key",
    ConstrType.CONSTR_EXCLUSION: "exclusion",
    ConstrType.CONSTR_NOTNULL: "not_null",
}
_ACTIONS = {"a": "no action", "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}


def create_table(node: ast.CreateStmt, base: Base) -> Iterator[Operation]:
    table = relation(node.relation)
    columns = [e for e in node.tableElts or () if isinstance(e, ast.ColumnDef)]
    constraints = tuple(
        constraint(e, table, (), base) for e in node.tableElts or () if isinstance(e, ast.Constraint)
    )
    temporary = (
        getattr(node.relation, "relpersistence", "") == "t" or node.oncommit == OnCommitAction.ONCOMMIT_DROP
    )
    like = tuple(
        (relation(e.relation), _like_options(e.options or 0))
        for e in node.tableElts or ()
        if isinstance(e, ast.TableLikeClause) and e.relation is not None
    )
    yield CreateTable(
        table=table,
        columns=tuple(column_spec(c) for c in columns),
        constraints=constraints + tuple(_inline_keys(columns, table, base, only_checks=True)),
        if_not_exists=bool(node.if_not_exists),
        temporary=temporary,
        like=like,
        partitioned=node.partspec is not None,
        partition_key=tuple(str(p.name or "") for p in node.partspec.partParams or ())
        if node.partspec is not None
        else (),
        **base,
    )


_LIKE_OPTIONS = {
    TableLikeOption.CREATE_TABLE_LIKE_DEFAULTS: "defaults",
    TableLikeOption.CREATE_TABLE_LIKE_IDENTITY: "identity",
    TableLikeOption.CREATE_TABLE_LIKE_CONSTRAINTS: "constraints",
    TableLikeOption.CREATE_TABLE_LIKE_INDEXES: "indexes",
}


def _like_options(bits: int) -> frozenset[str]:
    """`INCLUDING ALL` sets every bit; `INCLUDING DEFAULTS INCLUDING INDEXES` the two."""
    return frozenset(name for option, name in _LIKE_OPTIONS.items() if bits & option.value)


def column_spec(node: ast.ColumnDef) -> ColumnSpec:
    type_text = type_sql(node.typeName)
    spec: dict[str, Any] = {"name": str(node.colname or ""), "type": type_text}
    for c in node.constraints or ():
        kind = c.contype
        if kind == ConstrType.CONSTR_NOTNULL:
            spec["nullable"] = False
        elif kind == ConstrType.CONSTR_DEFAULT and c.raw_expr is not None:
            functions = called_functions(c.raw_expr)
            spec.update(
                default=expression_sql(c.raw_expr),
                volatile_default=may_be_volatile(functions),
                default_functions=unknown_functions(functions),
            )
        elif kind == ConstrType.CONSTR_PRIMARY:
            spec.update(primary_key=True, nullable=False)
        elif kind == ConstrType.CONSTR_UNIQUE:
            spec["unique"] = True
        elif kind == ConstrType.CONSTR_IDENTITY:
            spec["identity"] = True
        elif kind == ConstrType.CONSTR_GENERATED:
            # VIRTUAL (PostgreSQL 18, and its default when neither word is written) stores nothing
            spec.update(generated=True, virtual=c.generated_kind == "v", generated_calls=calls(c.raw_expr))
        elif kind == ConstrType.CONSTR_FOREIGN:
            spec["references"] = relation(c.pktable)
            spec["referenced_column"] = text_of(c.pk_attrs[0]) if c.pk_attrs else ""
            spec["on_delete"] = _ACTIONS.get(str(c.fk_del_action), "")
            spec["references_on_update"] = _ACTIONS.get(str(c.fk_upd_action), "")
    if type_text.split("(")[0] in SERIAL_TYPES:
        spec.update(volatile_default=True, identity=True)
    spec["collation"] = collation_of(node)
    return ColumnSpec(**spec)


def collation_of(node: ast.ColumnDef) -> str:
    """The collation a column definition states (`text COLLATE "C"`), as written; "" when none."""
    clause = node.collClause
    names = [text_of(n) for n in clause.collname or ()] if clause is not None else []
    return ".".join(n for n in names if n)


def constraint(c: ast.Constraint, table: str, columns: tuple[str, ...], base: Base) -> AddConstraint:
    """A table constraint (or an inline one on `columns`) as an `AddConstraint`."""
    kind = _KINDS.get(c.contype, "other") if c.contype is not None else "other"
    keys = tuple(text_of(k) for k in (c.fk_attrs if kind == "foreign_key" else c.keys) or ()) or columns
    return AddConstraint(
        table=table,
        name=str(c.conname or ""),
        constraint=kind,
        columns=keys,
        not_valid=bool(c.skip_validation),
        using_index=str(c.indexname) if c.indexname else None,
        references=relation(c.pktable) if c.pktable is not None else None,
        referenced_columns=tuple(text_of(k) for k in c.pk_attrs or ()),
        on_delete=_ACTIONS.get(str(c.fk_del_action), "") if kind == "foreign_key" else "",
        on_update=_ACTIONS.get(str(c.fk_upd_action), "") if kind == "foreign_key" else "",
        on_delete_columns=tuple(text_of(k) for k in c.fk_del_set_cols or ()) if kind == "foreign_key" else (),
        expression_sql=expression_sql(c.raw_expr) or "" if kind == "check" else "",
        **base,
    )


def _inline_keys(
    columns: list[ast.ColumnDef], table: str, base: Base, *, only_checks: bool = False
) -> Iterator[AddConstraint]:
    """Constraints written on a column that PostgreSQL adds as table constraints."""
    wanted = (ConstrType.CONSTR_CHECK,) if only_checks else tuple(_KINDS)
    for column in columns:
        for c in column.constraints or ():
            if c.contype in wanted and c.contype != ConstrType.CONSTR_NOTNULL:
                yield replace(constraint(c, table, (str(column.colname),), base), on_column=True)


def alter_table(node: ast.AlterTableStmt, base: Base) -> Iterator[Operation]:
    table = relation(node.relation)
    if node.objtype is not None and node.objtype != ObjectType.OBJECT_TABLE:  # ALTER INDEX, VIEW, …
        kind = node.objtype.name.removeprefix("OBJECT_").lower().replace("_", "-")
        yield RawSQL(category=f"alter-{kind}", table=table, **base)
        return
    for command in node.cmds or ():
        if isinstance(command, ast.AlterTableCmd):
            yield from _command(command, table, base)


def _command(cmd: ast.AlterTableCmd, table: str, b: Base) -> Iterator[Operation]:
    kind, column = cmd.subtype, str(cmd.name or "")
    if kind is None:
        return
    handler = _COLUMN_COMMANDS.get(kind)
    if handler is not None:
        yield from handler(cmd, table, column, b)
    elif kind == AlterTableType.AT_AddConstraint and isinstance(cmd.def_, ast.Constraint):
        yield constraint(cmd.def_, table, (), b)
    elif kind == AlterTableType.AT_ValidateConstraint:
        yield ValidateConstraint(table=table, name=column, **b)
    elif kind == AlterTableType.AT_DropConstraint:
        yield DropConstraint(table=table, name=column, if_exists=bool(cmd.missing_ok), **b)
    elif kind in _TABLE_REWRITES:
        yield Maintenance(command=_TABLE_REWRITES[kind], table=table, blocking=True, **b)
    elif kind in (AlterTableType.AT_DetachPartition, AlterTableType.AT_DetachPartitionFinalize):
        partition = cmd.def_
        assert isinstance(partition, ast.PartitionCmd)
        # FINALIZE completes a detach that ran CONCURRENTLY and was interrupted.
        concurrently = bool(partition.concurrent) or kind == AlterTableType.AT_DetachPartitionFinalize
        yield DetachPartition(table=table, partition=relation(partition.name), concurrently=concurrently, **b)
    else:
        yield RawSQL(category=_category(kind), table=table, **b)


# ALTER TABLE forms that write the whole table anew (a new file, every index rebuilt) under ACCESS EXCLUSIVE
_TABLE_REWRITES = {
    AlterTableType.AT_SetLogged: "SET LOGGED",
    AlterTableType.AT_SetUnLogged: "SET UNLOGGED",
    AlterTableType.AT_SetTableSpace: "SET TABLESPACE",
}


def _category(kind: AlterTableType) -> str:
    """`AT_EnableRowSecurity` → `alter-table-enable-row-security`; the categories other dialects' readers
    share keep their shared names (`trigger-toggle`, `attach-partition`), which the lock model reads."""
    name = kind.name.removeprefix("AT_")
    if name.startswith(("EnableTrig", "DisableTrig", "EnableAlwaysTrig", "EnableReplicaTrig")):
        return "trigger-toggle"
    if name == "AttachPartition":
        return "attach-partition"
    words = "".join(f"-{ch.lower()}" if ch.isupper() else ch for ch in name).strip("-")
    return f"alter-table-{words}"


def _add_column(cmd: ast.AlterTableCmd, table: str, column: str, b: Base) -> Iterator[Operation]:
    definition = cmd.def_
    assert isinstance(definition, ast.ColumnDef)
    yield AddColumn(table=table, column=column_spec(definition), if_not_exists=bool(cmd.missing_ok), **b)
    yield from _inline_keys([definition], table, b)


def _drop_column(cmd: ast.AlterTableCmd, table: str, column: str, b: Base) -> Iterator[Operation]:
    yield DropColumn(table=table, column=column, if_exists=bool(cmd.missing_ok), **b)


def _alter_type(cmd: ast.AlterTableCmd, table: str, column: str, b: Base) -> Iterator[Operation]:
    definition = cmd.def_
    assert isinstance(definition, ast.ColumnDef)
    using = definition.raw_default
    yield AlterColumnType(
        table=table,
        column=column,
        new_type=type_sql(definition.typeName),
        using=expression_sql(using) if using is not None else None,
        collation=collation_of(definition),
        **b,
    )


def _set_not_null(cmd: ast.AlterTableCmd, table: str, column: str, b: Base) -> Iterator[Operation]:
    yield SetNotNull(table=table, column=column, **b)


def _drop_not_null(cmd: ast.AlterTableCmd, table: str, column: str, b: Base) -> Iterator[Operation]:
    yield DropNotNull(table=table, column=column, **b)


def _default(cmd: ast.AlterTableCmd, table: str, column: str, b: Base) -> Iterator[Operation]:
    if cmd.def_ is None:
        yield SetDefault(table=table, column=column, default=None, **b)
        return
    functions = called_functions(cmd.def_)
    yield SetDefault(
        table=table,
        column=column,
        default=expression_sql(cmd.def_),
        volatile=may_be_volatile(functions),
        **b,
    )


def _drop_identity(cmd: ast.AlterTableCmd, table: str, column: str, b: Base) -> Iterator[Operation]:
    yield SetDefault(table=table, column=column, default=None, identity=True, **b)


_COLUMN_COMMANDS = {
    AlterTableType.AT_AddColumn: _add_column,
    AlterTableType.AT_DropColumn: _drop_column,
    AlterTableType.AT_AlterColumnType: _alter_type,
    AlterTableType.AT_SetNotNull: _set_not_null,
    AlterTableType.AT_DropNotNull: _drop_not_null,
    AlterTableType.AT_ColumnDefault: _default,
    AlterTableType.AT_DropIdentity: _drop_identity,
}

__all__ = ["alter_table", "column_spec", "constraint", "create_table", "deparse"]
