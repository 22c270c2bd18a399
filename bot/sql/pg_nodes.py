"""Names, types, expressions and called functions read from pglast's nodes.

pglast prints a node back as SQL; types and expressions are then spelled the way the rest of the review
spells them (sqlglot's PostgreSQL rendering), so a type read by PostgreSQL's grammar compares equal to the
same type read from a Rails or Django migration. What sqlglot cannot spell keeps pglast's text.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from functools import lru_cache

import pglast
import sqlglot
from pglast import ast
from pglast.parser import ParseError
from pglast.stream import RawStream
from pglast.visitors import Ancestor
from sqlglot import exp

from bot.sql.names import DEFAULT_SCHEMAS, VOLATILE_FUNCTIONS, normalize_type
from bot.sql.statements import render

# Built-in functions PostgreSQL declares IMMUTABLE or STABLE: a default built on them is computed once.
# Any other function is VOLATILE unless the repository's own migrations declared it otherwise.
NON_VOLATILE_FUNCTIONS = frozenset(
    {
        "now", "transaction_timestamp", "statement_timestamp", "timezone", "date_trunc", "date_part",
        "extract", "make_date", "make_time", "make_timestamp", "make_timestamptz", "make_interval", "age",
        "to_char", "to_date", "to_timestamp", "to_number", "lower", "upper", "initcap", "trim", "btrim",
        "ltrim", "rtrim", "length", "char_length", "octet_length", "substr", "substring", "replace",
        "left", "right", "lpad", "rpad", "concat", "concat_ws", "format", "split_part", "regexp_replace",
        "md5", "sha256", "encode", "decode", "abs", "round", "floor", "ceil", "ceiling", "power", "sqrt",
        "greatest", "least", "coalesce", "nullif", "to_json", "to_jsonb", "json_build_object",
        "jsonb_build_object", "json_build_array", "jsonb_build_array", "array_length", "cardinality",
        "string_to_array", "array_to_string", "current_setting", "current_database", "current_schema",
        "uuid_nil", "uuid_ns_dns", "uuid_ns_url", "uuid_ns_oid", "uuid_ns_x500", "uuid_generate_v3",
        "uuid_generate_v5", "int4", "int8", "text", "numeric", "bool", "jsonb_set", "array_append",
        "tsvector", "to_tsvector", "setweight", "point", "daterange", "tstzrange", "int4range", "int8range",
    }
)  # fmt: skip


def relation(node: ast.RangeVar | None) -> str:
    """`schema.table` with the default schema dropped (pglast has already folded unquoted names)."""
    if node is None or not node.relname:
        return ""
    schema = node.schemaname or ""
    return f"{schema}.{node.relname}" if schema and schema not in DEFAULT_SCHEMAS else str(node.relname)


def alter_table_commands(sql: str) -> Iterator[tuple[str, ast.AlterTableCmd]]:
    """(table, command) of each `ALTER TABLE` command of `sql`, by PostgreSQL's parser; none when it refuses
    the text."""
    try:
        statements = pglast.parse_sql(sql)
    except ParseError:
        return
    for raw in statements:
        stmt = raw.stmt
        if not isinstance(stmt, ast.AlterTableStmt) or stmt.relation is None:
            continue
        table = relation(stmt.relation)
        for cmd in stmt.cmds or ():
            if isinstance(cmd, ast.AlterTableCmd):
                yield table, cmd


def dotted(names: tuple[ast.Node, ...] | list[ast.Node] | None) -> str:
    """A qualified name given as a list of `String` nodes, the default schema dropped."""
    parts = [str(getattr(n, "sval", "")) for n in names or ()]
    if len(parts) > 1 and parts[0] in DEFAULT_SCHEMAS | {"pg_catalog"}:
        parts = parts[1:]
    return ".".join(p for p in parts if p)


def deparse(node: ast.Node) -> str:
    """The node as pglast's printer spells it (`RawStream()(node)`, whose walk that tells each node its
    ancestors builds a visitor class per call: half of the printer's time on a value)."""
    stream = RawStream()
    _tell_ancestors((node,))  # the printer's call puts a lone node in a tuple first
    stream.print_node(node)
    return str(stream.getvalue())


