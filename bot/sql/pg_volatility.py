"""Which calls PostgreSQL counts as not IMMUTABLE, where only IMMUTABLE ones are allowed.

An index's key expressions and predicate, and a stored generated column's expression, may call only
IMMUTABLE functions: PostgreSQL refuses the statement otherwise ("functions in index expression must be
marked IMMUTABLE", "generation expression is not immutable"), on every database, empty or not. Some
built-ins are STABLE or VOLATILE whatever their arguments (`now()`, `to_char`, `concat`); others only for
some argument types (`date_trunc` of a timestamptz depends on the session's TimeZone, of a timestamp it
does not), and so are some casts (text to date reads DateStyle). The tables below are PostgreSQL's own
`pg_proc.provolatile` of its built-ins; a function the repository's migrations created counts as they
declared it (VOLATILE when they said nothing). Any other function is not judged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from pglast import ast

from bot.model.migration import Call
from bot.sql.pg_casts import pg_type
from bot.sql.pg_nodes import dotted, type_sql, walk

# Built-ins that are STABLE or VOLATILE in every overload.
_NOT_IMMUTABLE = {
    **dict.fromkeys(
        (
            "now", "statement_timestamp", "transaction_timestamp", "to_char", "to_date", "to_number", "concat",
            "concat_ws", "format", "array_to_string", "current_setting", "make_timestamptz", "json_build_object",
            "jsonb_build_object", "json_build_array", "jsonb_build_array", "to_json", "to_jsonb", "row_to_json",
            "array_to_json", "txid_current", "pg_current_xact_id", "pg_backend_pid", "inet_client_addr",
            "to_regclass", "current_database", "version", "current_date", "current_time", "current_timestamp",
            "localtime", "localtimestamp", "current_user", "current_role", "session_user", "user",
            "current_catalog", "current_schema",
            "unaccent",  # the unaccent extension's, STABLE: it reads a dictionary
        ),
        "stable",
    ),
    **dict.fromkeys(
        (
            "random", "random_normal", "setseed", "clock_timestamp", "timeofday", "gen_random_uuid", "uuidv4",
            "uuidv7", "nextval", "currval", "lastval", "uuid_generate_v1", "uuid_generate_v1mc",
            "uuid_generate_v4",
        ),
        "volatile",
    ),
}  # fmt: skip

# Built-ins that are STABLE for a timestamptz argument (at this position) and IMMUTABLE otherwise.
_ZONED_ARGUMENT = {"date_trunc": 1, "date_part": 1, "extract": 1, "date": 0}
# Built-ins that are STABLE with this many arguments: the text search ones without a configuration, `age` of
# one timestamp (it reads the current date), `to_timestamp` of a text and a format.
_STABLE_ARITY = {
    "to_tsvector": 1,
    "to_tsquery": 1,
    "plainto_tsquery": 1,
    "phraseto_tsquery": 1,
    "websearch_to_tsquery": 1,
    "age": 1,
    "to_timestamp": 2,
}
_TEMPORAL = frozenset({"date", "timestamp", "timestamptz", "time", "timetz", "interval"})


def calls(node: object) -> tuple[Call, ...]:
    """The functions and casts an expression makes, each with what is known of its arguments."""
    found: list[Call] = []
    for each in walk(node):
        if isinstance(each, ast.FuncCall):
            arguments = tuple(each.args or ())
            name = dotted(each.funcname).rsplit(".", 1)[-1]
            found.append(
                Call(name, columns=tuple(map(_column, arguments)), types=tuple(map(_type, arguments)))
            )
        elif isinstance(each, ast.SQLValueFunction) and each.op is not None:
            found.append(Call(re.sub(r"_n$", "", each.op.name.removeprefix("SVFOP_").lower())))
        elif isinstance(each, ast.TypeCast) and each.typeName is not None and each.arg is not None:
            found.append(
                Call("", cast=type_sql(each.typeName), columns=(_column(each.arg),), types=(_type(each.arg),))
            )
    return tuple(found)


def _column(node: object) -> str:
    if isinstance(node, ast.ColumnRef) and node.fields and isinstance(node.fields[-1], ast.String):
        return str(node.fields[-1].sval)
    return ""


def _type(node: object) -> str:
    if isinstance(node, ast.TypeCast) and node.typeName is not None:
        return type_sql(node.typeName)
    if isinstance(node, ast.A_Expr) and node.name and getattr(node.name[-1], "sval", "") in ("->>", "#>>"):
        return "text"
    return ""


def not_immutable(call: Call, column_type: Callable[[str], str], declared: Mapping[str, str]) -> str:
    """Why PostgreSQL counts the call as not IMMUTABLE, as a sentence's subject and verb ("`now()` is
    STABLE"); "" when it is IMMUTABLE or nothing says it is not. `column_type` gives the type of a column of
    the table; `declared`, the volatility of each function the repository's migrations created ("" for one
    PostgreSQL judges by its body: a LANGUAGE sql function it inlines)."""
    types = tuple(t or (column_type(c) if c else "") for t, c in zip(call.types, call.columns, strict=True))
    if not call.function:
        return _cast(_kind(types[0]) if types else "", _kind(call.cast))
    name = call.function
    if name in declared:
        volatility = declared[name]
        if volatility in ("", "immutable"):
            return ""  # the repository's own function of a built-in's name (an IMMUTABLE `unaccent`) too
        if volatility == "volatile":
            return f"`{name}()` is VOLATILE (the migration that creates it does not declare it IMMUTABLE)"
        return f"`{name}()` is declared {volatility.upper()}"
    if name in _NOT_IMMUTABLE:
        return f"`{name}` is {_NOT_IMMUTABLE[name].upper()}"  # the keywords (CURRENT_DATE) too
    at = _ZONED_ARGUMENT.get(name)
    if at is not None and len(types) > at and _kind(types[at]) == "timestamptz":
        return f"`{name}` of a timestamptz is STABLE (it depends on the TimeZone setting)"
    if _STABLE_ARITY.get(name) == len(types):
        return f"`{name}` with {len(types)} argument{'s' if len(types) > 1 else ''} is STABLE"
    return ""


def _kind(sql_type: str) -> str:
    return pg_type(re.sub(r"\(\s*\d+\s*\)", "", sql_type))


def _cast(source: str, target: str) -> str:
    """Why a cast from `source` to `target` (kinds of `pg_type`) is not IMMUTABLE; "" when it is or either
    type is unknown."""
    if not source or not target or source == target:
        return ""
    if source == "string" and target in _TEMPORAL:
        return f"the cast of text to {target} is STABLE (it depends on the DateStyle and TimeZone settings)"
    if source in _TEMPORAL - {"time", "timetz"} and target == "string":
        return f"the cast of {source} to text is STABLE (it depends on the DateStyle setting)"
    if (source == "timestamptz" and target in ("date", "time", "timestamp")) or (
        source in ("date", "timestamp") and target == "timestamptz"
    ):
        return f"the cast of {source} to {target} is STABLE (it depends on the TimeZone setting)"
    return ""
