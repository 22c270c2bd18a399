"""Rails column statements: `add_column`, `remove_column`, `rename_column`, `change_column`,
`change_column_null`, `change_column_default`, `add_reference` and `remove_reference`.

Each reads the table from its first argument, or from the `change_table` block it is written in.
"""

from __future__ import annotations

from collections.abc import Callable

from tree_sitter import Node

from bot.frameworks import ruby
from bot.frameworks.column_types import rails_type
from bot.frameworks.rails_common import (
    Result,
    Source,
    argument,
    column,
    foreign_key_name,
    index_name,
    key_action,
    origin_of,
    plural,
    sql_literal,
)
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    ColumnSpec,
    DataUpdate,
    DropColumn,
    DropNotNull,
    Operation,
    RenameColumn,
    SetDefault,
    SetNotNull,
)
from bot.sql.names import calls_volatile


def _add_column(c: ruby.Call, src: Source, table: str = "") -> Result:
    offset = 0 if table else 1
    table = table or argument(c, 0)
    name, type_name = argument(c, offset), argument(c, offset + 1) or "string"
    spec = column(name, type_name, c, src)
    guarded = c.option("if_not_exists") is True
    return Result((AddColumn(table=table, column=spec, if_not_exists=guarded, **origin_of(c, src)),))


def _splatted(node: Node) -> Node:
    """The list a splat argument spreads (`*%i[a b]`), or the argument itself."""
    if node.type == "splat_argument" and node.named_children:
        return node.named_children[0]
    return node


def _remove_column(c: ruby.Call, src: Source, table: str = "") -> Result:
    offset = 0 if table else 1
    table = table or argument(c, 0)
    names: list[str] = []
    for a in c.args[offset:]:
        given = ruby.value(_splatted(a))
        # `remove_columns :t, :a, :b` and a splatted list of them: `*%i[a b]`, `*[:a, :b]`
        names += (
            [given]
            if isinstance(given, str)
            else [g for g in given if isinstance(g, str)]
            if (isinstance(given, list) and a.type == "splat_argument")
            else []
        )
    typed = (c.name == "remove_column" and len(c.args) > offset + 1) or "type" in c.options
    single = (
        c.name == "remove_column" and typed
    )  # its second argument is the type; `remove_columns`' `type:` is every column's
    dropped = names[:1] if single else names
    ops = tuple(
        DropColumn(table=table, column=n, if_exists=c.option("if_exists") is True, **origin_of(c, src))
        for n in dropped
    )
    if not typed:
        return Result(ops, f"`{c.name}` without the column's type cannot be reversed by `change`")
    # reversed, Rails adds each column back with the type and options given (`default:`, `null:`)
    type_name = argument(c, offset + 1) if single else str(c.option("type") or "string")
    undo = tuple(
        AddColumn(table=table, column=column(n, type_name, c, src), **origin_of(c, src)) for n in dropped
    )
    return Result(ops, "", undo)


def _rename_column(c: ruby.Call, src: Source, table: str = "") -> Result:
    offset = 0 if table else 1
    table = table or argument(c, 0)
    op = RenameColumn(
        table=table, column=argument(c, offset), new_name=argument(c, offset + 1), **origin_of(c, src)
    )
    return Result((op,))


def _change_column(c: ruby.Call, src: Source, table: str = "") -> Result:
    offset = 0 if table else 1
    table = table or argument(c, 0)
    name = argument(c, offset)
    spec = column(name, argument(c, offset + 1), c, src)
    # `using: "zip::integer"` is the USING clause; `cast_as: :integer` writes `USING CAST(zip AS integer)`
    using = c.option("using")
    cast_as = c.option("cast_as")
    ops: list[Operation] = [
        AlterColumnType(
            table=table,
            column=name,
            new_type=spec.type,
            using=str(using) if using else f"CAST({name} AS {cast_as})" if cast_as else None,
            collation=spec.collation,
            **origin_of(c, src),
        )
    ]
    if "null" in c.options:
        kind = DropNotNull if spec.nullable else SetNotNull
        ops.append(kind(table=table, column=name, **origin_of(c, src)))
    if "default" in c.options:
        ops.append(
            SetDefault(
                table=table,
                column=name,
                default=spec.default,
                volatile=spec.volatile_default,
                **origin_of(c, src),
            )
        )
    return Result(tuple(ops), "`change_column` cannot be reversed by `change`: the previous type is unknown")


