"""Which type changes PostgreSQL makes without a USING clause.

`ALTER COLUMN … TYPE` converts the stored values with the assignment cast from the old type to the new one.
Where there is none (`text` to `integer`, `integer` to `boolean`, `varchar` to `uuid`), the statement fails on
every database, empty or not: "column cannot be cast automatically". The pairs below are PostgreSQL's own
implicit and assignment casts among its built-in types (`pg_cast` with `castcontext` `i` or `a`); any type
converts to a string type (its output function), a string type to nothing else.
"""

from __future__ import annotations

_NAMES = {
    **dict.fromkeys(("smallint", "int2", "smallserial", "serial2"), "int2"),
    **dict.fromkeys(("integer", "int", "int4", "serial", "serial4"), "int4"),
    **dict.fromkeys(("bigint", "int8", "bigserial", "serial8"), "int8"),
    **dict.fromkeys(("numeric", "decimal"), "numeric"),
    **dict.fromkeys(("real", "float4"), "float4"),
    **dict.fromkeys(("double precision", "float8", "float", "double"), "float8"),
    **dict.fromkeys(("boolean", "bool"), "bool"),
    **dict.fromkeys(
        ("text", "varchar", "character varying", "char", "character", "bpchar", "citext", "name"), "string"
    ),
    **dict.fromkeys(("timestamp", "timestamp without time zone"), "timestamp"),
    **dict.fromkeys(("timestamptz", "timestamp with time zone"), "timestamptz"),
    **dict.fromkeys(("time", "time without time zone"), "time"),
    **dict.fromkeys(("timetz", "time with time zone"), "timetz"),
    **dict.fromkeys(("bit varying", "varbit"), "varbit"),
    **{
        name: name for name in ("date", "interval", "uuid", "json", "jsonb", "bytea", "inet", "cidr", "money")
    },
    **{name: name for name in ("bit", "xml", "macaddr")},
}
_NUMBERS = ("int2", "int4", "int8", "numeric", "float4", "float8")
_ASSIGNABLE = frozenset(
    {(a, b) for a in _NUMBERS for b in _NUMBERS if a != b}
    | {("money", "numeric"), ("int4", "money"), ("int8", "money"), ("numeric", "money")}
    | {("timestamp", "date"), ("timestamptz", "date"), ("date", "timestamp"), ("timestamptz", "timestamp")}
    | {("date", "timestamptz"), ("timestamp", "timestamptz"), ("timestamp", "time"), ("timestamptz", "time")}
    | {
        ("timetz", "time"),
        ("interval", "time"),
        ("timestamptz", "timetz"),
        ("time", "timetz"),
        ("time", "interval"),
    }
    | {
        ("jsonb", "json"),
        ("json", "jsonb"),
        ("cidr", "inet"),
        ("inet", "cidr"),
        ("varbit", "bit"),
        ("bit", "varbit"),
    }
)


def pg_type(sql_type: str) -> str:
    """The built-in type a column type names (`character varying(20)` → `string`), "" when not built in."""
    text = sql_type.strip().lower().split("(", 1)[0].strip()
    if text.endswith("[]"):
        return ""
    return _NAMES.get(" ".join(text.split()), "")


def converts_without_using(old: str, new: str) -> bool | None:
    """True when PostgreSQL converts `old` to `new` by itself, False when it needs USING, None when either type
    is not one of its built-in types (an enum, a domain, an array: not judged here)."""
    a, b = pg_type(old), pg_type(new)
    if not a or not b:
        return None
    return a == b or b == "string" or (a, b) in _ASSIGNABLE
