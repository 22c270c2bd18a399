"""Boolean columns added to existing tables: what their type, default and name say (shared by
existing-rows-switched-off and consent-assumed)."""

from __future__ import annotations

import re

from bot.references.inflection import name_words

BOOLEAN = re.compile(r"^(?:bool(?:ean)?|tinyint\(1\)|bit(?:\(1\))?)$", re.I)
FALSE = {"false", "0", "'f'", "'false'", "'0'", "b'0'", "f"}
TRUE = {"true", "1", "'t'", "'true'", "'1'", "b'1'", "t"}


def flag_word(name: str) -> str:
    """The state a column names as the flag of its row (`is_active`, `isVisible`, `deleted`), or ""."""
    words = name_words(name)
    if words and words[0] in ("is", "has"):
        words = words[1:]
    return words[0] if len(words) == 1 else ""