def _change_column_null(c: ruby.Call, src: Source, table: str = "") -> Result:
    offset = 0 if table else 1
    table = table or argument(c, 0)
    name = argument(c, offset)
    allow = ruby.value(c.args[offset + 1]) if len(c.args) > offset + 1 else True
    ops: list[Operation] = []
    if len(c.args) > offset + 2:  # the replacement for NULLs: Rails runs an UPDATE first
        replacement = sql_literal(ruby.value(c.args[offset + 2])) or "NULL"
        ops.append(
            DataUpdate(
                table=table,
                assignments=((name, replacement),),
                where=f"{name} IS NULL",
                reads=(name,),
                **origin_of(c, src),
            )
        )
    kind = DropNotNull if allow is not False else SetNotNull
    ops.append(kind(table=table, column=name, **origin_of(c, src)))
    return Result(tuple(ops))


def _change_column_default(c: ruby.Call, src: Source, table: str = "") -> Result:
    offset = 0 if table else 1
    table = table or argument(c, 0)
    name = argument(c, offset)
    has_to = "to" in c.options
    raw = c.option("to") if has_to else (ruby.value(c.args[offset + 1]) if len(c.args) > offset + 1 else None)
    default = sql_literal(raw)
    op = SetDefault(
        table=table,
        column=name,
        default=default,
        volatile=calls_volatile(default),
        **origin_of(c, src),
    )
    return Result(
        (op,),
        ""
        if has_to and "from" in c.options
        else "`change_column_default` without `from:` and `to:` cannot be reversed by `change`",
    )


def _add_reference(c: ruby.Call, src: Source, table: str = "") -> Result:
    offset = 0 if table else 1
    table = table or argument(c, 0)
    ref = argument(c, offset)
    options = {key: ruby.value(node) for key, node in c.options.items()}
    type_name = str(options.get("type", src.key_type))
    spec = ColumnSpec(
        name=f"{ref}_id",
        type=rails_type(type_name, {}, src.dialect),
        nullable=options.get("null", True) is not False,
    )
    guarded = c.option("if_not_exists") is True
    ops: list[Operation] = [AddColumn(table=table, column=spec, if_not_exists=guarded, **origin_of(c, src))]
    index = options.get("index", True)
    if index is not False:
        concurrent = isinstance(index, dict) and index.get("algorithm") == "concurrently"
        unique = isinstance(index, dict) and index.get("unique") is True
        ops.append(
            AddIndex(
                table=table,
                name=index_name(table, (spec.name,), src.short_index_names),
                columns=(spec.name,),
                unique=unique,
                concurrently=concurrent,
                **origin_of(c, src),
            )
        )
    foreign = options.get("foreign_key")
    if foreign:
        target = str(foreign.get("to_table", plural(ref))) if isinstance(foreign, dict) else plural(ref)
        valid = not (isinstance(foreign, dict) and foreign.get("validate") is False)
        ops.append(
            AddConstraint(
                table=table,
                name=foreign_key_name(table, (spec.name,)),
                constraint="foreign_key",
                columns=(spec.name,),
                references=target,
                not_valid=not valid,
                on_delete=key_action(foreign.get("on_delete")) if isinstance(foreign, dict) else "",
                **origin_of(c, src),
            )
        )
    return Result(tuple(ops))


def _remove_reference(c: ruby.Call, src: Source, table: str = "") -> Result:
    offset = 0 if table else 1
    table = table or argument(c, 0)
    op = DropColumn(table=table, column=f"{argument(c, offset)}_id", **origin_of(c, src))
    return Result((op,))


HANDLERS: dict[str, Callable[..., Result]] = {
    "add_column": _add_column,
    "remove_column": _remove_column,
    "remove_columns": _remove_column,
    "rename_column": _rename_column,
    "change_column": _change_column,
    "change_column_null": _change_column_null,
    "change_column_default": _change_column_default,
    "add_reference": _add_reference,
    "add_belongs_to": _add_reference,
    "remove_reference": _remove_reference,
    "remove_belongs_to": _remove_reference,
}
