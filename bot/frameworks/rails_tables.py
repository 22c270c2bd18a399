"""Rails table blocks: `create_table :t do |t| … end`, `change_table :t do |t| … end`, `add_timestamps`.

`create_table` becomes one CreateTable with its columns (and the indexes and foreign keys declared in the
block); `change_table` becomes one operation per `t.…` call, at the call's own line. `db/schema.rb` is a
list of `create_table` blocks, so the same code reads it.
"""

from __future__ import annotations

import dataclasses

from tree_sitter import Node

from bot.frameworks import rails_schema, ruby
from bot.frameworks.column_types import rails_type
from bot.frameworks.origin import Origin, origin
from bot.frameworks.rails_common import (
    Result,
    Source,
    column,
    foreign_key_name,
    index_name,
    key_action,
    names,
    plural,
    singular,
    sql_literal,
)
from bot.model.findings import Location
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    ColumnSpec,
    CreateTable,
    DropColumn,
    DropTable,
    Operation,
    RawSQL,
)

_COLUMN_TYPES = frozenset(
    {
        "string",
        "text",
        "integer",
        "bigint",
        "smallint",
        "float",
        "decimal",
        "numeric",
        "boolean",
        "date",
        "datetime",
        "timestamp",
        "timestamptz",
        "time",
        "binary",
        "json",
        "jsonb",
        "uuid",
        "citext",
        "inet",
        "cidr",
        "hstore",
        "interval",
        "money",
        "virtual",
        "enum",
    }
)
# `t.…` calls of change_table and the statement each one stands for (the table comes from the block).
_CHANGE_TABLE = {
    "remove": "remove_columns",
    "rename": "rename_column",
    "change": "change_column",
    "index": "add_index",
    "remove_index": "remove_index",
    "change_default": "change_column_default",
    "change_null": "change_column_null",
    "references": "add_reference",
    "belongs_to": "add_reference",
    "remove_references": "remove_reference",
    "remove_belongs_to": "remove_reference",
    "column": "add_column",
}


def statement(c: ruby.Call, src: Source) -> Result | None:
    if c.name == "create_table":
        return _create_table(c, src)
    if c.name == "change_table":
        return _change_table(c, src)
    if c.name == "add_timestamps":
        return _add_timestamps(c, src)
    if c.name == "remove_timestamps":
        return _remove_timestamps(c, src)
    if c.name == "create_join_table":
        return _join_table(c, src)
    return None


def _create_table(c: ruby.Call, src: Source) -> Result:
    table = _name(c)
    columns: list[ColumnSpec] = []
    extra: list[Operation] = []
    id_option = c.option("id", src.key_type)
    if id_option is not False:
        key = c.option("primary_key", "id")
        id_type = src.key_type if id_option is True else str(id_option)
        columns.append(
            ColumnSpec(
                name=str(key),
                type=rails_type(id_type, {}, src.dialect),
                nullable=False,
                primary_key=True,
                identity=True,
            )
        )
    alternatives = _alternative_declarations(c.block, src)
    for node in ruby.statements(c.block, src.dialect):
        inner = ruby.call(node)
        if inner is None or inner.receiver is None or node.start_byte in alternatives:
            continue
        columns.extend(_columns(inner, src))
        extra.extend(_block_extras(inner, table, src))
    guarded = c.option("if_not_exists") is True
    keys: tuple[AddConstraint, ...] = ()
    if guarded:
        # `create_table … if_not_exists: true`: Rails creates the block's indexes `IF NOT EXISTS` too, and its
        # foreign keys and checks inside the CREATE TABLE, which does nothing where the table exists already
        keys = tuple(e for e in extra if isinstance(e, AddConstraint))
        extra = [
            dataclasses.replace(e, if_not_exists=True) if isinstance(e, AddIndex) else e
            for e in extra
            if not isinstance(e, AddConstraint)
        ]
    op = CreateTable(
        table=table,
        columns=tuple(columns),
        if_not_exists=guarded,
        constraints=keys,
        location=Location(src.path, c.line),
        end_line=c.end_line,
        sql=ruby.text_of(c.node),
    )
    force = c.option("force")
    if (force is True or force == "cascade") and not src.path.endswith("schema.rb"):
        # `force: true` drops the table first, rows and all (`DROP TABLE IF EXISTS`, `CASCADE` with `:cascade`);
        # a schema dump's tables are loaded so into an empty database
        drop = DropTable(
            table=table,
            if_exists=True,
            cascade=force == "cascade",
            location=op.location,
            end_line=op.end_line,
            sql=op.sql,
        )
        return Result((drop, op, *extra))
    return Result((op, *extra))


