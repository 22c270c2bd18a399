"""Where a bracket of code closes, the brackets and quotes inside it skipped: one scanner for the readers of
code text that need the extent of a call's arguments (`key_lookups`, `declared_columns`)."""

from __future__ import annotations

_OPENING = "([{"
_CLOSING = ")]}"


def closing_bracket(text: str, start: int, limit: int | None = None) -> int:
    """The offset of the bracket that closes the one at `start` (`(`, `[` or `{`), the brackets between them
    counted whatever their kind and quoted strings (with backslash escapes) skipped; -1 when it does not close
    within `limit` characters (the whole text when None)."""
    end = len(text) if limit is None else min(len(text), start + limit)
    depth, quote, i = 0, "", start
    while i < end:
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "'\"`":
            quote = char
        elif char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1
