"""Kysely's query builder writing rows in a migration, as the SQL it sends.

`db.insertInto('plans').values({…})`, `db.updateTable('orders').set({…}).where('state', '=', 'open')` and
`db.deleteFrom('sessions').where(…)` become INSERT, UPDATE and DELETE statements that the SQL reader reads,
so the rules about data changes see them as they see the SQL a migration spells out. A value the code holds
when it runs is the placeholder; a condition written with the expression builder is a condition all the
same (never "every row").
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from bot.frameworks import javascript as js
from bot.frameworks.kysely_columns import Unread
from bot.frameworks.kysely_sql import column_ref, quote, template, value, where

WRITES = frozenset({"insertInto", "replaceInto", "updateTable", "deleteFrom"})


@dataclass(frozen=True)
class Rows:
    """An insert whose rows the code builds when it runs: its table, and its columns when they are known."""

    table: str
    columns: tuple[str, ...] = ()


def statement(calls: list[js.Call], dialect: str) -> str | Rows:
    """The SQL of a data-changing chain (its first call one of WRITES), or the rows it inserts when the code
    builds them (never a guess at their values)."""
    first, rest = calls[0], calls[1:]
    table = _table(first, dialect)
    if first.name in ("insertInto", "replaceInto"):
        return _insert(first, table, rest, dialect)
    condition = where(rest, dialect)
    tail = f" WHERE {condition}" if condition else ""
    sources = [quote(_alias(s), dialect) for c in rest if c.name in ("from", "using") for s in _sources(c)]
    if first.name == "deleteFrom":
        using = f" USING {', '.join(sources)}" if sources else ""
        return f"DELETE FROM {table}{using}{tail}"
    assignments = [a for c in rest if c.name == "set" for a in _assignments(c, dialect)]
    if not assignments:
        raise Unread("the values `set` writes are computed at run time")
    joined = f" FROM {', '.join(sources)}" if sources else ""
    return f"UPDATE {table} SET {', '.join(assignments)}{joined}{tail}"


def _sources(c: js.Call) -> list[str]:
    found = [js.value(a) for a in c.args]
    return [n for item in found for n in (item if isinstance(item, list) else [item]) if isinstance(n, str)]


def _alias(name: str) -> str:
    return name.split(" as ")[0].strip()


def _table(first: js.Call, dialect: str) -> str:
    found = js.value(js.resolve(first.args[0])) if first.args else None
    if not isinstance(found, str) or not found:
        raise Unread(f"the table of `{first.name}` is computed at run time")
    return quote(_alias(found), dialect)


def _assignments(c: js.Call, dialect: str) -> list[str]:
    if len(c.args) == 2:  # `.set('state', 'open')`
        column = js.value(c.args[0])
        if isinstance(column, str):
            return [f"{column_ref(column, dialect)} = {value(c.args[1], dialect)}"]
        return []
    if not c.args:
        return []
    values = returned_object(c.args[0])  # `.set({…})` or `.set((eb) => ({ … }))`
    if values is None or _spread(values):
        return []
    return [f"{quote(key, dialect)} = {value(item, dialect)}" for key, item in js.pairs(values).items()]


def returned_object(node: Node) -> Node | None:
    """An object literal, or the one a function returns (`(eb) => ({ … })`, `(row) => { return { … } }`)."""
    found = js.unwrap(node)
    function = js.function(found)
    if function is not None:
        body = function.body
        if body is not None and body.type == "statement_block":
            returned = [n for n in js.statements(body) if n.type == "return_statement"]
            body = returned[-1].named_children[0] if returned and returned[-1].named_children else None
        found = js.unwrap(body) if body is not None else found
    return found if found.type == "object" else None


def _spread(node: Node) -> bool:
    """`{ ...pack, userId }`: the object holds properties the code fills in when it runs."""
    return any(child.type == "spread_element" for child in node.named_children)


def _insert(first: js.Call, table: str, rest: list[js.Call], dialect: str) -> str | Rows:
    verb = "REPLACE" if first.name == "replaceInto" else "INSERT"
    values = next((c for c in rest if c.name == "values"), None)
    rows = _rows(values.args[0]) if values is not None and values.args else None
    name = _alias(str(js.value(first.args[0])))
    if rows is None:
        listed = next((c for c in rest if c.name == "columns"), None)
        names = js.value(listed.args[0]) if listed is not None and listed.args else None
        columns = tuple(n for n in names if isinstance(n, str)) if isinstance(names, list) else ()
        expression = next((c for c in rest if c.name == "expression"), None)
        query = select(expression.args[0], dialect) if expression is not None and expression.args else None
        if query is None:
            return Rows(name, columns or _mapped_columns(values))
        listed_sql = f" ({', '.join(quote(n, dialect) for n in columns)})" if columns else ""
        return f"{verb} INTO {table}{listed_sql} {query}"
    keys = list(dict.fromkeys(key for row in rows for key in row))
    written = ", ".join(
        "(" + ", ".join(value(row[c], dialect) if c in row else "DEFAULT" for c in keys) + ")" for row in rows
    )
    text = f"{verb} INTO {table} ({', '.join(quote(c, dialect) for c in keys)}) VALUES {written}"
    conflict = next((c for c in rest if c.name == "onConflict"), None)
    if conflict is not None and "doNothing" in js.text_of(conflict.node) and dialect != "mysql":
        text += " ON CONFLICT DO NOTHING"
    return text


def _rows(node: Node) -> list[dict[str, Node]] | None:
    """The rows of `.values({…})` or `.values([{…}, …])` as their properties; None when the code builds them
    (a variable, `{ ...pack }`)."""
    found = js.unwrap(js.resolve(node))
    items = [found] if found.type == "object" else []
    if found.type == "array":
        items = [js.unwrap(item) for item in found.named_children if item.type != "comment"]
    if items and all(item.type == "object" and not _spread(item) for item in items):
        return [js.pairs(item) for item in items]
    return None


def _mapped_columns(values: js.Call | None) -> tuple[str, ...]:
    """`.values(rows.map((row) => ({ id: row.id, state: 'open' })))`: the columns each row the code builds has."""
    found = js.call(values.args[0]) if values is not None and values.args else None
    if found is None or found.name != "map" or not found.args:
        return ()
    made = returned_object(found.args[0])
    return tuple(js.pairs(made)) if made is not None and not _spread(made) else ()


def select(node: Node, dialect: str) -> str | None:
    """`eb => eb.selectFrom('File as f').select(['f.id', sql`NULL`.as('note')]).where(…)` (or the chain
    itself, `db.selectFrom(…)`) as a SELECT: its table, its columns and its conditions; None when it is
    not a query the review can follow."""
    function = js.function(node)
    body = function.body if function is not None else node
    if body is not None and body.type == "statement_block":
        returned = [n for n in js.statements(body) if n.type == "return_statement"]
        body = returned[-1].named_children[0] if returned and returned[-1].named_children else None
    _, calls = js.chain(body) if body is not None else (None, [])
    source = next((c for c in calls if c.name == "selectFrom"), None)
    named = js.value(source.args[0]) if source is not None and source.args else None
    if not isinstance(named, str) or not named:
        return None
    table, _, alias = named.partition(" as ")
    items = [item for c in calls if c.name == "select" and c.args for item in _selected(c.args, dialect)]
    text = f"SELECT {', '.join(items) or '*'} FROM {quote(table.strip(), dialect)}"
    text += f" AS {quote(alias.strip(), dialect)}" if alias.strip() else ""
    condition = where(calls, dialect)
    return text + (f" WHERE {condition}" if condition else "")


def _selected(args: tuple[Node, ...], dialect: str) -> list[str]:
    found = js.unwrap(args[0])
    nodes = found.named_children if found.type == "array" and len(args) == 1 else list(args)
    items: list[str] = []
    for node in nodes:
        named = js.value(node)
        if isinstance(named, str):
            column, _, alias = named.partition(" as ")
            items.append(
                column_ref(column, dialect) + (f" AS {quote(alias.strip(), dialect)}" if alias else "")
            )
            continue
        _, calls = js.chain(node)
        aliased = calls[-1] if calls and calls[-1].name == "as" and calls[-1].args else None
        written = template(calls[0].node, dialect) if calls else None
        expression = written[0] if written is not None else js.PLACEHOLDER
        label = js.value(aliased.args[0]) if aliased is not None else None
        items.append(expression + (f" AS {quote(label, dialect)}" if isinstance(label, str) else ""))
    return items
