"""Ecto migration commands as operations: `create table`, `alter table` (`add`, `remove`, `modify`),
`create index`, `drop`, `rename`, `execute`, with what `change` runs to reverse each one.

Each command gives its operations, with the line of the call, and its way back under `change`: Ecto
reverses `create`, `add`, `rename`, `remove` with a type, `modify` with `from:`, and `execute` with down
SQL; `remove` without a type, `modify` without `from:`, `drop table` and one-argument `execute` make the
migration irreversible. Names follow Ecto's conventions (`orders_user_id_index`, `orders_user_id_fkey`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from tree_sitter import Node

from bot.frameworks import elixir
from bot.frameworks.inverse import inverse
from bot.frameworks.origin import Origin, origin
from bot.frameworks.sqlfile import parse_sql
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    ColumnSpec,
    CreateTable,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropNotNull,
    DropTable,
    Operation,
    RenameColumn,
    RenameTable,
    RunCode,
    SetDefault,
    SetNotNull,
    Unparsed,
)
from bot.sql.names import calls_volatile, scalar_sql

_POSTGRES = {
    "string": "varchar({size})",
    "integer": "int",
    "id": "bigint",
    "serial": "int",
    "bigserial": "bigint",
    "binary_id": "uuid",
    "float": "double precision",
    "naive_datetime": "timestamp(0)",
    "naive_datetime_usec": "timestamp",
    "utc_datetime": "timestamp(0)",
    "utc_datetime_usec": "timestamp",
    "time": "time(0)",
    "time_usec": "time",
    "map": "jsonb",
    "binary": "bytea",
}
_MYSQL = {
    **_POSTGRES,
    "binary_id": "binary(16)",
    "uuid": "binary(16)",
    "float": "double",
    "naive_datetime": "datetime",
    "naive_datetime_usec": "datetime(6)",
    "utc_datetime": "datetime",
    "utc_datetime_usec": "datetime(6)",
    "map": "json",
    "binary": "blob",
    "boolean": "tinyint(1)",
}


@dataclass(frozen=True)
class Source:
    path: str
    dialect: str


@dataclass(frozen=True)
class Result:
    ops: tuple[Operation, ...]
    back: tuple[Operation, ...] | None = ()  # what `change` runs to undo it; None: it cannot be undone
    irreversible: str = ""


def column_type(found: elixir.Value, options: dict[str, elixir.Value], dialect: str) -> str:
    """`:string` → `varchar(255)`, `{:array, :text}` → `text[]`, `:decimal, precision: 10, scale: 2` → `decimal(10, 2)`."""
    if isinstance(found, tuple) and len(found) == 2 and found[0] == "array":
        return column_type(found[1], {}, dialect) + "[]"
    if isinstance(found, tuple) and found and found[0] == "map":
        return column_type("map", {}, dialect)
    name = str(found) if isinstance(found, str) else "bigint"
    spelled = (_MYSQL if dialect in ("mysql", "mariadb") else _POSTGRES).get(name, name)
    size = options.get("size")
    spelled = spelled.format(size=size if isinstance(size, int) else 255)
    precision, scale = options.get("precision"), options.get("scale")
    if name == "decimal" and isinstance(precision, int):
        spelled = f"decimal({precision}, {scale if isinstance(scale, int) else 0})"
    return spelled


def index_name(table: str, columns: tuple[str, ...]) -> str:
    """Ecto's default name: `orders_user_id_index`; expressions lose their punctuation."""
    parts = [re.sub(r"[^\w]", "_", part).rstrip("_") for part in (table, *columns, "index")]
    return "_".join(parts)


def _target(node: Node | None) -> tuple[str, str, elixir.Call | None]:
    """`table(:orders)` → ("table", "orders", call); `index(:orders, [:a])` → ("index", "orders", call);
    `table(:tokens, prefix: "private")` → ("table", "private.tokens", call) (the schema the command runs in)."""
    c = elixir.call(node) if node is not None else None
    if c is None or c.name not in ("table", "index", "unique_index", "constraint"):
        return "", "", None
    name = elixir.value(c.args[0]) if c.args else None
    if not isinstance(name, str):
        return c.name, "", c
    prefix = c.option("prefix")
    if isinstance(prefix, str) and prefix and prefix.lower() != "public":
        return c.name, f"{prefix}.{name}", c
    return c.name, name, c


def _bare(table: str) -> str:
    """The table's name without its schema: what Ecto names indexes and foreign keys after."""
    return table.rpartition(".")[2]


def _base(c: elixir.Call, src: Source) -> Origin:
    return origin(src.path, c.line, c.end_line, elixir.text_of(c.node))