def _columns(c: ruby.Call, src: Source) -> list[ColumnSpec]:
    if c.name == "timestamps":
        return [
            ColumnSpec(
                name=n,
                type=rails_type("datetime", {}, src.dialect),
                nullable=c.option("null", src.nullable_timestamps) is True,
                default=sql_literal(c.option("default")) if "default" in c.options else None,
            )
            for n in ("created_at", "updated_at")
        ]
    if c.name in ("references", "belongs_to"):
        type_name = str(c.option("type", src.key_type))
        return [
            ColumnSpec(
                name=f"{_text(arg)}_id",
                type=rails_type(type_name, {}, src.dialect),
                nullable=c.option("null", True) is not False,
            )  # its foreign key, when asked for, is the AddConstraint `_block_extras` adds
            for arg in c.args
        ]
    if c.name in _COLUMN_TYPES or c.name == "column":
        names = c.args if c.name != "column" else c.args[:1]
        type_name = c.name if c.name != "column" else _text(c.args[1]) if len(c.args) > 1 else "string"
        return [column(_text(arg), type_name, c, src) for arg in names]
    return []


def _alternative_declarations(block: Node | None, src: Source) -> set[int]:
    """Column declarations in the `else` of an `if` whose first branch declares the same columns
    (`if connection.supports_datetime_with_precision? … t.datetime :created_at, precision: 6 … else
    t.datetime :created_at … end`): one branch runs, so the table gets the column once. Their start bytes."""
    found: set[int] = set()
    stack = [block] if block is not None else []
    while stack:
        node = stack.pop()
        stack.extend(node.named_children)
        if node.type not in ("if", "unless"):
            continue
        first = node.child_by_field_name("consequence")
        declared = {col.name for inner in _calls(first) for col in _columns(inner[1], src)}
        branch = node.child_by_field_name("alternative")
        for start, inner in _calls(branch):
            if {col.name for col in _columns(inner, src)} & declared:
                found.add(start)
    return found


def _calls(body: Node | None) -> list[tuple[int, ruby.Call]]:
    """The calls a branch makes on a receiver (`t.datetime …`), with their start bytes."""
    found = []
    for node in ruby.statements(body) if body is not None else ():
        inner = ruby.call(node)
        if inner is not None and inner.receiver is not None:
            found.append((node.start_byte, inner))
    return found


def _block_extras(c: ruby.Call, table: str, src: Source) -> list[Operation]:
    """Indexes and foreign keys declared inside a create_table block (on a new table: never locking)."""
    base = origin(src.path, c.line, c.end_line, ruby.text_of(c.node))
    if c.name == "index":
        raw = ruby.value(c.args[0]) if c.args else None
        columns = (
            tuple(str(v) for v in raw)
            if isinstance(raw, list)
            else (str(raw),)
            if isinstance(raw, str)
            else ()
        )
        name = c.option("name")
        return [
            AddIndex(
                table=table,
                name=name if isinstance(name, str) else index_name(table, columns, src.short_index_names),
                columns=columns,
                unique=c.option("unique") is True,
                **base,
            )
        ]
    if c.name in ("references", "belongs_to"):
        return _reference_extras(c, table, base, src.short_index_names)
    index = c.option("index")
    if c.name in _COLUMN_TYPES and index not in (None, False):  # `t.integer :user_id, index: true`
        unique = isinstance(index, dict) and index.get("unique") is True
        return [
            AddIndex(
                table=table,
                name=index_name(table, (_text(a),), src.short_index_names),
                columns=(_text(a),),
                unique=unique,
                **base,
            )
            for a in c.args
        ]
    if c.name == "foreign_key" and c.args:
        target = _text(c.args[0])
        columns = names(c.option("column")) or (f"{singular(target)}_id",)
        name = c.option("name")
        return [
            AddConstraint(
                table=table,
                name=name if isinstance(name, str) else foreign_key_name(table, columns),
                constraint="foreign_key",
                columns=columns,
                references=target,
                on_delete=key_action(c.option("on_delete")),
                **base,
            )
        ]
    if c.name == "check_constraint":
        return [
            AddConstraint(
                table=table,
                name=str(c.option("name", "")),
                constraint="check",
                expression_sql=_text(c.args[0]) if c.args else "",
                **base,
            )
        ]
    return []


