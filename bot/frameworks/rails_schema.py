"""Rails schema statements (`add_index`, `add_foreign_key`, `execute`, `drop_table`, …) as operations.

Used for migrations and for `db/schema.rb`. Each statement gives its operations, with the line of the
call, and whether `change` can reverse it (`remove_column` without a type cannot, nor can `execute`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable

from bot.frameworks import rails_columns, ruby
from bot.frameworks.rails_common import (
    Handler,
    Result,
    Source,
    argument,
    foreign_key_name,
    index_name,
    key_action,
    names,
    origin_of,
    singular,
)
from bot.frameworks.sqlfile import parse_sql
from bot.model.migration import (
    AddConstraint,
    AddEnumValue,
    AddIndex,
    CreateEnum,
    DropConstraint,
    DropIndex,
    DropTable,
    RawSQL,
    RenameTable,
    Unparsed,
    ValidateConstraint,
)


def statement(c: ruby.Call, src: Source) -> Result | None:
    """The operations of one schema statement; None when the call is not one."""
    handler = _HANDLERS.get(c.name)
    return handler(c, src) if handler is not None else None


def _add_index(c: ruby.Call, src: Source, table: str = "") -> Result:
    offset = 0 if table else 1
    table = table or argument(c, 0)
    raw = ruby.value(c.args[offset]) if len(c.args) > offset else None
    # a string that is not a column name is an expression (`"lower(email)"`): kept as written
    columns = names(raw) if not isinstance(raw, str) or re.fullmatch(r"\w+", raw) else (raw.strip(),)
    name = c.option("name")
    op = AddIndex(
        table=table,
        name=str(name)
        if isinstance(name, str)
        else index_name(
            table,
            tuple(re.sub(r"\W+", "_", c).strip("_") for c in columns) or ("expression",),
            src.short_index_names,
        ),
        columns=columns,
        unique=c.option("unique") is True,
        concurrently=c.option("algorithm") == "concurrently",
        if_not_exists=c.option("if_not_exists") is True,
        where=str(where) if isinstance(where := c.option("where"), str) else "",
        method=str(using) if isinstance(using := c.option("using"), str) else "",
        **origin_of(c, src),
    )
    return Result((op,))


def _remove_index(c: ruby.Call, src: Source, table: str = "") -> Result:
    offset = 0 if table else 1
    table = table or argument(c, 0)
    columns = names(ruby.value(c.args[offset])) if len(c.args) > offset else names(c.option("column"))
    name = c.option("name")
    op = DropIndex(
        name=str(name) if isinstance(name, str) else index_name(table, columns, src.short_index_names),
        table=table,
        concurrently=c.option("algorithm") == "concurrently",
        if_exists=c.option("if_exists") is True,
        columns=() if isinstance(name, str) else columns,
        **origin_of(c, src),
    )
    return Result((op,), "" if columns else "`remove_index` by name only cannot be reversed by `change`")


def _add_foreign_key(c: ruby.Call, src: Source) -> Result:
    table, target = argument(c, 0), argument(c, 1)
    columns = names(c.option("column")) or (f"{singular(target)}_id",)
    name = c.option("name")
    op = AddConstraint(
        table=table,
        name=str(name) if isinstance(name, str) else foreign_key_name(table, columns),
        constraint="foreign_key",
        columns=columns,
        references=target,
        referenced_columns=names(c.option("primary_key")),
        not_valid=c.option("validate") is False,
        on_delete=key_action(c.option("on_delete")),
        **origin_of(c, src),
    )
    return Result((op,))


def _add_check_constraint(c: ruby.Call, src: Source) -> Result:
    table, expression = argument(c, 0), argument(c, 1)
    name = c.option("name")
    op = AddConstraint(
        table=table,
        name=str(name) if isinstance(name, str) else check_name(table, str(expression)),
        constraint="check",
        expression_sql=expression,
        not_valid=c.option("validate") is False,
        **origin_of(c, src),
    )
    return Result((op,))


def _add_unique_constraint(c: ruby.Call, src: Source) -> Result:
    """`add_unique_constraint :t, [:a, :b]` builds its index under the lock; `using_index:` attaches one."""
    table = argument(c, 0)
    columns = names(ruby.value(c.args[1])) if len(c.args) > 1 else ()
    using = c.option("using_index")
    name = c.option("name")
    op = AddConstraint(
        table=table,
        name=str(name) if isinstance(name, str) else f"uniq_rails_{table}_{'_'.join(columns)}",
        constraint="unique",
        columns=columns,
        using_index=str(using) if isinstance(using, str) else None,
        **origin_of(c, src),
    )
    return Result((op,))


def _add_exclusion_constraint(c: ruby.Call, src: Source) -> Result:
    table, expression = argument(c, 0), argument(c, 1)
    name = c.option("name")
    op = AddConstraint(
        table=table,
        name=str(name) if isinstance(name, str) else f"excl_rails_{table}",
        constraint="exclusion",
        expression_sql=str(expression),
        **origin_of(c, src),
    )
    return Result((op,))


def check_name(table: str, expression: str) -> str:
    """The name Rails gives an unnamed check constraint: a hash of the table and the expression."""
    digest = hashlib.sha256(f"{table}_{expression}_chk".encode()).hexdigest()
    return f"chk_rails_{digest[:10]}"


def _validate(c: ruby.Call, src: Source) -> Result:
    table, second = argument(c, 0), argument(c, 1)
    name = c.option("name")
    if not isinstance(name, str):
        column = names(c.option("column")) or (f"{singular(second)}_id",)
        name = foreign_key_name(table, column) if c.name == "validate_foreign_key" else second
    return Result((ValidateConstraint(table=table, name=name, **origin_of(c, src)),), "")


def _remove_constraint(c: ruby.Call, src: Source) -> Result:
    table, second = argument(c, 0), argument(c, 1)
    name = c.option("name")
    target, column = "", tuple[str, ...]()
    if not isinstance(name, str) and c.name == "remove_foreign_key":
        # the key by the name `add_foreign_key` is read under: its column, or the target table's `<singular>_id`
        target = second or str(c.option("to_table") or "")
        column = names(c.option("column"))
        name = foreign_key_name(table, column or (f"{singular(target)}_id",)) if column or target else None
    op = DropConstraint(
        table=table,
        name=str(name) if isinstance(name, str) else second,
        if_exists=c.option("if_exists") is True,
        references=target,
        columns=tuple(column),
        **origin_of(c, src),
    )
    return Result(
        (op,),
        ""
        if second and c.name == "remove_foreign_key"
        else f"`{c.name}` needs its definition to be reversed",
    )


def _drop_table(c: ruby.Call, src: Source) -> Result:
    op = DropTable(
        table=argument(c, 0),
        if_exists=c.option("if_exists") is True,
        cascade=c.option("force") == "cascade",
        **origin_of(c, src),
    )
    return Result(
        (op,),
        "" if c.block is not None else "`drop_table` without its definition cannot be reversed by `change`",
    )


def _rename_table(c: ruby.Call, src: Source) -> Result:
    return Result((RenameTable(table=argument(c, 0), new_name=argument(c, 1), **origin_of(c, src)),))


def _execute(c: ruby.Call, src: Source) -> Result:
    found = ruby.sql_text(c.args[0], src.heredocs, src.constants) if c.args else None
    if found is None and c.args and c.args[0].type in ("constant", "scope_resolution") and src.held:
        found = _constant_sql(src.held(ruby.text_of(c.args[0])), c.line)
    if found is None:
        error = "the SQL is built at run time, so it could not be read"
        return Result(
            (Unparsed(error=error, **origin_of(c, src)),), "`execute` cannot be reversed by `change`"
        )
    text, line = found
    return Result(
        parse_sql(src.path, text, src.dialect, first_line=line), "`execute` cannot be reversed by `change`"
    )


def _as_sql(build: Callable[[ruby.Call], str | None], reversible: bool) -> Handler:
    """A schema method of Rails read as the statement it sends (`truncate :orders` is `TRUNCATE orders`), every
    operation placed at the method's lines and written as the method was."""

    def handler(c: ruby.Call, src: Source) -> Result:
        text = build(c)
        why = "" if reversible else f"`{c.name}` cannot be reversed by `change`"
        if not text:
            error = f"the arguments of `{c.name}` could not be read"
            return Result((Unparsed(error=error, **origin_of(c, src)),), why)
        ops = parse_sql(src.path, text, src.dialect, first_line=c.line)
        placed = tuple(dataclasses.replace(op, end_line=c.end_line, sql=ruby.text_of(c.node)) for op in ops)
        return Result(placed, why)

    return handler