def column(c: elixir.Call, src: Source) -> tuple[ColumnSpec, str | None]:
    """The column of `add :name, type, opts` and the table it references (`references(:users)`)."""
    name = str(elixir.value(c.args[0])) if c.args else ""
    options = {key: elixir.value(node) for key, node in c.options.items()}
    type_node = c.args[1] if len(c.args) > 1 else None
    reference = elixir.call(type_node) if type_node is not None else None
    target: str | None = None
    if reference is not None and reference.name == "references":
        target = str(elixir.value(reference.args[0])) if reference.args else None
        prefix = reference.option("prefix")  # `references(:users, prefix: "accounts")`: that schema's table
        if target and isinstance(prefix, str) and prefix and prefix.lower() != "public":
            target = f"{prefix}.{target}"
        type_name = column_type(reference.option("type", "bigint"), {}, src.dialect)
    else:
        type_name = column_type(
            elixir.value(type_node) if type_node is not None else "string", options, src.dialect
        )
    default = _default(options["default"]) if "default" in options else None
    spec = ColumnSpec(
        name=name,
        type=type_name,
        nullable=options.get("null", True) is not False,
        default=default,
        volatile_default=calls_volatile(default),
        primary_key=options.get("primary_key") is True,
        references=target,
        on_delete=key_action(reference, "on_delete") if target else "",
        generated="generated" in options,
    )
    return spec, target


# Ecto's `references(…, on_delete: …, on_update: …)` atoms as the SQL action; `:nothing` (the default) is
# NO ACTION; `{:nilify, [columns]}` sets some of the key's columns NULL
_ACTIONS = {
    "nothing": "no action",
    "restrict": "restrict",
    "delete_all": "cascade",
    "update_all": "cascade",
    "nilify_all": "set null",
    "nilify": "set null",
    "default_all": "set default",
    "default": "set default",
}


def key_action(reference: elixir.Call | None, option: str) -> str:
    """`on_delete: :delete_all` in `references(:users, …)` → `cascade`; "" when the call does not say."""
    found = reference.option(option) if reference is not None else None
    word = found[0] if isinstance(found, tuple) and found else found
    return _ACTIONS.get(word, "") if isinstance(word, str) else ""


def _default(found: elixir.Value) -> str | None:
    scalar = scalar_sql(found)
    if scalar is not None:
        return scalar
    if isinstance(found, elixir.Code):
        inner = re.fullmatch(r'fragment\(\s*"(.*)"\s*\)', found.text, re.S)
        return inner.group(1) if inner else found.text
    return "'" + str(found) + "'"


def timestamps(c: elixir.Call, src: Source) -> list[ColumnSpec]:
    """`timestamps()`: inserted_at and updated_at, NOT NULL unless `null: true`."""
    options = {key: elixir.value(node) for key, node in c.options.items()}
    kind = column_type(options.get("type", "naive_datetime"), {}, src.dialect)
    names = (options.get("inserted_at", "inserted_at"), options.get("updated_at", "updated_at"))
    nullable = options.get("null") is True
    default = _default(options["default"]) if "default" in options else None
    return [
        ColumnSpec(name=str(n), type=kind, nullable=nullable, default=default)
        for n in names
        if n is not False
    ]


def _foreign_key(table: str, spec: ColumnSpec, target: str, c: elixir.Call, base: Origin) -> AddConstraint:
    reference = elixir.call(c.args[1]) if len(c.args) > 1 else None
    name = reference.option("name") if reference is not None else None
    return AddConstraint(
        table=table,
        name=str(name) if isinstance(name, str) else f"{_bare(table)}_{spec.name}_fkey",
        constraint="foreign_key",
        columns=(spec.name,),
        references=target,
        not_valid=reference is not None and reference.option("validate") is False,
        on_delete=key_action(reference, "on_delete"),
        on_update=key_action(reference, "on_update"),
        **base,
    )


def _create_table(c: elixir.Call, table_call: elixir.Call, table: str, src: Source) -> Result:
    columns: list[ColumnSpec] = []
    extra: list[Operation] = []
    key = table_call.option("primary_key", True)
    if key is not False:
        key_options = key if isinstance(key, dict) else {}
        columns.append(
            ColumnSpec(
                name=str(key_options.get("name", "id")),
                type=column_type(key_options.get("type", "bigserial"), {}, src.dialect),
                nullable=False,
                primary_key=True,
                identity=True,
            )
        )
    for node in elixir.statements(c.block):
        inner = elixir.call(node)
        if inner is None:
            continue
        if inner.name == "timestamps":
            columns.extend(timestamps(inner, src))
        elif inner.name in ("add", "add_if_not_exists"):
            spec, target = column(inner, src)
            columns.append(spec)
            if target:
                extra.append(_foreign_key(table, spec, target, inner, _base(inner, src)))
    op = CreateTable(
        table=table, columns=tuple(columns), if_not_exists=c.name == "create_if_not_exists", **_base(c, src)
    )
    return Result((op, *extra), (DropTable(table=table, **_base(c, src)),))


