"""Go typed constants in `const ( … )` blocks, with `iota`, and struct fields typed with them."""

from __future__ import annotations

import re

from bot.references.codesyntax.text import (
    STRING,
    Definition,
    FieldLink,
    Found,
    Member,
    bracketed,
    line_of,
    lines_of,
    snake,
)

_GO_CONST = re.compile(r"^const\s*\(", re.M)
_GO_LINE = re.compile(
    rf"^\s*([A-Z]\w*)(?:\s+([A-Z]\w*))?(?:\s*=\s*(?:{STRING}|(-?\d+)|(iota)(?:\s*\+\s*(\d+))?))?\s*(?://.*)?$"
)
_GO_FIELD = re.compile(
    r"^\s*([A-Z]\w*)\s+([A-Z]\w*)\s*(?:`[^`]*(?:db|gorm:\"column|json):?\"?(\w+)[^`]*`)?\s*$", re.M
)


def read(path: str, text: str) -> Found:
    groups: dict[str, list[Member]] = {}
    first_line: dict[str, int] = {}
    for block in _GO_CONST.finditer(text):
        start, end = bracketed(text, block.end() - 1, "(", ")")
        current_type, counter = "", None
        for offset, line in lines_of(text, start, end):
            match = _GO_LINE.match(line)
            if not match or not line.strip():
                continue
            name, type_name = match.group(1), match.group(2) or current_type
            literal = (
                match.group(3)
                if match.group(3) is not None
                else match.group(4)
                if match.group(4) is not None
                else match.group(5)
            )
            if match.group(6):
                counter = int(match.group(7) or 0)
                literal = str(counter)
            elif literal is None and counter is not None and type_name:
                counter += 1
                literal = str(counter)
            elif literal is not None:
                counter = None
            current_type = type_name
            if type_name and literal is not None:
                groups.setdefault(type_name, []).append(Member(name, literal, line_of(text, offset)))
                first_line.setdefault(type_name, line_of(text, offset))
    definitions = [Definition(t, "Go constants", path, first_line[t], tuple(m)) for t, m in groups.items()]
    links = [FieldLink("", m.group(3) or snake(m.group(1)), m.group(2)) for m in _GO_FIELD.finditer(text)]
    return definitions, links
