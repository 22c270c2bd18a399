"""Kysely's schema builder (`db.schema.createTable(…).addColumn(…).execute()`) as the SQL it sends.

Kysely compiles each chain to one statement, quoting every name, in the order its query compiler writes the
parts; the review reads that statement with its SQL reader, each clause at the line of the call that wrote
it (`.addColumn('note', 'text')` of an `alterTable` chain at its own line). A chain Kysely would refuse, or
one whose names or types the code computes, is an error the caller reports as unread.
"""

from __future__ import annotations

from collections.abc import Callable

from tree_sitter import Node

from bot.frameworks import javascript as js
from bot.frameworks.kysely_columns import Compiler, Piece, Unread, line, name_of, names_of
from bot.frameworks.kysely_sql import column_ref, data_type, template, value, where


def compile_chain(k: Compiler, calls: list[js.Call]) -> list[Piece]:
    """The statement a `db.schema.…` chain sends (its calls before `.execute()`), as pieces at their lines."""
    first, rest = calls[0], calls[1:]
    handler = _STATEMENTS.get(first.name)
    if handler is None:
        raise Unread(f"`db.schema.{first.name}` is not read by the review")
    return handler(k, first, rest)


def _create_table(k: Compiler, first: js.Call, rest: list[js.Call]) -> list[Piece]:
    head = ["create"]
    called = {c.name for c in rest}
    if "temporary" in called:
        head.append("temporary")
    head.append("table")
    if "ifNotExists" in called:
        head.append("if not exists")
    head.append(k.table(first.args[0] if first.args else None))
    pieces: list[Piece] = [(line(first), " ".join(head))]
    items: list[Piece] = []
    for c in rest:
        if c.name == "addColumn":
            items.append((line(c), k.column(c)))
        elif c.name.endswith("Constraint"):
            items.append((line(c), k.constraint(c, [])))
        elif c.name == "addIndex" and len(c.args) > 1:  # MySQL's index declared with the table
            named = k.q(name_of(c.args[0], "index name"))
            items.append((line(c), f"index {named} ({', '.join(_index_items(k, c.args[1]))})"))
        elif c.name in ("onDelete", "onUpdate") and items:
            words = "on delete" if c.name == "onDelete" else "on update"
            items[-1] = (
                items[-1][0],
                f"{items[-1][1]} {words} {name_of(c.args[0] if c.args else None, 'action')}",
            )
        elif c.name == "as":
            return [(line(first), " ".join(head) + " as select * from " + js.PLACEHOLDER)]
        elif c.name not in ("temporary", "ifNotExists", "modifyEnd", "modifyFront", "onCommit", "$call"):
            raise Unread(f"`{c.name}` of `createTable` is not read by the review")
    for index, (at, item) in enumerate(items):
        pieces.append((at, ("(" if index == 0 else ", ") + item))
    pieces.append((pieces[-1][0], ")" if items else "()"))
    return pieces


_ALTERS = frozenset({"addColumn", "dropColumn", "renameColumn", "alterColumn", "modifyColumn"})


def _alter_table(k: Compiler, first: js.Call, rest: list[js.Call]) -> list[Piece]:
    pieces: list[Piece] = [(line(first), f"alter table {k.table(first.args[0] if first.args else None)}")]
    actions = 0
    for index, c in enumerate(rest):
        text = _alter_action(k, c, rest[index + 1 :])
        if text is None:
            continue
        pieces.append((line(c), ("" if actions == 0 else ", ") + text))
        actions += 1
    if actions == 0:
        raise Unread("`alterTable` without a change")
    return pieces