def _index(c: elixir.Call, index_call: elixir.Call, table: str, src: Source) -> Result:
    columns = elixir.names(elixir.value(index_call.args[1])) if len(index_call.args) > 1 else ()
    name = index_call.option("name")
    op = AddIndex(
        table=table,
        name=str(name) if isinstance(name, str) else index_name(_bare(table), columns),
        columns=columns,
        unique=index_call.name == "unique_index" or index_call.option("unique") is True,
        concurrently=index_call.option("concurrently") is True,
        if_not_exists=c.name == "create_if_not_exists",
        **_base(c, src),
    )
    if c.name in ("drop", "drop_if_exists"):
        dropped = DropIndex(
            name=op.name,
            table=table,
            concurrently=op.concurrently,
            if_exists=c.name == "drop_if_exists",
            **_base(c, src),
        )
        return Result((dropped,), (op,))
    return Result((op,), (inverse(op) or op,))


def _constraint(c: elixir.Call, constraint_call: elixir.Call, table: str, src: Source) -> Result:
    name = str(elixir.value(constraint_call.args[1])) if len(constraint_call.args) > 1 else ""
    if c.name in ("drop", "drop_if_exists"):
        dropped = DropConstraint(
            table=table, name=name, if_exists=c.name == "drop_if_exists", **_base(c, src)
        )
        return Result((dropped,), None, "`drop constraint` cannot be reversed by `change`")
    check = constraint_call.option("check")
    op = AddConstraint(
        table=table,
        name=name,
        constraint="check" if check is not None else "exclusion",
        expression_sql=check if isinstance(check, str) else "",
        not_valid=constraint_call.option("validate") is False,
        **_base(c, src),
    )
    return Result((op,), (DropConstraint(table=table, name=name, **_base(c, src)),))


def create_or_drop(c: elixir.Call, src: Source) -> Result:
    """`create`, `create_if_not_exists`, `drop`, `drop_if_exists` of a table, an index or a constraint."""
    kind, table, inner = _target(c.args[0] if c.args else None)
    if inner is None or not table:
        return Result((Unparsed(error=f"`{c.name}` of something the review cannot read", **_base(c, src)),))
    if kind in ("index", "unique_index"):
        return _index(c, inner, table, src)
    if kind == "constraint":
        return _constraint(c, inner, table, src)
    if c.name.startswith("create"):
        return _create_table(c, inner, table, src)
    op = DropTable(table=table, if_exists=c.name == "drop_if_exists", **_base(c, src))
    return Result((op,), None, f"`{c.name} table` cannot be reversed by `change`")


def alter(c: elixir.Call, src: Source) -> Result:
    """`alter table(:t) do … end`: one operation (or a few) per statement, at its own line."""
    _, table, _ = _target(c.args[0] if c.args else None)
    ops: list[Operation] = []
    back: list[Operation] = []
    reason = ""
    for node in elixir.statements(c.block):
        inner = elixir.call(node)
        handler = _ALTER.get(inner.name) if inner is not None else None
        if inner is None or handler is None:
            base = origin(src.path, elixir.line_of(node), node.end_point[0] + 1, elixir.text_of(node))
            ops.append(Unparsed(error="a statement in `alter table` the review does not read", **base))
            continue
        result = handler(inner, table, src)
        ops.extend(result.ops)
        if result.back is None:
            reason = reason or f"{result.irreversible} (line {inner.line})"
        else:
            back.extend(result.back)
    return Result(tuple(ops), None if reason else tuple(reversed(back)), reason)


def _add(c: elixir.Call, table: str, src: Source) -> Result:
    spec, target = column(c, src)
    base = _base(c, src)
    ops: list[Operation] = [
        AddColumn(table=table, column=spec, if_not_exists=c.name == "add_if_not_exists", **base)
    ]
    if target:
        # Ecto declares the key on the new column (`ADD COLUMN … CONSTRAINT … REFERENCES …`), one statement
        ops.append(replace(_foreign_key(table, spec, target, c, base), on_column=True))
    return Result(tuple(ops), tuple(undone for op in reversed(ops) if (undone := inverse(op)) is not None))


def _remove(c: elixir.Call, table: str, src: Source) -> Result:
    name = str(elixir.value(c.args[0])) if c.args else ""
    op = DropColumn(table=table, column=name, if_exists=c.name == "remove_if_exists", **_base(c, src))
    if len(c.args) < 2 or c.name == "remove_if_exists":
        return Result((op,), None, f"`{c.name}` without the column's type cannot be reversed by `change`")
    spec, _ = column(c, src)
    return Result((op,), (AddColumn(table=table, column=spec, **_base(c, src)),))


