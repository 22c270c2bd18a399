"""The rows of an `INSERT … VALUES` read without the parser (MySQL, SQLite: dumps hold millions of them): each
row's values as SQL text, quotes kept, so the lookup rows migrations seed are known in every dialect."""

from __future__ import annotations

import re

from bot.model.migration import MAX_ROWS

_TOKEN = re.compile(r"'(?:[^'\\]|''|\\.)*'|\"(?:[^\"]|\"\")*\"|`[^`]*`|[(),]|[^\s(),'\"`]+")
_VALUES = re.compile(r"VALUES?", re.I)


def _keyword(sql: str) -> int | None:
    """Where the rows start: after the VALUES (or MySQL's VALUE) that stands outside every parenthesis and
    quote; a column named `value` in the column list is no keyword."""
    depth = 0
    for token in _TOKEN.finditer(sql):
        word = token.group()
        if word == "(":
            depth += 1
        elif word == ")":
            depth -= 1
        elif depth == 0 and _VALUES.fullmatch(word):
            return token.end()
    return None


def values_rows(sql: str) -> tuple[tuple[str, ...], ...]:
    """`INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')` → (("1", "'x'"), ("2", "'y'")); () when the text
    after VALUES is no list of rows (an ON DUPLICATE KEY clause after the rows ends the list)."""
    found = _keyword(sql)
    if found is None:
        return ()
    rows: list[tuple[str, ...]] = []
    depth, start, row = 0, 0, list[str]()
    text = sql[found:]
    for token in _TOKEN.finditer(text):
        word = token.group()
        if word == "(":
            depth += 1
            if depth == 1:
                start, row = token.end(), []
        elif word == ")":
            depth -= 1
            if depth == 0:
                row.append(text[start : token.start()].strip())
                rows.append(tuple(row))
                if len(rows) >= MAX_ROWS:
                    break
            if depth < 0:
                return ()
        elif word == "," and depth == 1:
            row.append(text[start : token.start()].strip())
            start = token.end()
        elif depth == 0 and word != ",":
            break  # ON DUPLICATE KEY UPDATE, RETURNING …: the rows are read
    return tuple(rows)
