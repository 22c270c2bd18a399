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
from bot.frameworks.kysely_sql import column_ref, data_type, quote, template, value, where

Piece = tuple[int, str]  # (line, SQL written by the call on that line)


class Unread(Exception):
    """The chain names something the code computes, or uses a call the review does not read."""


def line(c: js.Call) -> int:
    """The line of the call's method name (a chain's calls all start where the chain does)."""
    function = c.node.child_by_field_name("function")
    name = function.child_by_field_name("property") if function is not None else None
    return js.line_of(name) if name is not None else c.line


def layout(pieces: list[Piece], first: int) -> str:
    """The pieces as one statement, each starting on its own line, so the SQL reader's lines are the code's."""
    text, at = "", first
    for written, piece in pieces:
        if written > at:
            text += "\n" * (written - at)
            at = written
        text += piece if not text or text.endswith("\n") else " " + piece
    return text


def _name(node: Node | None, what: str) -> str:
    found = js.value(js.resolve(node)) if node is not None else None
    if not isinstance(found, str) or not found:
        raise Unread(f"the {what} is computed at run time")
    return found


def _names(node: Node | None, what: str) -> list[str]:
    """One name or an array of them (`['a', ...OTHERS]` with `OTHERS` a constant array of the code)."""
    items = _items(node) if node is not None else [None]
    if not items or not all(isinstance(i, str) and i for i in items):
        raise Unread(f"the {what} are computed at run time")
    return [str(i) for i in items]


def _items(node: Node) -> list[js.Value]:
    found = js.unwrap(js.resolve(node))
    if found.type != "array":
        return [js.value(found)]
    items: list[js.Value] = []
    for child in found.named_children:
        if child.type == "spread_element" and child.named_children:
            items.extend(_items(child.named_children[0]))
        elif child.type != "comment":
            items.append(js.value(child))
    return items


