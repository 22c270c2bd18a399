"""Enum, choice and constant definitions read from source files, one small reader per language.

Each reader takes a file's text and returns the definitions it declares (with the line of every value)
and the fields that are declared with one of them as their type (`status OrderStatus`), so a column can
be matched to the values the code allows for it. Readers are line-oriented regular expressions: they
never execute or import the code, and a construct they do not recognise is simply not indexed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from bot.references.codesyntax.text import LENGTH_LIMIT, SCALAR, Definition, FieldLink, Found, Member, snake

__all__ = ["LENGTH_LIMIT", "READERS", "SCALAR", "Definition", "FieldLink", "Member", "reader_for", "snake"]

# extension → (module of this package, its reader); a module is imported when a file of its language is
# first read, so a tree of SQL files never loads the Ruby, Python, TypeScript, Go and JVM readers
READERS: dict[str, tuple[str, str]] = {
    ".rb": ("ruby", "read"),
    ".py": ("python", "read"),
    ".ts": ("typescript", "read"),
    ".tsx": ("typescript", "read"),
    ".go": ("go", "read"),
    ".java": ("jvm", "read"),
    ".kt": ("jvm", "read"),
    ".php": ("php", "read"),
    ".ex": ("elixir", "read"),
    ".prisma": ("schema", "read_prisma"),
    ".sql": ("schema", "read_sql"),
    ".json": ("json_schema", "read"),
}


def reader_for(path: str) -> Callable[[str, str], Found] | None:
    dot = path.rfind(".")
    if path.endswith(".json") and "schema" not in path.lower():
        return None  # JSON is read for schemas only, not for every fixture, lock file or translation
    found = READERS.get(path[dot:]) if dot >= 0 else None
    if found is None:
        return None
    module, reader = found
    read: Callable[[str, str], Found] = getattr(importlib.import_module(f"{__name__}.{module}"), reader)
    return read
