"""Kysely's values and expressions as the SQL its query compiler writes for them.

Kysely quotes every identifier (`"users"."email"`, backquotes on MySQL) and writes the values of a schema
statement inline (`default 'draft'`). A ``sql`…` `` template is its text, with `${sql.ref('a.b')}`,
`${sql.table('t')}`, `${sql.lit(1)}`, `${sql.raw('…')}` and constants filled in; any other value the
code holds when it runs is the placeholder.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from bot.frameworks import javascript as js
from bot.frameworks import node_migration as nm

_IDENTIFIERS = frozenset({"ref", "table", "id"})


def quote(name: str, dialect: str) -> str:
    """`schema.table` as `"schema"."table"` (`` `schema`.`table` `` on MySQL)."""
    mark = "`" if dialect in ("mysql", "mariadb") else '"'
    return ".".join(f"{mark}{part}{mark}" for part in name.split("."))


def column_ref(name: str, dialect: str) -> str:
    """A column as Kysely takes it: `'email'`, `'users.email'`, `'email desc'` (a direction after it)."""
    base, _, direction = name.strip().partition(" ")
    return quote(base, dialect) + (f" {direction.strip()}" if direction.strip() else "")


def template(node: Node, dialect: str = "") -> tuple[str, int] | None:
    """A ``sql`…` `` tagged template (or `sql.raw('…')`, `sql.lit(…)`): its SQL and first line."""
    node = js.unwrap(node)
    found = js.call(node)
    if found is None:
        return None
    if found.name == "sql" and found.receiver is None:
        argument = node.child_by_field_name("arguments")
        if argument is None or argument.type != "template_string":
            return None
        parts = [c for c in argument.named_children if c.type != "string_fragment" or js.text_of(c).strip()]
        if len(parts) == 1 and parts[0].type == "template_substitution" and len(parts[0].named_children) == 1:
            whole = template(
                parts[0].named_children[0], dialect
            )  # ``sql`${sql.raw(script)}` ``: the script's
            if whole is not None:
                return whole
        return _template_text(argument, dialect), js.line_of(argument)
    if found.name in ("ref", "val", "lit") and found.receiver is not None and found.args:
        named = js.value(found.args[0])  # the expression builder's `eb.ref('a.b')`, `eb.val(1)`
        if found.name == "ref" and isinstance(named, str):
            return column_ref(named, dialect), found.line
        if found.name != "ref" and not isinstance(named, js.Code | list | dict):
            return nm.literal(named), found.line
    if js.text_of(found.receiver) == "sql" and found.args:
        if found.name == "raw":  # a string, a template, a `+` of them, or a constant holding one
            return js.sql_text(found.args[0]) or _rewritten(found.args[0])
        if found.name in ("lit", "val"):
            return nm.literal(js.value(found.args[0])), found.line
        if found.name in _IDENTIFIERS:
            name = js.value(found.args[0])
            return (quote(name, dialect), found.line) if isinstance(name, str) else None
    return None


def _rewritten(node: Node) -> tuple[str, int] | None:
    """`let script = `…``, later changed only by replacing text in itself (`script = script.replaceAll(a, b)`,
    a host name in a pg_dump the migration loads): the SQL it was declared with, whose statements stay."""
    node = js.unwrap(node)
    if node.type != "identifier":
        return None
    name, scope = js.text_of(node), node.parent
    while scope is not None and scope.type not in ("statement_block", "program"):
        scope = scope.parent
    while scope is not None:
        body = js.text_of(scope)
        for child in scope.named_children:
            if child.type not in js.DECLARATIONS:
                continue
            for declarator in child.named_children:
                held = declarator.child_by_field_name("value")
                if js.text_of(declarator.child_by_field_name("name")) == name and held is not None:
                    changes = re.findall(
                        rf"(?<!let )(?<!var )(?<![\w.]){re.escape(name)}\s*=(?![=>])\s*([^\n;]*)", body
                    )
                    kept = all(
                        re.match(rf"{re.escape(name)}\s*\.\s*replace(?:All)?\s*\(", c) for c in changes
                    )
                    return js.sql_text(held) if kept else None
        scope = scope.parent
        while scope is not None and scope.type not in ("statement_block", "program"):
            scope = scope.parent
    return None


def _template_text(node: Node, dialect: str) -> str:
    parts: list[str] = []
    for child in node.named_children:
        if child.type != "template_substitution":
            parts.append(js.text_of(child) if child.type != "escape_sequence" else js.text_of(child)[1:])
            continue
        inner = [c for c in child.named_children if c.type != "comment"]
        filled = template(inner[0], dialect) if len(inner) == 1 else None
        if filled is not None:
            parts.append(filled[0])
            continue
        known = js.value(inner[0]) if len(inner) == 1 else None
        if isinstance(known, str) and "'" not in known and js.unwrap(inner[0]).type == "identifier":
            parts.append(known)  # a constant of the module (`${TABLE}`)
        else:
            parts.append(js.PLACEHOLDER + "\n" * js.text_of(child).count("\n"))
    return "".join(parts)


def value(node: Node, dialect: str = "") -> str:
    """A value as Kysely writes it inline: a literal, the SQL of a template, else the placeholder."""
    found = template(node, dialect)
    if found is not None:
        return found[0]
    literal = js.value(node)
    if isinstance(literal, js.Code):
        return js.PLACEHOLDER
    if isinstance(literal, list | dict):
        return "'" + js.text_of(node).replace("'", "''") + "'"
    return nm.literal(literal)


def data_type(node: Node, dialect: str = "") -> str | None:
    """`'varchar(255)'`, ``sql`text[]` ``, `sql.raw('citext')`; None for a type the code computes."""
    found = js.value(node)
    if isinstance(found, str):
        return found
    text = template(node, dialect)
    return text[0] if text is not None else None


_OPERATORS = frozenset(
    {"=", "<>", "!=", "<", ">", "<=", ">=", "in", "not in", "is", "is not", "like", "not like", "ilike"}
)


def where(calls: list[js.Call], dialect: str) -> str | None:
    """The conditions of `.where('state', '=', 'open')`, `.where(sql`…`)`, `.whereRef(…)` calls, ANDed."""
    parts: list[str] = []
    for c in calls:
        if c.name not in ("where", "whereRef", "and") or not c.args:
            continue
        if len(c.args) == 1:
            found = template(c.args[0], dialect)
            parts.append(found[0] if found is not None else js.PLACEHOLDER + " IS NOT NULL")
            continue
        if len(c.args) < 3:
            continue
        column = js.value(c.args[0])
        operator = js.value(c.args[1])
        written = template(c.args[0], dialect)
        if (
            not (isinstance(column, str) or written is not None)
            or not isinstance(operator, str)
            or operator.lower() not in _OPERATORS
        ):
            parts.append(js.PLACEHOLDER + " IS NOT NULL")  # an expression builder: a condition all the same
            continue
        left = column_ref(column, dialect) if isinstance(column, str) else written[0] if written else ""
        if c.name == "whereRef":
            right = js.value(c.args[2])
            parts.append(f"{left} {operator} {column_ref(right, dialect) if isinstance(right, str) else '…'}")
            continue
        right_node = c.args[2]
        items = js.unwrap(right_node)
        if operator.lower() in ("in", "not in") and items.type == "array":
            listed = ", ".join(value(item, dialect) for item in items.named_children) or "NULL"
            parts.append(f"{left} {operator.upper()} ({listed})")
        else:
            parts.append(f"{left} {operator.upper()} {value(right_node, dialect)}")
    return " AND ".join(parts) or None
