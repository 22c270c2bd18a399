"""TypeORM's `QueryRunner` API as operations: `addColumn`, `changeColumn`, `createIndex`, `createTable`, ….

Each method takes the table (a name or a `Table`) and `TableColumn`/`TableIndex`/`TableForeignKey` objects
(`new TableColumn({ … })` or a plain object with the same options). `changeColumn` with a different type
drops and re-adds the column, as TypeORM's own query runners do, so the values in it are lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from tree_sitter import Node

from bot.frameworks import javascript as js
from bot.frameworks import node_migration as nm
from bot.frameworks.node_columns import key_action, typeorm_type
from bot.frameworks.node_migration import Source
from bot.frameworks.sqlfile import parse_sql
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    ColumnSpec,
    CreateEnum,
    CreateTable,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropNotNull,
    DropTable,
    Operation,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetNotNull,
    Transaction,
    Truncate,
)
from bot.sql.names import calls_volatile

Options = dict[str, js.Value]
Handler = Callable[[js.Call, Source], list[Operation]]


def options(node: Node | None) -> Options:
    """The options of `new TableColumn({ … })` or of a plain `{ … }`."""
    if node is None:
        return {}
    inner = js.call(node)
    if inner is not None and js.unwrap(node).type == "new_expression":
        return options(inner.args[0]) if inner.args else {}
    found = js.value(node)
    return found if isinstance(found, dict) else {}


def target(node: Node | None) -> str:
    """A table named by a string or by a `Table` object."""
    return nm.name(node) or str(options(node).get("name") or "")


def column(found: Options) -> ColumnSpec:
    default = found.get("default")
    sql_default = (
        default if isinstance(default, str) else (nm.literal(default) if "default" in found else None)
    )
    return ColumnSpec(
        name=str(found.get("name") or ""),
        type=typeorm_type(found),
        nullable=found.get("isNullable") is True,
        default=sql_default,
        volatile_default=calls_volatile(sql_default),
        primary_key=found.get("isPrimary") is True,
        unique=found.get("isUnique") is True,
        identity=found.get("isGenerated") is True,
    )


def _column_name(node: Node | None) -> str:
    return nm.name(node) or str(options(node).get("name") or "")


def _add_columns(c: js.Call, src: Source) -> list[Operation]:
    table = target(c.args[0]) if c.args else ""
    items = js.unwrap(c.args[1]).named_children if c.name == "addColumns" and len(c.args) > 1 else c.args[1:2]
    found = [options(item) for item in items]
    specs = [column(each) for each in found]
    if not table or not specs or any(not spec.name for spec in specs):
        return [nm.unparsed(c.node, src, f"the table or column of `{c.name}` is computed at run time")]
    types, specs = _enum_types(table, found, specs, c, src)
    return [*types, *(AddColumn(table=table, column=spec, **nm.origin_of(c.node, src)) for spec in specs)]


def _enum_types(
    table: str, found: list[Options], specs: list[ColumnSpec], c: js.Call, src: Source
) -> tuple[list[Operation], list[ColumnSpec]]:
    """On PostgreSQL an `enum` column gets a type of its own, which TypeORM creates before the column: the
    types, and the columns with their type's name."""
    types: list[Operation] = []
    typed = []
    for each, spec in zip(found, specs, strict=True):
        labels = each.get("enum")
        if spec.type == "enum" and src.dialect == "postgres" and isinstance(labels, list) and labels:
            name = _enum_name(table, spec.name, each)
            values = tuple(str(v) for v in labels)
            types.append(CreateEnum(name=name, values=values, **nm.origin_of(c.node, src)))
            spec = replace(spec, type=name)
        typed.append(spec)
    return types, typed


def _drop_columns(c: js.Call, src: Source) -> list[Operation]:
    table = target(c.args[0]) if c.args else ""
    items = (
        js.unwrap(c.args[1]).named_children if c.name == "dropColumns" and len(c.args) > 1 else c.args[1:2]
    )
    names = [_column_name(item) for item in items]
    if not table or not names or not all(names):
        return [nm.unparsed(c.node, src, f"the table or column of `{c.name}` is computed at run time")]
    return [DropColumn(table=table, column=name, **nm.origin_of(c.node, src)) for name in names]


