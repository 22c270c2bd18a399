"""The database a Doctrine migration says it runs on: `$this->abortIf(…)` on the connection's platform.

`make:migration` writes, at the top of `up()` and `down()`, a guard that stops the migration on any other
database: `$this->abortIf(!$this->connection->getDatabasePlatform() instanceof PostgreSQLPlatform, …)`, or in
older versions `$this->abortIf($this->connection->getDatabasePlatform()->getName() !== 'mysql', …)`. Its SQL is
that database's, whatever the project runs on otherwise. Read from the text (no grammar): the dialect of each
changed file is decided before any file is parsed.
"""

from __future__ import annotations

import re

from bot.frameworks.dialect_guards import runs_on

_ABORT = re.compile(r"\$this\s*->\s*abortIf\s*\(")
_FAMILIES = ("postgres", "mysql", "sqlite")


def guarded_family(text: str) -> str | None:
    """The one database family (postgres, mysql, sqlite) the migration's `abortIf` guards let it run on;
    None when no guard names a platform."""
    if "abortIf" not in text or ("Platform" not in text and "getName" not in text):
        return None
    allowed = set(_FAMILIES)
    named = False
    for match in _ABORT.finditer(text):
        condition = _first_argument(text, match.end())
        if "Platform" not in condition and "getName" not in condition:
            continue
        aborts = {family for family in _FAMILIES if runs_on(condition, family) is True}
        if any(runs_on(condition, family) is not None for family in _FAMILIES):
            named = True
            allowed -= aborts
    return next(iter(allowed)) if named and len(allowed) == 1 else None


def _first_argument(text: str, start: int) -> str:
    """The text of a call's first argument: up to the first comma outside brackets and strings."""
    depth, quote, index = 0, "", start
    while index < len(text) and index < start + 1000:
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif char == "," and depth == 0:
            break
        index += 1
    return text[start:index]
