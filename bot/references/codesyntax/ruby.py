"""Rails `enum` declarations: hashes, arrays and the keyword form."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.references.codesyntax.text import STRING, Definition, Found, Member, bracketed, enclosing, line_of

_RB_ENUM = re.compile(r"^[ \t]*enum[ \t(]+(?::(\w+)\s*,|(\w+):)\s*", re.M)
_RB_CLASS = re.compile(r"^\s*(?:class|module)\s+([\w:]+)", re.M)
_RB_PAIR = re.compile(rf"[\"']?(\w+)[\"']?\s*(?::|=>)\s*(?:{STRING}|(-?\d+))")
_RB_OPTIONS = {"prefix", "suffix", "default", "validate", "scopes", "instance_methods"}


def read(path: str, text: str) -> Found:
    found = []
    for match in _RB_ENUM.finditer(text):
        column = match.group(1) or match.group(2)
        rest = text[match.end() : match.end() + 4000]
        opener = rest[:1]
        if opener in "[{":
            inner_start, inner_end = bracketed(text, match.end(), opener, "]" if opener == "[" else "}")
            body, base = text[inner_start:inner_end], inner_start
        else:
            body, base = rest.split("\n", 1)[0], match.end()
        members = list(_ruby_members(body, base, text, array=opener == "["))
        if members:
            owner = enclosing(text, match.start(), _RB_CLASS)
            found.append(
                Definition(
                    column, "Rails enum", path, line_of(text, match.start()), tuple(members), owner, column
                )
            )
    return found, []


def _ruby_members(body: str, base: int, text: str, *, array: bool) -> Iterator[Member]:
    if array:
        for index, item in enumerate(re.finditer(r":(\w+)|[\"'](\w+)[\"']", body)):
            yield Member(item.group(1) or item.group(2), str(index), line_of(text, base + item.start()))
        return
    for pair in _RB_PAIR.finditer(body):
        label = pair.group(1)
        if label.lstrip("_") in _RB_OPTIONS:
            continue
        value = next(g for g in pair.groups()[1:] if g is not None)
        yield Member(label, value, line_of(text, base + pair.start()))