def _tell_ancestors(root: tuple[ast.Node, ...]) -> None:
    """What pglast's `populate_ancestors` sets, in the same order: each node's chain of ancestors (the
    printers read it), a member of a tuple pointing at the tuple and its index."""
    todo: deque[tuple[Ancestor, object]] = deque([(Ancestor(), root)])
    set_ancestors = object.__setattr__  # `ancestors` is no field of the node: nothing to check
    while todo:
        ancestors, value = todo.popleft()
        items = enumerate(value) if isinstance(value, tuple) else ((None, value),)
        for index, item in items:
            mine = ancestors if index is None else Ancestor(ancestors, value, index)
            if isinstance(item, ast.Node):
                set_ancestors(item, "ancestors", mine)
                for member in item:
                    child = getattr(item, member)
                    if isinstance(child, tuple | ast.Node):
                        todo.append((Ancestor(mine, item, member), child))
            elif isinstance(item, tuple):
                for inner, child in enumerate(item):
                    if isinstance(child, tuple | ast.Node):
                        todo.append((Ancestor(mine, item, inner), child))


def value_text(node: ast.Node) -> str:
    """A value as pglast's printer spells it; a constant spelled directly (the printer costs a stream per
    call, and a seeded table can have thousands of cells)."""
    return (_constant(node) if isinstance(node, ast.A_Const) else "") or deparse(node)


def type_sql(node: ast.TypeName | None) -> str:
    """A column type as the review spells it: `varchar(20)`, `timestamptz`, `int`, `decimal(10, 2)`."""
    if node is None:
        return ""
    return _type_text(_plain_type(node) or deparse(node))


def _plain_type(node: ast.TypeName) -> str:
    """The common case without pglast's printer: a name, integer modifiers, array brackets."""
    names = [str(getattr(n, "sval", "")) for n in node.names or ()]
    if node.setof or node.pct_type or (node.typemod or -1) != -1 or not names or names[-1] == "interval":
        return ""
    modifiers = []
    for modifier in node.typmods or ():
        value = getattr(modifier, "val", None)
        if not isinstance(value, ast.Integer):
            return ""
        modifiers.append(str(value.ival))
    if names[0] == "pg_catalog" and names[-1] not in _INTERNAL_TYPES:
        return ""  # bpchar, "char", bit, json …: pglast's printer spells them as written
    name = _INTERNAL_TYPES[names[-1]] if names[0] == "pg_catalog" else ".".join(names)
    if not name.replace("_", "").replace(".", "").isalnum() or name != name.lower():
        return ""
    text = f"{name}({', '.join(modifiers)})" if modifiers else name
    return text + "[]" * len(node.arrayBounds or ())


# pg_catalog's internal names of the types the grammar spells with keywords.
_INTERNAL_TYPES = {
    "int2": "smallint",
    "int4": "integer",
    "int8": "bigint",
    "float4": "real",
    "float8": "double precision",
    "bool": "boolean",
    "varchar": "varchar",
    "timestamptz": "timestamptz",
    "timetz": "timetz",
    "numeric": "numeric",
}


@lru_cache(maxsize=2048)
def _type_text(text: str) -> str:
    for written, spelled in _TYPE_SPELLINGS:
        text = text.replace(written, spelled)
    return normalize_type(text, "postgres")


# pglast's spellings that sqlglot reads differently (or loses) → the equivalent it reads right.
_TYPE_SPELLINGS = (("pg_catalog.", ""), ("bit varying", "varbit"), ("interval (", "interval("))


def expression_sql(node: object) -> str | None:
    if not isinstance(node, ast.Node):
        return None
    if any("(" in name for name in called_functions(node)):
        return deparse(node)  # as written: sqlglot would spell `now(123)` as the built-in CURRENT_TIMESTAMP
    return _expression_text(_plain_expression(node) or deparse(node))


def _plain_expression(node: ast.Node) -> str:
    """Constants, casts of constants and calls without arguments, spelled as pglast's printer spells them."""
    if isinstance(node, ast.A_Const):
        return _constant(node)
    if isinstance(node, ast.FuncCall) and not node.args and not node.agg_star and not node.over:
        name = ".".join(str(getattr(n, "sval", "")) for n in node.funcname or ())
        return f"{name}()" if name.replace("_", "").replace(".", "").isalnum() else ""
    if isinstance(node, ast.TypeCast) and isinstance(node.arg, ast.A_Const) and node.typeName is not None:
        value, type_text = _constant(node.arg), _plain_type(node.typeName)
        return f"CAST({value} AS {type_text})" if value and type_text else ""
    return ""


