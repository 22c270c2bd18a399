"""Suggested statement text: small textual edits a rule offers as the statement to write instead.

Each edit returns None unless the place to change is found exactly once, so a suggestion is never a guess.
"""

from __future__ import annotations

import re


def retype(sql: str, column: str, old: str, new: str) -> str | None:
    """Replace the type `old` (a regular expression) declared for `column` with `new`."""
    name = re.escape(column)
    pattern = re.compile(
        rf"((?:\b|[\"`]){name}[\"`]?\s+(?:(?:SET\s+DATA\s+)?TYPE\s+)?)(?:{old})(?![\w(])", re.I
    )
    if len(pattern.findall(sql)) != 1:
        return None
    return pattern.sub(lambda m: m.group(1) + new, sql, count=1)
