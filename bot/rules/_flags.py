"""Boolean columns added to existing tables: what their type, default and name say (shared by
existing-rows-switched-off and consent-assumed)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.migration import AddColumn, Migration
from bot.references.inflection import name_words
from bot.rules.context import Context

BOOLEAN = re.compile(r"^(?:bool(?:ean)?|tinyint\(1\)|bit(?:\(1\))?)$", re.I)
FALSE = {"false", "0", "'f'", "'false'", "'0'", "b'0'", "f"}
TRUE = {"true", "1", "'t'", "'true'", "'1'", "b'1'", "t"}


def flag_word(name: str) -> str:
    """The state a column names as the flag of its row (`is_active`, `isVisible`, `deleted`), or ""."""
    words = name_words(name)
    if words and words[0] in ("is", "has"):
        words = words[1:]
    return words[0] if len(words) == 1 else ""


def added_flags(migration: Migration, context: Context) -> Iterator[AddColumn]:
    """The boolean columns the migration adds, with a default, to tables that already hold rows."""
    for op in migration.up:
        if not isinstance(op, AddColumn) or context.catalog.is_new(op.table):
            continue
        column = op.column
        if BOOLEAN.match(column.type.strip()) and column.default is not None and not column.generated:
            yield op