def _rename_column(c: js.Call, src: Source) -> list[Operation]:
    table = target(c.args[0]) if c.args else ""
    old, new = (_column_name(c.args[i]) if len(c.args) > i else "" for i in (1, 2))
    if not (table and old and new):
        return [nm.unparsed(c.node, src, "the table or columns of `renameColumn` are computed at run time")]
    return [RenameColumn(table=table, column=old, new_name=new, **nm.origin_of(c.node, src))]


def _change_column(c: js.Call, src: Source) -> list[Operation]:
    table = target(c.args[0]) if c.args else ""
    old_node = c.args[1] if len(c.args) > 1 else None
    old, new = options(old_node), options(c.args[2] if len(c.args) > 2 else None)
    name = _column_name(old_node)
    if not (table and name and new):
        return [nm.unparsed(c.node, src, "the table or columns of `changeColumn` are computed at run time")]
    at = nm.origin_of(c.node, src)
    spec = column(new)
    if spec.type == "enum" and (not old or typeorm_type(old) == "enum") and src.dialect == "postgres":
        recreated = _enum_recreated(table, name, old, new, c, src)
        if recreated:
            return recreated
    if old and typeorm_type(old) and spec.type and typeorm_type(old) != spec.type:
        return [DropColumn(table=table, column=name, **at), AddColumn(table=table, column=spec, **at)]
    ops: list[Operation] = []
    if spec.name and spec.name != name:
        ops.append(RenameColumn(table=table, column=name, new_name=spec.name, **at))
        name = spec.name
    if spec.type and not old:
        ops.append(AlterColumnType(table=table, column=name, new_type=spec.type, **at))
    if (old.get("isNullable") is True and not spec.nullable) or (
        not old and "isNullable" in new and not spec.nullable
    ):
        ops.append(SetNotNull(table=table, column=name, **at))
    elif spec.nullable and old.get("isNullable") is not True:
        ops.append(DropNotNull(table=table, column=name, **at))
    if "default" in new and new.get("default") != old.get("default"):
        ops.append(SetDefault(table=table, column=name, default=spec.default, **at))
    return ops


def _index(table: str, found: Options, c: js.Call, src: Source) -> Operation:
    columns = nm.strings(found.get("columnNames"))
    name = str(found.get("name") or f"IDX_{table}_{'_'.join(columns)}")
    return AddIndex(
        table=table,
        name=name,
        columns=columns,
        unique=found.get("isUnique") is True,
        concurrently=found.get("isConcurrent") is True,
        **nm.origin_of(c.node, src),
    )


def _create_index(c: js.Call, src: Source) -> list[Operation]:
    table = target(c.args[0]) if c.args else ""
    items = (
        js.unwrap(c.args[1]).named_children if c.name == "createIndices" and len(c.args) > 1 else c.args[1:2]
    )
    if not table or not items:
        return [nm.unparsed(c.node, src, f"the table or index of `{c.name}` is computed at run time")]
    return [_index(table, options(item), c, src) for item in items]


def _drop_index(c: js.Call, src: Source) -> list[Operation]:
    table = target(c.args[0]) if c.args else ""
    index = c.args[1] if len(c.args) > 1 else None
    name = nm.name(index) or str(options(index).get("name") or "")
    if not name:
        return [nm.unparsed(c.node, src, "the index of `dropIndex` is computed at run time")]
    concurrent = options(index).get("isConcurrent") is True
    return [DropIndex(name=name, table=table, concurrently=concurrent, **nm.origin_of(c.node, src))]


def _foreign_key(table: str, found: Options, c: js.Call, src: Source) -> Operation:
    columns = nm.strings(found.get("columnNames"))
    referenced = str(found.get("referencedTableName") or "") or None
    name = str(found.get("name") or f"FK_{table}_{'_'.join(columns)}")
    return AddConstraint(
        table=table,
        name=name,
        constraint="foreign_key",
        columns=columns,
        references=referenced,
        on_delete=key_action(found.get("onDelete")),
        on_update=key_action(found.get("onUpdate")),
        **nm.origin_of(c.node, src),
    )


