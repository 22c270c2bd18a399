"""Rails schema statements (`add_column`, `create_table … do |t|`, `add_index`, …) as operations.

Used for migrations and for `db/schema.rb`. Each statement gives its operations, with the line of the
call, and whether `change` can reverse it (`remove_column` without a type cannot, nor can `execute`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from tree_sitter import Node

from bot.findings import Location
from bot.frameworks import ruby
from bot.frameworks.column_types import rails_type
from bot.frameworks.origin import Origin
from bot.frameworks.sqlfile import parse_sql
from bot.migration import (
    AddColumn,
    AddConstraint,
    AddEnumValue,
    AddIndex,
    AlterColumnType,
    ColumnSpec,
    CreateEnum,
    DataUpdate,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropNotNull,
    DropTable,
    Operation,
    RawSQL,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetNotNull,
    Unparsed,
    ValidateConstraint,
)
from bot.names import VOLATILE_FUNCTIONS

_VOLATILE = re.compile(r"\b(" + "|".join(sorted(VOLATILE_FUNCTIONS)) + r")\s*\(", re.I)


@dataclass(frozen=True)
class Source:
    path: str
    dialect: str
    heredocs: dict[int, Node]


@dataclass(frozen=True)
class Result:
    ops: tuple[Operation, ...]
    irreversible: str = ""  # why `change` cannot reverse the statement, when it cannot


Handler = Callable[[ruby.Call, Source], Result]


def statement(c: ruby.Call, src: Source) -> Result | None:
    """The operations of one schema statement; None when the call is not one."""
    handler = _HANDLERS.get(c.name)
    return handler(c, src) if handler is not None else None


def _base(c: ruby.Call, src: Source) -> Origin:
    return {"location": Location(src.path, c.line), "end_line": c.end_line, "sql": ruby.text_of(c.node)}


def _arg(c: ruby.Call, index: int) -> str:
    found = ruby.value(c.args[index]) if len(c.args) > index else None
    return str(found) if isinstance(found, str | int) and not isinstance(found, bool) else ""


def _names(node_value: ruby.Value) -> tuple[str, ...]:
    if isinstance(node_value, list):
        return tuple(str(v) for v in node_value if isinstance(v, str))
    return (node_value,) if isinstance(node_value, str) else ()


def _sql_literal(value: ruby.Value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, ruby.Code):
        inner = re.search(r"""->\s*\{\s*["'](.*)["']\s*\}""", value.text, re.S)
        return inner.group(1) if inner else value.text
    return "'" + str(value).replace("'", "''") + "'"


def column(name: str, type_name: str, c: ruby.Call, src: Source) -> ColumnSpec:
    options = {key: ruby.value(node) for key, node in c.options.items()}
    default = _sql_literal(options.get("default")) if "default" in options else None
    return ColumnSpec(
        name=name,
        type=rails_type(type_name, options, src.dialect),
        nullable=options.get("null", True) is not False,
        default=default,
        volatile_default=bool(default and _VOLATILE.search(default)),
        primary_key=options.get("primary_key") is True,
        generated=type_name == "virtual" and options.get("stored") is True,
    )


def _add_column(c: ruby.Call, src: Source, table: str = "") -> Result:
    offset = 0 if table else 1
    table = table or _arg(c, 0)
    name, type_name = _arg(c, offset), _arg(c, offset + 1) or "string"
    return Result((AddColumn(table=table, column=column(name, type_name, c, src), **_base(c, src)),))


def _remove_column(c: ruby.Call, src: Source, table: str = "") -> Result:
    offset = 0 if table else 1
    table = table or _arg(c, 0)
    names = [str(ruby.value(a)) for a in c.args[offset:] if isinstance(ruby.value(a), str)]
    typed = (c.name == "remove_column" and len(c.args) > offset + 1) or "type" in c.options
    ops = tuple(DropColumn(table=table, column=n, **_base(c, src)) for n in (names[:1] if typed else names))
    why = "" if typed else f"`{c.name}` without the column's type cannot be reversed by `change`"
    return Result(ops, why)


def _rename_column(c: ruby.Call, src: Source, table: str = "") -> Result:
    offset = 0 if table else 1
    table = table or _arg(c, 0)
    op = RenameColumn(table=table, column=_arg(c, offset), new_name=_arg(c, offset + 1), **_base(c, src))
    return Result((op,))


def _change_column(c: ruby.Call, src: Source, table: str = "") -> Result:
    offset = 0 if table else 1
    table = table or _arg(c, 0)
    name = _arg(c, offset)
    spec = column(name, _arg(c, offset + 1), c, src)
    ops: list[Operation] = [AlterColumnType(table=table, column=name, new_type=spec.type, **_base(c, src))]
    if "null" in c.options:
        kind = DropNotNull if spec.nullable else SetNotNull
        ops.append(kind(table=table, column=name, **_base(c, src)))
    if "default" in c.options:
        ops.append(
            SetDefault(
                table=table,
                column=name,
                default=spec.default,
                volatile=spec.volatile_default,
                **_base(c, src),
            )
        )
    return Result(tuple(ops), "`change_column` cannot be reversed by `change`: the previous type is unknown")


def _change_column_null(c: ruby.Call, src: Source, table: str = "") -> Result:
    offset = 0 if table else 1
    table = table or _arg(c, 0)
    name = _arg(c, offset)
    allow = ruby.value(c.args[offset + 1]) if len(c.args) > offset + 1 else True
    ops: list[Operation] = []
    if len(c.args) > offset + 2:  # the replacement for NULLs: Rails runs an UPDATE first
        replacement = _sql_literal(ruby.value(c.args[offset + 2])) or "NULL"
        ops.append(
            DataUpdate(
                table=table,
                assignments=((name, replacement),),
                where=f"{name} IS NULL",
                reads=(name,),
                **_base(c, src),
            )
        )
    kind = DropNotNull if allow is not False else SetNotNull
    ops.append(kind(table=table, column=name, **_base(c, src)))
    return Result(tuple(ops))


def _change_column_default(c: ruby.Call, src: Source, table: str = "") -> Result:
    offset = 0 if table else 1
    table = table or _arg(c, 0)
    name = _arg(c, offset)
    has_to = "to" in c.options
    raw = c.option("to") if has_to else (ruby.value(c.args[offset + 1]) if len(c.args) > offset + 1 else None)
    default = _sql_literal(raw)
    op = SetDefault(
        table=table,
        column=name,
        default=default,
        volatile=bool(default and _VOLATILE.search(default)),
        **_base(c, src),
    )
    return Result(
        (op,),
        ""
        if has_to and "from" in c.options
        else "`change_column_default` without `from:` and `to:` cannot be reversed by `change`",
    )


def index_name(table: str, columns: tuple[str, ...]) -> str:
    return f"index_{table}_on_{'_and_'.join(columns)}"


def _add_index(c: ruby.Call, src: Source, table: str = "") -> Result:
    offset = 0 if table else 1
    table = table or _arg(c, 0)
    raw = ruby.value(c.args[offset]) if len(c.args) > offset else None
    columns = _names(raw) if not isinstance(raw, str) or re.fullmatch(r"\w+", raw) else ()
    name = c.option("name")
    op = AddIndex(
        table=table,
        name=str(name) if isinstance(name, str) else index_name(table, columns or ("expression",)),
        columns=columns,
        unique=c.option("unique") is True,
        concurrently=c.option("algorithm") == "concurrently",
        if_not_exists=c.option("if_not_exists") is True,
        **_base(c, src),
    )
    return Result((op,))


def _remove_index(c: ruby.Call, src: Source, table: str = "") -> Result:
    offset = 0 if table else 1
    table = table or _arg(c, 0)
    columns = _names(ruby.value(c.args[offset])) if len(c.args) > offset else _names(c.option("column"))
    name = c.option("name")
    op = DropIndex(
        name=str(name) if isinstance(name, str) else index_name(table, columns),
        table=table,
        concurrently=c.option("algorithm") == "concurrently",
        if_exists=c.option("if_exists") is True,
        **_base(c, src),
    )
    return Result((op,), "" if columns else "`remove_index` by name only cannot be reversed by `change`")


def _add_reference(c: ruby.Call, src: Source, table: str = "") -> Result:
    offset = 0 if table else 1
    table = table or _arg(c, 0)
    ref = _arg(c, offset)
    options = {key: ruby.value(node) for key, node in c.options.items()}
    type_name = str(options.get("type", "bigint"))
    spec = ColumnSpec(
        name=f"{ref}_id",
        type=rails_type(type_name, {}, src.dialect),
        nullable=options.get("null", True) is not False,
    )
    ops: list[Operation] = [AddColumn(table=table, column=spec, **_base(c, src))]
    index = options.get("index", True)
    if index is not False:
        concurrent = isinstance(index, dict) and index.get("algorithm") == "concurrently"
        unique = isinstance(index, dict) and index.get("unique") is True
        ops.append(
            AddIndex(
                table=table,
                name=index_name(table, (spec.name,)),
                columns=(spec.name,),
                unique=unique,
                concurrently=concurrent,
                **_base(c, src),
            )
        )
    foreign = options.get("foreign_key")
    if foreign:
        target = str(foreign.get("to_table", plural(ref))) if isinstance(foreign, dict) else plural(ref)
        valid = not (isinstance(foreign, dict) and foreign.get("validate") is False)
        ops.append(
            AddConstraint(
                table=table,
                name=f"fk_rails_{table}_{spec.name}",
                constraint="foreign_key",
                columns=(spec.name,),
                references=target,
                not_valid=not valid,
                **_base(c, src),
            )
        )
    return Result(tuple(ops))


def _remove_reference(c: ruby.Call, src: Source, table: str = "") -> Result:
    offset = 0 if table else 1
    table = table or _arg(c, 0)
    op = DropColumn(table=table, column=f"{_arg(c, offset)}_id", **_base(c, src))
    return Result((op,))


def _add_foreign_key(c: ruby.Call, src: Source) -> Result:
    table, target = _arg(c, 0), _arg(c, 1)
    columns = _names(c.option("column")) or (f"{singular(target)}_id",)
    name = c.option("name")
    op = AddConstraint(
        table=table,
        name=str(name) if isinstance(name, str) else f"fk_rails_{table}_{columns[0]}",
        constraint="foreign_key",
        columns=columns,
        references=target,
        not_valid=c.option("validate") is False,
        **_base(c, src),
    )
    return Result((op,))


def _add_check_constraint(c: ruby.Call, src: Source) -> Result:
    table, expression = _arg(c, 0), _arg(c, 1)
    name = c.option("name")
    op = AddConstraint(
        table=table,
        name=str(name) if isinstance(name, str) else f"chk_rails_{table}",
        constraint="check",
        expression_sql=expression,
        not_valid=c.option("validate") is False,
        **_base(c, src),
    )
    return Result((op,))


def _validate(c: ruby.Call, src: Source) -> Result:
    table, second = _arg(c, 0), _arg(c, 1)
    name = c.option("name")
    if not isinstance(name, str):
        name = f"fk_rails_{table}_{singular(second)}_id" if c.name == "validate_foreign_key" else second
    return Result((ValidateConstraint(table=table, name=name, **_base(c, src)),), "")


def _remove_constraint(c: ruby.Call, src: Source) -> Result:
    table, second = _arg(c, 0), _arg(c, 1)
    name = c.option("name")
    op = DropConstraint(
        table=table,
        name=str(name) if isinstance(name, str) else second,
        if_exists=c.option("if_exists") is True,
        **_base(c, src),
    )
    return Result(
        (op,),
        ""
        if second and c.name == "remove_foreign_key"
        else f"`{c.name}` needs its definition to be reversed",
    )


def _drop_table(c: ruby.Call, src: Source) -> Result:
    op = DropTable(
        table=_arg(c, 0),
        if_exists=c.option("if_exists") is True,
        cascade=c.option("force") == "cascade",
        **_base(c, src),
    )
    return Result(
        (op,),
        "" if c.block is not None else "`drop_table` without its definition cannot be reversed by `change`",
    )


def _rename_table(c: ruby.Call, src: Source) -> Result:
    return Result((RenameTable(table=_arg(c, 0), new_name=_arg(c, 1), **_base(c, src)),))


def _execute(c: ruby.Call, src: Source) -> Result:
    found = ruby.sql_text(c.args[0], src.heredocs) if c.args else None
    if found is None:
        error = "the SQL is built at run time, so it could not be read"
        return Result((Unparsed(error=error, **_base(c, src)),), "`execute` cannot be reversed by `change`")
    text, line = found
    return Result(
        parse_sql(src.path, text, src.dialect, first_line=line), "`execute` cannot be reversed by `change`"
    )


def _create_enum(c: ruby.Call, src: Source) -> Result:
    values = ruby.value(c.args[1]) if len(c.args) > 1 else []
    op = CreateEnum(name=_arg(c, 0), values=_names(values), **_base(c, src))
    return Result((op,))


def _add_enum_value(c: ruby.Call, src: Source) -> Result:
    op = AddEnumValue(name=_arg(c, 0), value=_arg(c, 1), **_base(c, src))
    return Result((op,), "`add_enum_value` cannot be reversed: PostgreSQL cannot drop an enum value")


def _raw(category: str, reversible: bool = True) -> Handler:
    def handler(c: ruby.Call, src: Source) -> Result:
        op = RawSQL(category=category, table=_arg(c, 0) if category != "extension" else "", **_base(c, src))
        return Result((op,), "" if reversible else f"`{c.name}` cannot be reversed by `change`")

    return handler


def plural(word: str) -> str:
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


def singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if re.search(r"(ses|xes|zes|ches|shes)$", word):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


_HANDLERS: dict[str, Handler] = {
    "add_column": _add_column,
    "remove_column": _remove_column,
    "remove_columns": _remove_column,
    "rename_column": _rename_column,
    "change_column": _change_column,
    "change_column_null": _change_column_null,
    "change_column_default": _change_column_default,
    "add_index": _add_index,
    "remove_index": _remove_index,
    "add_reference": _add_reference,
    "add_belongs_to": _add_reference,
    "remove_reference": _remove_reference,
    "remove_belongs_to": _remove_reference,
    "add_foreign_key": _add_foreign_key,
    "add_check_constraint": _add_check_constraint,
    "validate_foreign_key": _validate,
    "validate_check_constraint": _validate,
    "validate_constraint": _validate,
    "remove_foreign_key": _remove_constraint,
    "remove_check_constraint": _remove_constraint,
    "drop_table": _drop_table,
    "rename_table": _rename_table,
    "execute": _execute,
    "create_enum": _create_enum,
    "add_enum_value": _add_enum_value,
    "enable_extension": _raw("extension"),
    "disable_extension": _raw("extension"),
    "change_column_comment": _raw("comment"),
    "change_table_comment": _raw("comment"),
    "rename_index": _raw("rename_index"),
    "create_view": _raw("view"),
    "drop_view": _raw("view"),
    "update_view": _raw("view"),
    "replace_view": _raw("view"),
    "create_function": _raw("function"),
    "create_trigger": _raw("trigger"),
}

_TABLE_SCOPED: dict[str, Callable[..., Result]] = {
    "remove_columns": _remove_column,
    "rename_column": _rename_column,
    "change_column": _change_column,
    "add_index": _add_index,
    "remove_index": _remove_index,
    "change_column_default": _change_column_default,
    "change_column_null": _change_column_null,
    "add_reference": _add_reference,
    "remove_reference": _remove_reference,
    "add_column": _add_column,
}


def in_table(c: ruby.Call, src: Source, table: str) -> Result | None:
    """A statement written inside `change_table :table do |t|` (`t.remove`, `t.index`, …)."""
    handler = _TABLE_SCOPED.get(c.name)
    return handler(c, src, table) if handler is not None else None
