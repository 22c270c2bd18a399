"""PHP 8.1 backed enums (`enum OrderStatus: string { case Paid = 'paid'; }`), the values a Laravel
application allows for a column named after them."""

from __future__ import annotations

import re

from bot.references.codesyntax.text import Definition, Found, Member, bracketed, line_of

_ENUM = re.compile(r"^[ \t]*enum\s+(\w+)\s*:\s*(?:string|int)\b[^{]*\{", re.M)
_CASE = re.compile(r"\bcase\s+(\w+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"|(-?\d+))\s*;")


def read(path: str, text: str) -> Found:
    if "enum" not in text:
        return [], []
    found = []
    for match in _ENUM.finditer(text):
        start, end = bracketed(text, match.end() - 1)
        members = tuple(
            Member(
                case.group(1),
                next(g for g in case.groups()[1:] if g is not None),
                line_of(text, start + case.start()),
            )
            for case in _CASE.finditer(text[start:end])
        )
        if members:
            found.append(Definition(match.group(1), "PHP enum", path, line_of(text, match.start()), members))
    return found, []