def _create_foreign_key(c: js.Call, src: Source) -> list[Operation]:
    table = target(c.args[0]) if c.args else ""
    many = c.name == "createForeignKeys" and len(c.args) > 1
    items = js.unwrap(c.args[1]).named_children if many else c.args[1:2]
    if not table or not items:
        return [nm.unparsed(c.node, src, f"the table or key of `{c.name}` is computed at run time")]
    return [_foreign_key(table, options(item), c, src) for item in items]


def _constraint(kind: str) -> Handler:
    def handler(c: js.Call, src: Source) -> list[Operation]:
        table = target(c.args[0]) if c.args else ""
        found = options(c.args[1]) if len(c.args) > 1 else {}
        columns = nm.names(c.args[1]) if kind == "primary_key" and len(c.args) > 1 else ()
        columns = columns or nm.strings(found.get("columnNames"))
        if not table:
            return [nm.unparsed(c.node, src, f"the table of `{c.name}` is computed at run time")]
        name = str(found.get("name") or f"{kind}_{table}_{'_'.join(columns)}")
        expression = str(found.get("expression") or "")
        return [
            AddConstraint(
                table=table,
                name=name,
                constraint=kind,
                columns=columns,
                expression_sql=expression,
                **nm.origin_of(c.node, src),
            )
        ]

    return handler


def _drop_constraint(c: js.Call, src: Source) -> list[Operation]:
    table = target(c.args[0]) if c.args else ""
    item = c.args[1] if len(c.args) > 1 else None
    name = nm.name(item) or str(options(item).get("name") or "") or f"{c.name}_{table}"
    if not table:
        return [nm.unparsed(c.node, src, f"the table of `{c.name}` is computed at run time")]
    return [DropConstraint(table=table, name=name, **nm.origin_of(c.node, src))]


def _create_table(c: js.Call, src: Source) -> list[Operation]:
    found = options(c.args[0]) if c.args else {}
    table = str(found.get("name") or "")
    columns = found.get("columns")
    if not table or not isinstance(columns, list):
        return [nm.unparsed(c.node, src, "the table of `createTable` is computed at run time")]
    found_columns = [item for item in columns if isinstance(item, dict)]
    types, typed = _enum_types(table, found_columns, [column(item) for item in found_columns], c, src)
    specs = tuple(typed)
    if_not_exists = len(c.args) > 1 and js.value(c.args[1]) is True
    created = CreateTable(
        table=table, columns=specs, if_not_exists=if_not_exists, **nm.origin_of(c.node, src)
    )
    # the table's `indices` and `foreignKeys` (plain objects or `new TableIndex(…)`, `new TableForeignKey(…)`)
    # are created with it, in the same call
    fields = _fields(c.args[0])
    indexes = [_index(table, options(item), c, src) for item in _items(fields.get("indices"))]
    keys = [_foreign_key(table, options(item), c, src) for item in _items(fields.get("foreignKeys"))]
    return [*types, created, *indexes, *keys]


def _items(node: Node | None) -> list[Node]:
    """The elements of an array literal; none for anything else."""
    found = js.unwrap(node) if node is not None else None
    return list(found.named_children) if found is not None and found.type == "array" else []


def _fields(node: Node) -> dict[str, Node]:
    """The properties of `new Table({ … })` or of a plain `{ … }`, as nodes."""
    inner = js.call(node)
    if inner is not None and js.unwrap(node).type == "new_expression":
        return js.pairs(inner.args[0]) if inner.args else {}
    return js.pairs(node)


def _drop_table(c: js.Call, src: Source) -> list[Operation]:
    table = target(c.args[0]) if c.args else ""
    if not table:
        return [nm.unparsed(c.node, src, "the table of `dropTable` is computed at run time")]
    if_exists = len(c.args) > 1 and js.value(c.args[1]) is True
    return [DropTable(table=table, if_exists=if_exists, **nm.origin_of(c.node, src))]


def _rename_table(c: js.Call, src: Source) -> list[Operation]:
    old, new = (target(c.args[i]) if len(c.args) > i else "" for i in (0, 1))
    if not (old and new):
        return [nm.unparsed(c.node, src, "the tables of `renameTable` are computed at run time")]
    return [RenameTable(table=old, new_name=new, **nm.origin_of(c.node, src))]


