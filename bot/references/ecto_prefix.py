"""The database schema an Ecto schema module's table lives in: `@schema_prefix "private"` (or `:private`) above
`schema "tokens" do` maps the module to `private.tokens`, not to the `tokens` of the search path; a query
given `prefix: "private"` reads that schema's table too.

A module without the attribute maps the table the search path finds (`public` unless configured otherwise).
"""

from __future__ import annotations

import re

_MODULE = re.compile(r"^[ \t]*defmodule[ \t]+[\w.]+", re.M)
_PREFIX = re.compile(r"""^[ \t]*@schema_prefix[ \t(]+(?::"?(\w+)"?|"(\w+)")""", re.M)
_SCHEMA = re.compile(r"""(?<![\w.@])schema[ \t(]+"$""")
_QUERY_PREFIX = re.compile(r""""[^\n]*?\bprefix:\s*(?:"(\w+)"|:"?(\w+)"?)""")
DEFAULT = "public"


def module_prefix(text: str, pos: int) -> str:
    """The `@schema_prefix` the module around `pos` declares before it, in lower case; "" when none."""
    if "@schema_prefix" not in text:
        return ""
    start = 0
    for module in _MODULE.finditer(text, 0, pos):
        start = module.start()
    found = ""
    for match in _PREFIX.finditer(text, start, pos):
        found = (match.group(1) or match.group(2)).lower()
    return found


def qualified(text: str, pos: int, table: str) -> str:
    """The table a `schema "…"` declaration at `pos` maps: `prefix.table` under a `@schema_prefix` other than
    the default schema, else `table` as written."""
    prefix = module_prefix(text, pos)
    return f"{prefix}.{table}" if prefix and prefix != DEFAULT else table


def other_schema(line: str, col: int, text: str, pos: int, table: str) -> bool:
    """Is the word at `col` of `line` (offset `pos` of `text`) a table named in another database schema than
    `table`'s (`public` when unqualified): the table of a `schema "…"` declaration under `@schema_prefix`, or
    of a query given its prefix (`from(t in "tokens", prefix: "private")`, `Repo.insert_all("tokens", rows,
    prefix: "private")`)?"""
    name = line[col:].partition('"')[0]
    if _SCHEMA.search(line, 0, col) is not None:
        mapped = qualified(text, pos, name)
    elif line[col - 1 : col] == '"' and (given := _QUERY_PREFIX.match(line, col + len(name))) is not None:
        prefix = (given.group(1) or given.group(2)).lower()
        mapped = f"{prefix}.{name}" if prefix != DEFAULT else name
    else:
        return False
    return _schema_of(mapped) != _schema_of(table)


def _schema_of(table: str) -> str:
    schema, _, _ = table.lower().rpartition(".")
    return schema or DEFAULT