def _reference_extras(c: ruby.Call, table: str, base: Origin, short: bool = True) -> list[Operation]:
    """`t.references :user` indexes `user_id` (unless `index: false`) and, with `foreign_key:`, adds the
    foreign key to the plural table."""
    found: list[Operation] = []
    index = c.option("index", True)
    for a in c.args:
        columns = (f"{_text(a)}_type", f"{_text(a)}_id") if c.option("polymorphic") else (f"{_text(a)}_id",)
        if index is not False:
            unique = isinstance(index, dict) and index.get("unique") is True
            found.append(
                AddIndex(
                    table=table,
                    name=index_name(table, columns, short),
                    columns=columns,
                    unique=unique,
                    **base,
                )
            )
        if c.option("foreign_key") and not c.option("polymorphic"):
            found.append(
                AddConstraint(
                    table=table,
                    name=foreign_key_name(table, (f"{_text(a)}_id",)),
                    constraint="foreign_key",
                    columns=(f"{_text(a)}_id",),
                    references=_foreign_table(c.option("foreign_key")) or plural(_text(a)),
                    on_delete=_on_delete(c.option("foreign_key")),
                    **base,
                )
            )
    return found


def _foreign_table(foreign: object) -> str:
    """`foreign_key: { to_table: :accounts }` → accounts."""
    target = foreign.get("to_table") if isinstance(foreign, dict) else None
    return str(target or "").lstrip(":")


def _change_table(c: ruby.Call, src: Source) -> Result:
    table = _name(c)
    ops: list[Operation] = []
    undo: list[Operation | None] = []
    reasons: list[str] = []
    for node in ruby.statements(c.block, src.dialect):
        inner = ruby.call(node)
        if inner is None:
            continue
        if inner.receiver is None:
            # `remove_column :t, :c` written inside the block (common with `bulk: true`) is a statement of
            # its own, naming its table
            found = statement(inner, src) or rails_schema.statement(inner, src)
            if found is None:
                continue
            result = found
        else:
            result = _table_call(inner, table, src)
        ops.extend(result.ops)
        undo.extend(result.undo or (None,) * len(result.ops))
        if result.irreversible:
            reasons.append(result.irreversible)
    return Result(tuple(ops), reasons[0] if reasons else "", tuple(undo) if any(undo) else ())


def _table_call(c: ruby.Call, table: str, src: Source) -> Result:
    base = origin(src.path, c.line, c.end_line, ruby.text_of(c.node))
    if c.name in _COLUMN_TYPES or c.name == "timestamps":
        columns = _columns(c, src)
        return Result(tuple(AddColumn(table=table, column=spec, **base) for spec in columns))
    renamed = ruby.Call(_CHANGE_TABLE.get(c.name, c.name), c.node, c.receiver, c.args, c.options, c.block)
    result = rails_schema.in_table(renamed, src, table)
    if result is None:
        return Result((RawSQL(category=f"change_table.{c.name}", table=table, **base),))
    return result


def _add_timestamps(c: ruby.Call, src: Source) -> Result:
    table = _name(c)
    base = origin(src.path, c.line, c.end_line, ruby.text_of(c.node))
    nullable = c.option("null", src.nullable_timestamps) is not False
    default = c.option("default")
    ops = tuple(
        AddColumn(
            table=table,
            column=ColumnSpec(
                name=n,
                type=rails_type("datetime", {}, src.dialect),
                nullable=nullable,
                default=sql_literal(default) if "default" in c.options else None,
            ),
            **base,
        )
        for n in ("created_at", "updated_at")
    )
    return Result(ops)


def _remove_timestamps(c: ruby.Call, src: Source) -> Result:
    table = _name(c)
    base = origin(src.path, c.line, c.end_line, ruby.text_of(c.node))
    return Result(tuple(DropColumn(table=table, column=n, **base) for n in ("created_at", "updated_at")))


def _join_table(c: ruby.Call, src: Source) -> Result:
    first, second = (_text(a) for a in c.args[:2]) if len(c.args) >= 2 else ("", "")
    name = c.option("table_name")
    table = name if isinstance(name, str) else "_".join(sorted((first, second)))
    columns = tuple(
        ColumnSpec(name=f"{singular(t)}_id", type=rails_type(src.key_type, {}, src.dialect), nullable=False)
        for t in (first, second)
    )
    op = CreateTable(
        table=table,
        columns=columns,
        location=Location(src.path, c.line),
        end_line=c.end_line,
        sql=ruby.text_of(c.node),
    )
    return Result((op,))


def _name(c: ruby.Call) -> str:
    return _text(c.args[0]) if c.args else ""


def _text(node: Node | None) -> str:
    found = ruby.value(node) if node is not None else None
    return str(found) if isinstance(found, str) else ""


def _on_delete(foreign: object) -> str:
    """`cascade` from `foreign_key: { on_delete: :cascade }`; "" when the option is not a hash or lacks it."""
    action = foreign.get("on_delete") if isinstance(foreign, dict) else None
    return key_action(action)