def _listed(c: ruby.Call) -> list[str]:
    return [str(v) for a in c.args if isinstance(v := ruby.value(a), str) and re.fullmatch(r"[\w.]+", v)]


def _joined(c: ruby.Call) -> str | None:
    """`drop_join_table :users, :roles`: the table `create_join_table` makes (`roles_users`), or its `table_name:`."""
    name = c.option("table_name")
    tables = _listed(c)[:2]
    table = name if isinstance(name, str) else "_".join(sorted(tables)) if len(tables) == 2 else ""
    return f"DROP TABLE {table}" if table else None


def _naming(template: str) -> Callable[[ruby.Call], str | None]:
    """The statement `template` writes with the names the call gives: the first as `{name}`, all as `{names}`,
    and its `if_exists: true` as `{guard}`; None when it gives none."""

    def build(c: ruby.Call) -> str | None:
        listed = _listed(c)
        guard = " IF EXISTS" if c.option("if_exists") is True else ""
        return template.format(name=listed[0], names=", ".join(listed), guard=guard) if listed else None

    return build


def _enum_value_renamed(c: ruby.Call) -> str | None:
    old, new = c.option("from"), c.option("to")
    listed = _listed(c)
    if not listed or not isinstance(old, str) or not isinstance(new, str):
        return None
    quoted = "'" + old.replace("'", "''") + "'", "'" + new.replace("'", "''") + "'"
    return f"ALTER TYPE {listed[0]} RENAME VALUE {quoted[0]} TO {quoted[1]}"


