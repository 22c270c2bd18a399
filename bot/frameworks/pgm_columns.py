"""The values of node-pg-migrate's `pgm.*` calls, and the SQL it writes for names, values, columns and
constraints (`pgm_sql` writes each call's statement from them).

Names are quoted as the runner quotes them (case kept); a column's type goes through the migration's
`shorthands` and the runner's adapters (`int` → `integer`, `string` → `text`); a value is escaped as the runner
escapes it, `pgm.func(…)` and `PgLiteral` as the SQL they hold. Generated names are the runner's:
`<table>_<columns>[_unique]_index`, `<table>_fk_<columns>`, `<table>_uniq_<columns>`, `<table>_chck`, `<table>_pkey`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

from tree_sitter import Node

from bot.frameworks import javascript as js


@dataclass(frozen=True)
class Raw:
    """SQL the migration gives as it stands: `pgm.func('now()')`, `new PgLiteral('…')`."""

    text: str


class Unread(Exception):
    """A call whose arguments the review cannot turn into SQL (computed when the code runs)."""


Value = str | int | float | bool | None | list["Value"] | dict[str, "Value"] | js.Code | Raw
Shorthands = dict[str, Value]
_RAW_CALLS = frozenset({"func", "create"})


def read(node: Node | None, depth: int = 0) -> Value:
    """An argument as a value: literals, arrays and objects, `pgm.func(…)`/`PgLiteral.create(…)`/`new
    PgLiteral(…)` as Raw, a `const` of the module read where it is declared; anything else is code."""
    if node is None:
        return None
    node = js.unwrap(node)
    if node.type == "identifier" and depth < 4:
        bound = js.resolve(node)
        if bound is not node:
            return read(bound, depth + 1)
    found = js.call(node)
    if found is not None and found.name in ("values", "keys") and js.text_of(found.receiver) == "Object":
        held = js.LOOPS.held(js.text_of(found.args[0])) if found.args else None
        if isinstance(held, list) and found.name == "values":  # `Object.values(Kind)` of an imported enum
            return [str(item) for item in held]
    if (
        found is not None
        and found.args
        and (
            (found.name in _RAW_CALLS and found.receiver is not None)
            or (node.type == "new_expression" and found.name.endswith("PgLiteral"))
        )
    ):
        inner = read(found.args[0], depth)
        return Raw(inner) if isinstance(inner, str) else js.Code(js.text_of(node))
    if node.type == "array":
        return [read(child, depth) for child in node.named_children if child.type != "comment"]
    if node.type == "object":
        values = {key: read(value, depth) for key, value in js.pairs(node).items()}
        if values.get("literal") is True and isinstance(values.get("value"), str):
            return Raw(str(values["value"]))  # `{ literal: true, value: '…' }`, a PgLiteral written out
        return values
    if node.type == "template_string" and any(c.type == "template_substitution" for c in node.named_children):
        filled = js.sql_text(node)  # `REFERENCES ${Model.tableName}`: a substitution the review knows
        if filled is not None and js.PLACEHOLDER not in filled[0]:
            return filled[0]
    return cast(Value, js.value(node))


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def ident(found: Value) -> str:
    """A name as the runner writes it: `"users"`, `"app"."users"` for `{ schema, name }`, a Raw as it is."""
    if isinstance(found, Raw):
        return found.text
    if isinstance(found, str):
        return quote(found)
    if isinstance(found, dict) and isinstance(found.get("name"), str):
        schema = found.get("schema")
        prefix = f"{quote(schema)}." if isinstance(schema, str) and schema else ""
        return prefix + quote(str(found["name"]))
    raise Unread("a name computed when the code runs")


def bare(found: Value) -> str:
    """The name itself, without its schema (what generated names are made of)."""
    if isinstance(found, dict) and isinstance(found.get("name"), str):
        return str(found["name"])
    if isinstance(found, str | Raw):
        return found.text if isinstance(found, Raw) else found
    raise Unread("a name computed when the code runs")


def literal(found: Value) -> str:
    """A value as the runner escapes it: NULL, true, a quoted string, a number, ARRAY[…], a Raw as it is."""
    if found is None:
        return "NULL"
    if isinstance(found, bool):
        return "true" if found else "false"
    if isinstance(found, Raw):
        return found.text
    if isinstance(found, str):
        return "'" + found.replace("'", "''") + "'"
    if isinstance(found, int | float):
        return str(found)
    if isinstance(found, list):
        return "ARRAY[" + ",".join(literal(item).removeprefix("ARRAY") for item in found) + "]"
    raise Unread("a value computed when the code runs")


def text_of(found: Value, what: str) -> str:
    if isinstance(found, str):
        return found
    if isinstance(found, Raw):
        return found.text
    raise Unread(f"{what} computed when the code runs")


def options_at(args: list[Value], index: int) -> dict[str, Value]:
    found = args[index] if len(args) > index else None
    if found is None:
        return {}
    if not isinstance(found, dict):
        raise Unread("options computed when the code runs")
    return found


def many(found: Value) -> list[Value]:
    return found if isinstance(found, list) else [found]


ADAPTERS = {
    "int": "integer",
    "string": "text",
    "float": "real",
    "double": "double precision",
    "datetime": "timestamp",
    "bool": "boolean",
}
_DEFAULT_SHORTHANDS: Shorthands = {"id": {"type": "serial", "primaryKey": True}}


def column_definition(found: Value, shorthands: Shorthands) -> dict[str, Value]:
    """A column's definition with its type's shorthands applied, as the runner's `applyType` does."""
    options = {"type": found} if isinstance(found, str) else found
    if not isinstance(options, dict) or not isinstance(options.get("type"), str | dict):
        raise Unread("a column definition computed when the code runs")
    table = {**_DEFAULT_SHORTHANDS, **shorthands}
    merged: dict[str, Value] = {}
    kind = options["type"]
    seen: list[Value] = [kind]
    while isinstance(kind, str) and kind in table:
        more = table[kind]
        more = {"type": more} if isinstance(more, str) else more
        if not isinstance(more, dict):
            break
        merged = {**more, **{k: v for k, v in merged.items() if k != "type"}}
        kind = more.get("type")
        if kind in seen:
            break
        seen.append(kind)
    result = {**merged, **options}
    final = merged.get("type", options["type"]) if merged else options["type"]
    result["type"] = ADAPTERS.get(final, final) if isinstance(final, str) else final
    return result