def _modify(c: elixir.Call, table: str, src: Source) -> Result:
    spec, target = column(c, src)
    base = _base(c, src)
    ops: list[Operation] = [AlterColumnType(table=table, column=spec.name, new_type=spec.type, **base)]
    if "null" in c.options:
        ops.append((DropNotNull if spec.nullable else SetNotNull)(table=table, column=spec.name, **base))
    if "default" in c.options:
        ops.append(
            SetDefault(
                table=table, column=spec.name, default=spec.default, volatile=spec.volatile_default, **base
            )
        )
    if target:
        ops.append(_foreign_key(table, spec, target, c, base))
    if "from" not in c.options:
        return Result(tuple(ops), None, "`modify` without `from:` cannot be reversed by `change`")
    previous = c.options["from"]
    old_key = _previous_key(table, spec, previous, base)
    if old_key is not None and target:
        # from one reference to another, Ecto drops the old key first and adds the new one; back, the reverse
        new_key = _foreign_key(table, spec, target, c, base)
        dropped = DropConstraint(table=table, name=old_key.name, **base)
        back = (old_key, DropConstraint(table=table, name=new_key.name, **base))  # undone last to first
        return Result((dropped, *ops), back)
    was = column_type(elixir.value(previous), {}, src.dialect) if elixir.call(previous) is None else spec.type
    return Result(tuple(ops), (AlterColumnType(table=table, column=spec.name, new_type=was, **base),))


def _previous_key(table: str, spec: ColumnSpec, previous: Node, base: Origin) -> AddConstraint | None:
    """The key `from: references(:users, …)` (or `from: {references(…), opts}`) describes."""
    found = elixir.call(previous)
    if found is None and previous.type == "tuple" and previous.named_children:
        found = elixir.call(previous.named_children[0])
    if found is None or found.name != "references" or not found.args:
        return None
    name = found.option("name")
    return AddConstraint(
        table=table,
        name=str(name) if isinstance(name, str) else f"{_bare(table)}_{spec.name}_fkey",
        constraint="foreign_key",
        columns=(spec.name,),
        references=str(elixir.value(found.args[0])),
        on_delete=key_action(found, "on_delete"),
        on_update=key_action(found, "on_update"),
        **base,
    )


def _timestamps(c: elixir.Call, table: str, src: Source) -> Result:
    ops = tuple(AddColumn(table=table, column=spec, **_base(c, src)) for spec in timestamps(c, src))
    return Result(ops, tuple(DropColumn(table=table, column=op.column.name, **_base(c, src)) for op in ops))


_ALTER: dict[str, Callable[[elixir.Call, str, Source], Result]] = {
    "add": _add,
    "add_if_not_exists": _add,
    "remove": _remove,
    "remove_if_exists": _remove,
    "modify": _modify,
    "timestamps": _timestamps,
}


def rename(c: elixir.Call, src: Source) -> Result:
    """`rename table(:a), to: table(:b)` and `rename table(:t), :old, to: :new`."""
    _, table, _ = _target(c.args[0] if c.args else None)
    base = _base(c, src)
    to = c.options.get("to")
    if len(c.args) > 1:
        old, new = str(elixir.value(c.args[1])), str(elixir.value(to))
        op: Operation = RenameColumn(table=table, column=old, new_name=new, **base)
    else:
        _, new_table, _ = _target(to)
        op = RenameTable(table=table, new_name=new_table, **base)
    return Result((op,), (inverse(op) or op,))


def execute(c: elixir.Call, src: Source) -> Result:
    """`execute "sql"`, `execute up_sql, down_sql`, `execute(fn -> … end)`."""
    if not c.args:
        return Result(())
    up = _sql(c.args[0], c, src)
    if len(c.args) < 2:
        return Result(up, None, "`execute` without down SQL cannot be reversed by `change`")
    return Result(up, _sql(c.args[1], c, src))


def _sql(node: Node, c: elixir.Call, src: Source) -> tuple[Operation, ...]:
    if node.type == "anonymous_function" or elixir.text_of(node).startswith("&"):  # fn -> … end, &noop/0
        return (RunCode(language="elixir", **_base(c, src)),)
    found = elixir.sql_text(node)
    if found is None:
        return (Unparsed(error="the SQL is built at run time, so it could not be read", **_base(c, src)),)
    text, line = found
    return parse_sql(src.path, text, src.dialect, first_line=line)


COMMANDS: dict[str, Callable[[elixir.Call, Source], Result]] = {
    "create": create_or_drop,
    "create_if_not_exists": create_or_drop,
    "drop": create_or_drop,
    "drop_if_exists": create_or_drop,
    "alter": alter,
    "rename": rename,
    "execute": execute,
}
