"""Java and Kotlin enums, with the value passed to their constructor when there is one."""

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
    snake,
)

_JVM_ENUM = re.compile(r"\benum\s+(?:class\s+)?(\w+)\s*(?:\([^)]*\))?\s*(?::\s*[\w<>, ]+)?\{")
_JVM_FIELD = re.compile(
    r"(?:private|protected|public|val|var)\s+(?:final\s+)?(?:(\w+)\s*:\s*([A-Z]\w*)|([A-Z]\w*)\s+(\w+)\s*[;=])"
)


def read(path: str, text: str) -> Found:
    definitions = []
    for match in _JVM_ENUM.finditer(text):
        start, end = bracketed(text, match.end() - 1)
        body = text[start:end].split(";", 1)[0]
        members = []
        for item in re.finditer(
            rf"(?:^|,)\s*(?:@\w+(?:\([^)]*\))?\s*)*([A-Z][A-Z0-9_]*)\s*(?:\(\s*(?:{STRING}|(-?\d+))?[^)]*\))?",
            body,
        ):
            value = next((g for g in item.groups()[1:] if g is not None), item.group(1))
            members.append(Member(item.group(1), value, line_of(text, start + item.start(1))))
        kind = "Kotlin enum" if path.endswith(".kt") else "Java enum"
        definitions.append(
            Definition(match.group(1), kind, path, line_of(text, match.start()), tuple(members))
        )
    links = [
        FieldLink("", snake(m.group(1) or m.group(4)), m.group(2) or m.group(3))
        for m in _JVM_FIELD.finditer(text)
    ]
    return definitions, links