def _clear_table(c: js.Call, src: Source) -> list[Operation]:
    table = target(c.args[0]) if c.args else ""
    if not table:
        return [nm.unparsed(c.node, src, "the table of `clearTable` is computed at run time")]
    return [Truncate(table=table, **nm.origin_of(c.node, src))]


def _enum_name(table: str, column: str, found: Options) -> str:
    """The enum type TypeORM gives a column on PostgreSQL: its `enumName`, else `<table>_<column>_enum`."""
    named = found.get("enumName")
    return named if isinstance(named, str) and named else f"{table.rsplit('.', 1)[-1]}_{column}_enum"


def _enum_recreated(
    table: str, name: str, old: Options, new: Options, c: js.Call, src: Source
) -> list[Operation]:
    """`changeColumn` of an enum column to other labels: TypeORM renames the type to `…_old`, creates it with the
    new labels, casts the column through text and drops the old type (the statements its PostgreSQL driver
    runs, at the line of the call)."""
    labels = new.get("enum")
    if not isinstance(labels, list) or not labels or not all(isinstance(v, str) for v in labels):
        return []
    column_name = str(new.get("name") or name)
    was, now = _enum_name(table, name, old or new), _enum_name(table, column_name, new)
    listed = ", ".join("'" + str(v).replace("'", "''") + "'" for v in labels)
    statements = (
        f'ALTER TYPE "{was}" RENAME TO "{was}_old"; CREATE TYPE "{now}" AS ENUM({listed}); '
        f'ALTER TABLE "{table}" ALTER COLUMN "{name}" TYPE "{now}" USING "{name}"::"text"::"{now}"; '
        f'DROP TYPE "{was}_old"'
    )
    at = nm.origin_of(c.node, src)
    found = parse_sql(src.path, statements, src.dialect, first_line=at["location"].line)
    return [replace(op, location=at["location"], end_line=at["end_line"]) for op in found]


def _query(c: js.Call, src: Source) -> list[Operation]:
    """`queryRunner.query(sql, [values])`: the driver binds the values to `$1`, `$2` … (or to each `?`)."""
    bound = c.args[1] if len(c.args) > 1 else None
    return nm.sql(c.node, c.args[0] if c.args else None, src, c.name, parameters=bound)


def _transaction(action: str) -> Handler:
    def handler(c: js.Call, src: Source) -> list[Operation]:
        return [Transaction(action=action, **nm.origin_of(c.node, src))]

    return handler


HANDLERS: dict[str, Handler] = {
    "query": _query,
    "addColumn": _add_columns,
    "addColumns": _add_columns,
    "dropColumn": _drop_columns,
    "dropColumns": _drop_columns,
    "renameColumn": _rename_column,
    "changeColumn": _change_column,
    "createIndex": _create_index,
    "createIndices": _create_index,
    "dropIndex": _drop_index,
    "createForeignKey": _create_foreign_key,
    "createForeignKeys": _create_foreign_key,
    "dropForeignKey": _drop_constraint,
    "createPrimaryKey": _constraint("primary_key"),
    "createUniqueConstraint": _constraint("unique"),
    "createCheckConstraint": _constraint("check"),
    "dropPrimaryKey": _drop_constraint,
    "dropUniqueConstraint": _drop_constraint,
    "dropCheckConstraint": _drop_constraint,
    "createTable": _create_table,
    "dropTable": _drop_table,
    "renameTable": _rename_table,
    "clearTable": _clear_table,
    "startTransaction": _transaction("begin"),
    "commitTransaction": _transaction("commit"),
    "rollbackTransaction": _transaction("rollback"),
}
# Methods that only read the schema or manage the connection: they change nothing.
READS = frozenset(
    {
        "hasTable",
        "hasColumn",
        "hasSchema",
        "hasDatabase",
        "getTable",
        "getTables",
        "getView",
        "getViews",
        "getCurrentSchema",
        "getCurrentDatabase",
        "connect",
        "release",
        "clearSqlMemory",
        "getMemorySql",
    }
)