def _alter_action(k: Compiler, c: js.Call, after: list[js.Call]) -> str | None:
    arg = c.args[0] if c.args else None
    if c.name == "addColumn":
        return f"add column {k.column(c)}"
    if c.name == "dropColumn":
        return f"drop column {k.q(name_of(arg, 'column name'))}"
    if c.name == "renameColumn":
        return f"rename column {k.q(name_of(arg, 'column name'))} to {k.q(name_of(c.args[1] if len(c.args) > 1 else None, 'new name'))}"
    if c.name == "renameTo":
        return f"rename to {k.table(arg)}"
    if c.name == "setSchema":
        return f"set schema {k.q(name_of(arg, 'schema'))}"
    if c.name == "alterColumn":
        return _alter_column(k, c)
    if c.name == "modifyColumn":
        definition = k.column(c)
        return f"modify column {definition}"
    if c.name in (
        "addPrimaryKeyConstraint",
        "addUniqueConstraint",
        "addCheckConstraint",
        "addForeignKeyConstraint",
    ):
        chained = [a for a in after if a.name in ("onDelete", "onUpdate")]
        return f"add {k.constraint(c, chained)}"
    if c.name == "dropConstraint":
        called = {a.name for a in after}
        exists = "if exists " if "ifExists" in called else ""
        return f"drop constraint {exists}{k.q(name_of(arg, 'constraint name'))}" + (
            " cascade" if "cascade" in called else ""
        )
    if c.name == "renameConstraint":
        return f"rename constraint {k.q(name_of(arg, 'constraint name'))} to {k.q(name_of(c.args[1] if len(c.args) > 1 else None, 'new name'))}"
    if c.name == "addIndex":
        return _mysql_index(k, c, after)
    if c.name == "dropIndex":
        return f"drop index {k.q(name_of(arg, 'index name'))}"
    if c.name in (
        "onDelete",
        "onUpdate",
        "ifExists",
        "cascade",
        "column",
        "columns",
        "unique",
        "using",
        "$call",
    ):
        return None  # read with the call they modify
    raise Unread(f"`{c.name}` of `alterTable` is not read by the review")


def _alter_column(k: Compiler, c: js.Call) -> str:
    column = k.q(name_of(c.args[0] if c.args else None, "column name"))
    function = js.function(c.args[1]) if len(c.args) > 1 else None
    body = next(iter(js.statements(function.body)), None) if function is not None else None
    if body is not None and body.type == "return_statement" and body.named_children:
        body = body.named_children[0]
    start, calls = js.chain(body) if body is not None else (None, [])
    if function is None or not calls or js.text_of(start) != (function.params[0] if function.params else ""):
        raise Unread("the change of `alterColumn` is computed at run time")
    change = calls[0]
    if change.name == "setDataType":
        kind = data_type(change.args[0], k.dialect) if change.args else None
        if kind is None:
            raise Unread("the type of `setDataType` is computed at run time")
        return f"alter column {column} type {kind}"
    if change.name == "setDefault" and change.args:
        return f"alter column {column} set default {value(change.args[0], k.dialect)}"
    simple = {"dropDefault": "drop default", "setNotNull": "set not null", "dropNotNull": "drop not null"}
    if change.name in simple:
        return f"alter column {column} {simple[change.name]}"
    raise Unread(f"`{change.name}` of `alterColumn` is not read by the review")


def _mysql_index(k: Compiler, c: js.Call, after: list[js.Call]) -> str:
    name = k.q(name_of(c.args[0] if c.args else None, "index name"))
    columns: list[str] = []
    unique = using = ""
    for a in after:
        if a.name == "column" and a.args:
            columns.append(column_ref(name_of(a.args[0], "column name"), k.dialect))
        elif a.name == "columns" and a.args:
            columns.extend(column_ref(n, k.dialect) for n in names_of(a.args[0], "column names"))
        elif a.name == "unique":
            unique = "unique "
        elif a.name == "using" and a.args:
            using = f" using {name_of(a.args[0], 'index method')}"
        elif a.name in _ALTERS or a.name.startswith(("add", "drop")):
            break
    return f"add {unique}index {name}{using} ({', '.join(columns)})"


def _drop(kind: str) -> Callable[[Compiler, js.Call, list[js.Call]], list[Piece]]:
    def handler(k: Compiler, first: js.Call, rest: list[js.Call]) -> list[Piece]:
        called = {c.name for c in rest}
        named = first.args[0] if first.args else None
        name = k.q(name_of(named, "schema")) if kind == "schema" else k.table(named)
        head = "drop " + ("materialized view" if kind == "view" and "materialized" in called else kind)
        text = f"{head} {'if exists ' if 'ifExists' in called else ''}{name}"
        on = next((c for c in rest if c.name == "on"), None)
        if on is not None and kind == "index":
            text += f" on {k.table(on.args[0] if on.args else None)}"
        return [(line(first), text + (" cascade" if "cascade" in called else ""))]

    return handler