def _references(options: dict[str, Value]) -> str:
    target = options.get("references")
    text = (
        target
        if isinstance(target, str) and (target.startswith('"') or target.endswith(")"))
        else ident(target)
    )
    clauses = [f"REFERENCES {text}"]
    for key, word in (("match", "MATCH"), ("onDelete", "ON DELETE"), ("onUpdate", "ON UPDATE")):
        if options.get(key):
            clauses.append(f"{word} {text_of(options[key], key)}")
    return " ".join(clauses)


def _deferrable(options: dict[str, Value]) -> str:
    return f"DEFERRABLE INITIALLY {'DEFERRED' if options.get('deferred') else 'IMMEDIATE'}"


def columns_sql(table: Value, columns: Value, shorthands: Shorthands) -> tuple[list[str], dict[str, Value]]:
    """Each column's line (`"email" text NOT NULL`), and the table constraint several `primaryKey` columns
    make."""
    if not isinstance(columns, dict):
        raise Unread("the columns are computed when the code runs")
    defined = {name: column_definition(spec, shorthands) for name, spec in columns.items()}
    keys = [name for name, spec in defined.items() if spec.get("primaryKey")]
    lines = [_column(table, name, spec, len(keys) > 1) for name, spec in defined.items()]
    return lines, ({"primaryKey": list(keys)} if len(keys) > 1 else {})


def _column(table: Value, name: str, spec: dict[str, Value], shared_key: bool) -> str:
    parts: list[str] = []
    if spec.get("collation"):
        parts.append(f"COLLATE {text_of(spec['collation'], 'a collation')}")
    if "default" in spec:
        parts.append(f"DEFAULT {literal(spec['default'])}")
    if spec.get("unique"):
        parts.append("UNIQUE")
    if spec.get("primaryKey") and not shared_key:
        parts.append("PRIMARY KEY")
    if spec.get("notNull"):
        parts.append("NOT NULL")
    if spec.get("check"):
        parts.append(f"CHECK ({text_of(spec['check'], 'a check')})")
    if spec.get("references"):
        named = spec.get("referencesConstraintName")
        parts.append(
            (f"CONSTRAINT {quote(str(named))} " if isinstance(named, str) else "") + _references(spec)
        )
    if spec.get("deferrable"):
        parts.append(_deferrable(spec))
    generated = spec.get("sequenceGenerated")
    if isinstance(generated, dict):
        parts.append(f"GENERATED {text_of(generated.get('precedence'), 'a precedence')} AS IDENTITY")
    if spec.get("expressionGenerated"):
        parts.append(f"GENERATED ALWAYS AS ({text_of(spec['expressionGenerated'], 'an expression')}) STORED")
    kind = spec.get("type")
    base = ident(kind) if isinstance(kind, dict) else text_of(kind, "a type")
    array = spec.get("array")
    base += " ARRAY" if array is True else f" ARRAY[{array}]" if isinstance(array, int) and array else ""
    return " ".join([quote(name), base, *parts])