def _constant(node: ast.A_Const) -> str:
    value = node.val
    if node.isnull:
        return "NULL"
    if isinstance(value, ast.String):
        return "'" + str(value.sval).replace("'", "''") + "'"
    if isinstance(value, ast.Integer | ast.Float):
        return str(value.ival if isinstance(value, ast.Integer) else value.fval)
    if isinstance(value, ast.Boolean):
        return "TRUE" if value.boolval else "FALSE"
    return ""


@lru_cache(maxsize=4096)
def _expression_text(text: str) -> str:
    try:
        parsed = sqlglot.parse_one(text, dialect="postgres")
    except Exception:  # sqlglot raises several error types on text it cannot spell
        return text
    return render(parsed) if isinstance(parsed, exp.Expression) else text


def walk(node: object) -> Iterator[ast.Node]:
    """Every node under `node`, itself included, depth first."""
    if isinstance(node, tuple | list):
        for item in node:
            yield from walk(item)
    elif isinstance(node, ast.Node):
        yield node
        for name in node:
            value = getattr(node, name)
            if isinstance(value, ast.Node | tuple | list):
                yield from walk(value)


def called_functions(node: object) -> tuple[str, ...]:
    """The functions an expression calls, by name (schema dropped), in order, once each."""
    names: dict[str, None] = {}
    for found in walk(node):
        if isinstance(found, ast.FuncCall):
            name = dotted(found.funcname).rsplit(".", 1)[-1]
            if name in _WITHOUT_ARGUMENTS and found.args:
                # PostgreSQL resolves a function by its name and arguments: `now(123)` is not the built-in
                # `now()` but some other function (or none), so nothing is known of its volatility
                name = f"{name}({len(found.args)} arguments)"
            names.setdefault(name, None)
    return tuple(names)


# Built-ins of NON_VOLATILE_FUNCTIONS that take no argument.
_WITHOUT_ARGUMENTS = frozenset(
    {"now", "transaction_timestamp", "statement_timestamp", "current_database", "current_schema", "uuid_nil"}
    | {"uuid_ns_dns", "uuid_ns_url", "uuid_ns_oid", "uuid_ns_x500"}
)


def may_be_volatile(functions: tuple[str, ...]) -> bool:
    """Does any of the functions change per row, as far as PostgreSQL's built-ins tell?"""
    return any(f in VOLATILE_FUNCTIONS or f not in NON_VOLATILE_FUNCTIONS for f in functions)


def unknown_functions(functions: tuple[str, ...]) -> tuple[str, ...]:
    """The functions not known to be IMMUTABLE or STABLE: volatile unless the repository declares them."""
    return tuple(f for f in functions if f in VOLATILE_FUNCTIONS or f not in NON_VOLATILE_FUNCTIONS)


def option(options: tuple[ast.Node, ...] | list[ast.Node] | None, name: str) -> ast.DefElem | None:
    return next((o for o in options or () if isinstance(o, ast.DefElem) and o.defname == name), None)


def flag(element: ast.DefElem | None) -> bool:
    """A boolean option: present without a value is true; `false`, `off` and `0` are false."""
    if element is None:
        return False
    if element.arg is None:
        return True
    return text_of(element.arg).lower() not in ("false", "off", "0", "no")


def function_name(call: ast.FuncCall) -> str:
    """The name of the function a call names, lower case and without its schema (`pg_catalog.setval` →
    `setval`)."""
    names = call.funcname or ()
    return text_of(names[-1]).lower() if names else ""


def text_of(node: object) -> str:
    """The value of a String/Integer/constant node as text."""
    if node is None:
        return ""
    for attribute in ("sval", "ival", "fval", "boolval"):
        if hasattr(node, attribute):
            return str(getattr(node, attribute))
    if isinstance(node, ast.A_Const) and node.val is not None:
        return text_of(node.val)
    return deparse(node) if isinstance(node, ast.Node) else str(node)