class Compiler:
    def __init__(self, dialect: str, schema: str = "") -> None:
        self.dialect = dialect
        self.schema = schema  # `db.schema.withSchema('app')`

    def q(self, name: str) -> str:
        return quote(name, self.dialect)

    def table(self, node: Node | None) -> str:
        found = _name(node, "table name")
        return self.q(f"{self.schema}.{found}" if self.schema and "." not in found else found)

    def columns(self, node: Node | None) -> str:
        return ", ".join(column_ref(n, self.dialect) for n in _names(node, "column names"))

    def expression(self, node: Node | None) -> str:
        found = template(node, self.dialect) if node is not None else None
        if found is None:
            raise Unread("an expression of the code is not read")
        return found[0]

    def compile(self, calls: list[js.Call]) -> list[Piece]:
        first, rest = calls[0], calls[1:]
        handler = _STATEMENTS.get(first.name)
        if handler is None:
            raise Unread(f"`db.schema.{first.name}` is not read by the review")
        return handler(self, first, rest)

    # -- columns -------------------------------------------------------------------------------------------

    def column(self, c: js.Call) -> str:
        """`addColumn(name, type, col => col.notNull()…)` as Kysely's column definition."""
        name = _name(c.args[0] if c.args else None, "column name")
        kind = data_type(c.args[1], self.dialect) if len(c.args) > 1 else None
        if kind is None:
            raise Unread(f"the type of column `{name}` is computed at run time")
        modifiers = self._modifiers(c.args[2] if len(c.args) > 2 else None)
        parts = [self.q(name), kind]
        got = {m.name: m for m in modifiers}
        if "unsigned" in got:
            parts.append("unsigned")
        if "generatedAlwaysAs" in got:
            parts.append(f"generated always as ({self.expression(got['generatedAlwaysAs'].args[0])})")
            parts.append(
                "stored" if "stored" in got else "virtual" if self.dialect != "postgres" else "stored"
            )
        if "generatedAlwaysAsIdentity" in got:
            parts.append("generated always as identity")
        if "generatedByDefaultAsIdentity" in got:
            parts.append("generated by default as identity")
        if "identity" in got:
            parts.append("identity")
        if "defaultTo" in got and got["defaultTo"].args:
            parts.append(f"default {value(got['defaultTo'].args[0], self.dialect)}")
        if "notNull" in got:
            parts.append("not null")
        if "unique" in got:
            parts.append("unique")
        if "nullsNotDistinct" in got:
            parts.append("nulls not distinct")
        if "primaryKey" in got:
            parts.append("primary key")
        if "autoIncrement" in got:
            parts.append("autoincrement" if self.dialect == "sqlite" else "auto_increment")
        if "references" in got:
            parts.append(self._references(got))
        if "check" in got and got["check"].args:
            parts.append(f"check ({self.expression(got['check'].args[0])})")
        for modifier in ("modifyFront", "modifyEnd"):
            if modifier in got and got[modifier].args:
                parts.append(self.expression(got[modifier].args[0]))
        return " ".join(parts)

    def _modifiers(self, node: Node | None) -> list[js.Call]:
        if node is None:
            return []
        function = js.function(node)
        if function is None:
            raise Unread("the column's settings are computed at run time")
        name = function.params[0] if function.params else ""
        bodies = list(js.statements(function.body))
        body = bodies[-1] if bodies else None
        if body is not None and body.type == "return_statement":
            body = body.named_children[0] if body.named_children else None
        if body is None:
            return []
        start, calls = js.chain(body)
        if js.text_of(start) != name:
            raise Unread("the column's settings are computed at run time")
        return calls

    def _references(self, got: dict[str, js.Call]) -> str:
        target = _name(got["references"].args[0] if got["references"].args else None, "referenced column")
        table, _, column = target.rpartition(".")
        if not table:
            raise Unread("`references` names no table")
        text = f"references {self.q(table)} ({self.q(column)})"
        for action, words in (("onDelete", "on delete"), ("onUpdate", "on update")):
            if action in got and got[action].args:
                text += f" {words} {_name(got[action].args[0], 'key action')}"
        return text

    # -- constraints ---------------------------------------------------------------------------------------

    def constraint(self, c: js.Call, calls: list[js.Call]) -> str:
        """`addPrimaryKeyConstraint`, `addUniqueConstraint`, `addForeignKeyConstraint`, `addCheckConstraint`."""
        name = self.q(_name(c.args[0] if c.args else None, "constraint name"))
        if c.name == "addCheckConstraint":
            return f"constraint {name} check ({self.expression(c.args[1] if len(c.args) > 1 else None)})"
        columns = self.columns(c.args[1] if len(c.args) > 1 else None)
        if c.name == "addPrimaryKeyConstraint":
            return f"constraint {name} primary key ({columns})"
        if c.name == "addUniqueConstraint":
            return f"constraint {name} unique ({columns})"
        table = self.table(c.args[2] if len(c.args) > 2 else None)
        referenced = self.columns(c.args[3] if len(c.args) > 3 else None)
        text = f"constraint {name} foreign key ({columns}) references {table} ({referenced})"
        actions = list(calls)
        builder = js.function(c.args[4]) if len(c.args) > 4 else None
        if builder is not None and builder.body is not None:
            actions += js.chain(next(iter(js.statements(builder.body)), builder.body))[1]
        for action in actions:
            if action.name in ("onDelete", "onUpdate") and action.args:
                words = "on delete" if action.name == "onDelete" else "on update"
                text += f" {words} {_name(action.args[0], 'key action')}"
        return text


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
        elif c.name in ("onDelete", "onUpdate") and items:
            words = "on delete" if c.name == "onDelete" else "on update"
            items[-1] = (
                items[-1][0],
                f"{items[-1][1]} {words} {_name(c.args[0] if c.args else None, 'action')}",
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
        return f"drop column {k.q(_name(arg, 'column name'))}"
    if c.name == "renameColumn":
        return f"rename column {k.q(_name(arg, 'column name'))} to {k.q(_name(c.args[1] if len(c.args) > 1 else None, 'new name'))}"
    if c.name == "renameTo":
        return f"rename to {k.table(arg)}"
    if c.name == "setSchema":
        return f"set schema {k.q(_name(arg, 'schema'))}"
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
        return f"drop constraint {exists}{k.q(_name(arg, 'constraint name'))}" + (
            " cascade" if "cascade" in called else ""
        )
    if c.name == "renameConstraint":
        return f"rename constraint {k.q(_name(arg, 'constraint name'))} to {k.q(_name(c.args[1] if len(c.args) > 1 else None, 'new name'))}"
    if c.name == "addIndex":
        return _mysql_index(k, c, after)
    if c.name == "dropIndex":
        return f"drop index {k.q(_name(arg, 'index name'))}"
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
    column = k.q(_name(c.args[0] if c.args else None, "column name"))
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
    name = k.q(_name(c.args[0] if c.args else None, "index name"))
    columns: list[str] = []
    unique = using = ""
    for a in after:
        if a.name == "column" and a.args:
            columns.append(column_ref(_name(a.args[0], "column name"), k.dialect))
        elif a.name == "columns" and a.args:
            columns.extend(column_ref(n, k.dialect) for n in _names(a.args[0], "column names"))
        elif a.name == "unique":
            unique = "unique "
        elif a.name == "using" and a.args:
            using = f" using {_name(a.args[0], 'index method')}"
        elif a.name in _ALTERS or a.name.startswith(("add", "drop")):
            break
    return f"add {unique}index {name}{using} ({', '.join(columns)})"


def _drop(kind: str) -> Callable[[Compiler, js.Call, list[js.Call]], list[Piece]]:
    def handler(k: Compiler, first: js.Call, rest: list[js.Call]) -> list[Piece]:
        called = {c.name for c in rest}
        named = first.args[0] if first.args else None
        name = k.q(_name(named, "schema")) if kind == "schema" else k.table(named)
        head = "drop " + ("materialized view" if kind == "view" and "materialized" in called else kind)
        text = f"{head} {'if exists ' if 'ifExists' in called else ''}{name}"
        on = next((c for c in rest if c.name == "on"), None)
        if on is not None and kind == "index":
            text += f" on {k.table(on.args[0] if on.args else None)}"
        return [(line(first), text + (" cascade" if "cascade" in called else ""))]

    return handler


def _create_index(k: Compiler, first: js.Call, rest: list[js.Call]) -> list[Piece]:
    called = {c.name: c for c in rest}
    name = k.q(_name(first.args[0] if first.args else None, "index name"))
    head = "create " + ("unique " if "unique" in called else "") + "index "
    head += ("if not exists " if "ifNotExists" in called else "") + name
    on = called.get("on")
    if on is None:
        raise Unread("`createIndex` without `on`")
    head += f" on {k.table(on.args[0] if on.args else None)}"
    using = called.get("using")
    if using is not None and using.args:
        head += f" using {_name(using.args[0], 'index method')}"
    items: list[str] = []
    for c in rest:
        if c.name == "column" and c.args:
            items.append(column_ref(_name(c.args[0], "column name"), k.dialect))
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
        return [column_ref(n, k.dialect) for n in _names(node, "column names")]
    items = [child for child in found.named_children if child.type != "comment"]
    return [
        k.expression(child)
        if template(child, k.dialect) is not None
        else column_ref(_name(child, "column name"), k.dialect)
        for child in items
    ]


def _create_type(k: Compiler, first: js.Call, rest: list[js.Call]) -> list[Piece]:
    name = k.table(first.args[0] if first.args else None)
    labels = next((c for c in rest if c.name == "asEnum"), None)
    if labels is None or not labels.args:
        raise Unread("`createType` without `asEnum`")
    values = ", ".join("'" + v.replace("'", "''") + "'" for v in _names(labels.args[0], "enum values"))
    return [(line(first), f"create type {name} as enum ({values})")]


def _alter_type(k: Compiler, first: js.Call, rest: list[js.Call]) -> list[Piece]:
    name = k.table(first.args[0] if first.args else None)
    for c in rest:
        if c.name == "addValue" and c.args:
            label = _name(c.args[0], "enum value").replace("'", "''")
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
        (line(first), f"create schema {exists}{k.q(_name(first.args[0] if first.args else None, 'schema'))}")
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