def constraints_sql(table: Value, options: dict[str, Value], name: str | None) -> list[str]:
    """The table constraints of `createTable`'s `constraints` and of `addConstraint`'s options, named as the
    runner names them (`<table>_uniq_<columns>`, `<table>_fk_<columns>`, `<table>_chck`, `<table>_pkey`)."""
    table_name = bare(table)
    found: list[str] = []
    check = options.get("check")
    if isinstance(check, list):
        for index, each in enumerate(check, 1):
            found.append(
                f"CONSTRAINT {quote(name or f'{table_name}_chck_{index}')} CHECK ({text_of(each, 'a check')})"
            )
    elif check:
        found.append(f"CONSTRAINT {quote(name or f'{table_name}_chck')} CHECK ({text_of(check, 'a check')})")
    unique = options.get("unique")
    if unique:
        sets = many(unique)
        groups = sets if any(isinstance(s, list) for s in sets) else [sets]
        for group in groups:
            columns = [bare(c) for c in many(group)]
            label = name or f"{table_name}_uniq_{'_'.join(columns)}"
            found.append(f"CONSTRAINT {quote(label)} UNIQUE ({', '.join(quote(c) for c in columns)})")
    key = options.get("primaryKey")
    if key:
        keys = ", ".join(quote(bare(c)) for c in many(key))
        found.append(f"CONSTRAINT {quote(name or f'{table_name}_pkey')} PRIMARY KEY ({keys})")
    for foreign in many(options.get("foreignKeys")) if options.get("foreignKeys") else []:
        if not isinstance(foreign, dict):
            raise Unread("a foreign key computed when the code runs")
        columns_list = [bare(c) for c in many(foreign.get("columns"))]
        named = foreign.get("referencesConstraintName")
        label = named if isinstance(named, str) else name or f"{table_name}_fk_{'_'.join(columns_list)}"
        keys = ", ".join(quote(c) for c in columns_list)
        found.append(f"CONSTRAINT {quote(label)} FOREIGN KEY ({keys}) {_references(foreign)}")
    if options.get("exclude"):
        found.append(
            f"CONSTRAINT {quote(name or f'{table_name}_excl')} EXCLUDE {text_of(options['exclude'], 'x')}"
        )
    if options.get("deferrable"):
        found = [f"{line} {_deferrable(options)}" for line in found]
    return found


_EXPRESSION = re.compile(r'[^\w".]')


def index_column(found: Value) -> tuple[str, str]:
    """(SQL, the part of the generated index name) of one index column."""
    if isinstance(found, Raw):
        raise Unread("an index on an expression without a name")
    if isinstance(found, dict):
        sql, part = index_column(found.get("name"))
        extra = [ident(found["opclass"])] if found.get("opclass") else []
        extra += [text_of(found["sort"], "a sort")] if found.get("sort") else []
        return " ".join([sql, *extra]), part
    text = text_of(found, "an index column")
    if _EXPRESSION.search(text):
        return (text if text.endswith(")") else f"({text})"), text
    return quote(text), text


def index_name(table: Value, columns: Value, options: dict[str, Value]) -> Value:
    named = options.get("name")
    if isinstance(named, str):
        return {"schema": table.get("schema"), "name": named} if isinstance(table, dict) else named
    parts = [index_column(c)[1] if not isinstance(c, Raw) else "" for c in many(columns)]
    if any(isinstance(c, Raw) for c in many(columns)):
        raise Unread("an index on an expression without a name")
    suffix = "_unique" if options.get("unique") else ""
    generated = f"{bare(table)}_{'_'.join(parts)}{suffix}_index"
    return {"schema": table.get("schema"), "name": generated} if isinstance(table, dict) else generated


def drop_options(options: dict[str, Value]) -> tuple[str, str]:
    return (" IF EXISTS" if options.get("ifExists") else ""), (" CASCADE" if options.get("cascade") else "")