def _constant_sql(held: ruby.Value, line: int) -> tuple[str, int] | None:
    """The SQL a constant holds (`execute DatabaseFunctions::API_RATE_LIMIT`, defined in `lib/`), its
    `#{…}` read as values the code fills in; placed at the line of the `execute`."""
    if isinstance(held, str):
        return held.strip(), line
    if not isinstance(held, ruby.Code):
        return None
    root = ruby.parse(held.text)
    found = ruby.sql_text(root.named_children[0], {}) if root.named_child_count == 1 else None
    return (found[0].strip(), line) if found is not None else None


def _create_enum(c: ruby.Call, src: Source) -> Result:
    values = ruby.value(c.args[1]) if len(c.args) > 1 else []
    op = CreateEnum(name=argument(c, 0), values=names(values), **origin_of(c, src))
    return Result((op,))


def _add_enum_value(c: ruby.Call, src: Source) -> Result:
    op = AddEnumValue(name=argument(c, 0), value=argument(c, 1), **origin_of(c, src))
    return Result((op,), "`add_enum_value` cannot be reversed: PostgreSQL cannot drop an enum value")


def _raw(category: str, reversible: bool = True) -> Handler:
    def handler(c: ruby.Call, src: Source) -> Result:
        op = RawSQL(
            category=category, table=argument(c, 0) if category != "extension" else "", **origin_of(c, src)
        )
        return Result((op,), "" if reversible else f"`{c.name}` cannot be reversed by `change`")

    return handler


def _definition(category: str) -> Handler:
    """Scenic's `create_view :name, sql_definition: <<-SQL` and fx's `create_function` / `create_trigger`
    (how `db/schema.rb` keeps them): the SQL is read like any other, so the review knows what the view,
    function or trigger uses. Without a definition it stays a statement of its kind."""
    plain = _raw(category)

    def handler(c: ruby.Call, src: Source) -> Result:
        definition = c.options.get("sql_definition")
        found = ruby.sql_text(definition, src.heredocs) if definition is not None else None
        path = src.path
        if found is None and definition is None:
            path, found = versioned_definition(c, src, category)
        if found is None or src.dialect != "postgres":
            return plain(c, src)
        text, line = found
        if category == "view":  # scenic keeps the query only
            materialized = bool(c.option("materialized"))
            kind = "MATERIALIZED VIEW" if materialized else "VIEW"
            if c.name != "create_view" and not materialized:
                kind = f"OR REPLACE {kind}"  # update_view / replace_view: the new version replaces it
            text, line = f"CREATE {kind} {argument(c, 0)} AS\n{text}", line - 1
        ops = tuple(
            op for op in parse_sql(path, text, src.dialect, first_line=line) if isinstance(op, RawSQL)
        )
        return Result(ops or plain(c, src).ops, "")

    return handler


