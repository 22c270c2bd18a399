"""Ecto schema fields typed `Ecto.Enum` (`field :status, Ecto.Enum, values: [:open, :paid]`, or a keyword
list `values: [open: 1, paid: 2]` for an integer column): the values the application allows for that column
of the schema's table."""

from __future__ import annotations

import re

from bot.references.codesyntax.text import Definition, Found, Member, bracketed, line_of

_SCHEMA = re.compile(r"\bschema\s*\(?\s*\"([^\"]+)\"")
_FIELD = re.compile(r"\bfield\s*\(?\s*:(\w+)\s*,\s*Ecto\.Enum\s*,[^\n]*?\bvalues:\s*\[")
_ATOM = re.compile(r":(\w+)|\b(\w+):\s*(-?\d+)|\"([^\"]*)\"")


def read(path: str, text: str) -> Found:
    if "Ecto.Enum" not in text:
        return [], []
    found = []
    for match in _FIELD.finditer(text):
        schema = [s for s in _SCHEMA.finditer(text) if s.start() < match.start()]
        table = schema[-1].group(1) if schema else ""
        start, end = bracketed(text, match.end() - 1, "[", "]")
        line = line_of(text, match.start())
        members = []
        for item in _ATOM.finditer(text[start:end]):
            atom, key, number, string = item.groups()
            if key is not None:
                members.append(Member(key, number, line))
            elif atom is not None or string is not None:
                value = atom if atom is not None else string
                members.append(Member(value, value, line))
        if members and table:
            column = match.group(1)
            found.append(Definition(column, "Ecto.Enum", path, line, tuple(members), table, column))
    return found, []