def _create_index(k: Compiler, first: js.Call, rest: list[js.Call]) -> list[Piece]:
    called = {c.name: c for c in rest}
    name = k.q(name_of(first.args[0] if first.args else None, "index name"))
    head = "create " + ("unique " if "unique" in called else "") + "index "
    head += ("if not exists " if "ifNotExists" in called else "") + name
    on = called.get("on")
    if on is None:
        raise Unread("`createIndex` without `on`")
    head += f" on {k.table(on.args[0] if on.args else None)}"
    using = called.get("using")
    if using is not None and using.args:
        head += f" using {name_of(using.args[0], 'index method')}"
    items: list[str] = []
    for c in rest:
        if c.name == "column" and c.args:
            items.append(column_ref(name_of(c.args[0], "column name"), k.dialect))
        elif c.name == "columns" and c.args:
            items.extend(_index_items(k, c.args[0]))
        elif c.name == "expression" and c.args:
            items.append(k.expression(c.args[0]))
    text = f"{head} ({', '.join(items)})"
    if "nullsNotDistinct" in called:
        text += " nulls not distinct"
    conditions = [c for c in rest if c.name == "where"]
    if conditions:
        found = where(conditions, k.dialect)
        if found:
            text += f" where {found}"
    return [(line(first), text)]


def _index_items(k: Compiler, node: Node) -> list[str]:
    """`.columns(['userId', sql`lower(name)`])`: names and expressions."""
    found = js.unwrap(js.resolve(node))
    if found.type != "array":
        return [column_ref(n, k.dialect) for n in names_of(node, "column names")]
    items = [child for child in found.named_children if child.type != "comment"]
    return [
        k.expression(child)
        if template(child, k.dialect) is not None
        else column_ref(name_of(child, "column name"), k.dialect)
        for child in items
    ]


def _create_type(k: Compiler, first: js.Call, rest: list[js.Call]) -> list[Piece]:
    name = k.table(first.args[0] if first.args else None)
    labels = next((c for c in rest if c.name == "asEnum"), None)
    if labels is None or not labels.args:
        raise Unread("`createType` without `asEnum`")
    values = ", ".join("'" + v.replace("'", "''") + "'" for v in names_of(labels.args[0], "enum values"))
    return [(line(first), f"create type {name} as enum ({values})")]


def _alter_type(k: Compiler, first: js.Call, rest: list[js.Call]) -> list[Piece]:
    name = k.table(first.args[0] if first.args else None)
    for c in rest:
        if c.name == "addValue" and c.args:
            label = name_of(c.args[0], "enum value").replace("'", "''")
            return [(line(first), f"alter type {name} add value '{label}'")]
        if c.name == "renameTo" and c.args:
            return [(line(first), f"alter type {name} rename to {k.table(c.args[0])}")]
    raise Unread("this change of `alterType` is not read by the review")


def _create_view(k: Compiler, first: js.Call, rest: list[js.Call]) -> list[Piece]:
    called = {c.name for c in rest}
    head = "create " + ("or replace " if "orReplace" in called else "")
    head += "materialized view " if "materialized" in called else "view "
    as_ = next((c for c in rest if c.name == "as"), None)
    query = template(as_.args[0], k.dialect) if as_ is not None and as_.args else None
    body = query[0] if query is not None else f"select * from {js.PLACEHOLDER}"
    return [(line(first), f"{head}{k.table(first.args[0] if first.args else None)} as {body}")]


def _refresh_view(k: Compiler, first: js.Call, rest: list[js.Call]) -> list[Piece]:
    called = {c.name for c in rest}
    concurrently = "concurrently " if "concurrently" in called else ""
    return [
        (
            line(first),
            f"refresh materialized view {concurrently}{k.table(first.args[0] if first.args else None)}",
        )
    ]


def _create_schema(k: Compiler, first: js.Call, rest: list[js.Call]) -> list[Piece]:
    exists = "if not exists " if any(c.name == "ifNotExists" for c in rest) else ""
    return [
        (
            line(first),
            f"create schema {exists}{k.q(name_of(first.args[0] if first.args else None, 'schema'))}",
        )
    ]


_STATEMENTS: dict[str, Callable[[Compiler, js.Call, list[js.Call]], list[Piece]]] = {
    "createTable": _create_table,
    "alterTable": _alter_table,
    "dropTable": _drop("table"),
    "createIndex": _create_index,
    "dropIndex": _drop("index"),
    "createType": _create_type,
    "alterType": _alter_type,
    "dropType": _drop("type"),
    "createView": _create_view,
    "dropView": _drop("view"),
    "refreshMaterializedView": _refresh_view,
    "createSchema": _create_schema,
    "dropSchema": _drop("schema"),
}