_VERSIONED_FOLDERS = {"view": "views", "function": "functions", "trigger": "triggers"}


def versioned_definition(c: ruby.Call, src: Source, category: str) -> tuple[str, tuple[str, int] | None]:
    """Scenic's `create_view :open_orders, version: 2` and fx's `create_function :f, version: 2` in a
    migration: the definition is the file `db/views/open_orders_v02.sql` (`db/functions/`, `db/triggers/`)
    beside the migrations. (path, (text, first line)), or the migration's path and None."""
    version = c.option("version")
    name = argument(c, 0)
    if src.tree is None or not isinstance(version, int) or isinstance(version, bool) or not name:
        return src.path, None
    root = src.path.rpartition("db/migrate/")[0] if "db/migrate/" in src.path else ""
    path = f"{root}db/{_VERSIONED_FOLDERS[category]}/{name}_v{version:02d}.sql"
    text = src.tree.read(path)
    return (path, (text, 1)) if text is not None else (src.path, None)


def _dropped(category: str) -> Handler:
    def handler(c: ruby.Call, src: Source) -> Result:
        op = RawSQL(category=category, table=argument(c, 0), **origin_of(c, src))
        return Result((op,), "")

    return handler


_HANDLERS: dict[str, Handler] = {
    **rails_columns.HANDLERS,
    "add_index": _add_index,
    "remove_index": _remove_index,
    "add_foreign_key": _add_foreign_key,
    "add_check_constraint": _add_check_constraint,
    "add_unique_constraint": _add_unique_constraint,
    "add_exclusion_constraint": _add_exclusion_constraint,
    "remove_unique_constraint": _remove_constraint,
    "remove_exclusion_constraint": _remove_constraint,
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
    "drop_enum": _as_sql(_naming("DROP TYPE{guard} {name}"), False),
    "rename_enum_value": _as_sql(_enum_value_renamed, True),
    "drop_join_table": _as_sql(_joined, True),  # reversed by `create_join_table` with the same arguments
    "truncate": _as_sql(_naming("TRUNCATE TABLE {name}"), False),
    "truncate_tables": _as_sql(_naming("TRUNCATE TABLE {names}"), False),
    "create_schema": _as_sql(_naming("CREATE SCHEMA {name}"), True),
    "drop_schema": _as_sql(_naming("DROP SCHEMA{guard} {name}"), False),
    "create_virtual_table": _raw("virtual-table"),
    "drop_virtual_table": _raw("drop-virtual-table"),  # given its definition, as Rails requires
    "enable_extension": _raw("extension"),
    "disable_extension": _raw("extension"),
    "change_column_comment": _raw("comment"),
    "change_table_comment": _raw("comment"),
    "rename_index": _raw("rename_index"),
    "create_view": _definition("view"),
    "drop_view": _dropped("drop-view"),
    "update_view": _definition("view"),
    "replace_view": _definition("view"),
    "create_function": _definition("function"),
    "create_trigger": _definition("trigger"),
    "drop_function": _dropped("drop-function"),
    "drop_trigger": _dropped("drop-trigger"),
}

_TABLE_SCOPED: dict[str, Callable[..., Result]] = {
    **rails_columns.HANDLERS,
    "add_index": _add_index,
    "remove_index": _remove_index,
}


def in_table(c: ruby.Call, src: Source, table: str) -> Result | None:
    """A statement written inside `change_table :table do |t|` (`t.remove`, `t.index`, …)."""
    handler = _TABLE_SCOPED.get(c.name)
    return handler(c, src, table) if handler is not None else None
