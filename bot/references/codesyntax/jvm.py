"""Java and Kotlin enums, with the value passed to their constructor when there is one, classes that
group string or integer constants (`static final String PAID = "paid";`, Kotlin `const val PAID = "paid"`),
and the maximum lengths Bean Validation enforces on a field (`@Size(max = 100) private String name;`)."""

from __future__ import annotations

import re

from bot.references.codesyntax.text import (
    STRING,
    Definition,
    FieldLink,
    Found,
    Member,
    bracketed,
    enclosing,
    length_limit,
    line_of,
    prefixed_groups,
    scalars,
    snake,
)

_JVM_ENUM = re.compile(r"\benum\s+(?:class\s+)?(\w+)\s*(?:\([^)]*\))?\s*(?::\s*[\w<>, ]+)?\{")
_JVM_CLASS = re.compile(r"\b(?:class|interface|object)\s+(\w+)[^{;]*\{")
_JAVA_CONSTANT = re.compile(
    r"\b(?:static\s+final|final\s+static)\s+(String|int|long|Integer|Long)\s+([A-Z][A-Z0-9_]*)\s*=\s*"
    r"(?:\"([^\"]*)\"|(-?\d+)L?)\s*;"
)
_KOTLIN_CONSTANT = re.compile(
    r"\bconst\s+val\s+([A-Z][A-Z0-9_]*)\s*(?::\s*(\w+))?\s*=\s*(?:\"([^\"$]*)\"|(-?\d+)L?)"
)
_JVM_CLASS_NAME = re.compile(r"\b(?:class|interface|object)\s+(\w+)")  # a Kotlin data class has no body
_JVM_SIZE = re.compile(
    r"@(?:field:)?(?:Size|Length)\(\s*(?:min\s*=\s*\d+\s*,\s*)?max\s*=\s*(\d+|[A-Z][\w.]*)[^)]*\)\s*"
    r"(?:@[\w:.]+(?:\([^)]*\))?\s*)*(?:(?:private|protected|public|final|val|var)\s+)*"
    r"(?:(\w+)\s*:\s*String|String\s+(\w+))"
)
_JVM_FIELD = re.compile(
    r"(?:private|protected|public|val|var)\s+(?:final\s+)?(?:(\w+)\s*:\s*([A-Z]\w*)|([A-Z]\w*)\s+(\w+)\s*[;=])"
)


def read(path: str, text: str) -> Found:
    definitions = []
    for match in _JVM_ENUM.finditer(text):
        start, end = bracketed(text, match.end() - 1)
        body = _uncommented(text[start:end]).split(";", 1)[0]
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
    definitions.extend(_constant_groups(path, text))
    for match in _JVM_SIZE.finditer(text) if "Size(" in text or "Length(" in text else ():
        bound, field = match.group(1), match.group(2) or match.group(3)
        maximum = int(bound) if bound.isdigit() else bound
        owner = enclosing(text, match.start(), _JVM_CLASS_NAME)
        definitions.append(
            length_limit(
                path, line_of(text, match.start()), owner, snake(field), f"@Size(max = {maximum})", maximum
            )
        )
    links = [
        FieldLink("", snake(m.group(1) or m.group(4)), m.group(2) or m.group(3))
        for m in _JVM_FIELD.finditer(text)
    ]
    return definitions, links


_COMMENT_OR_STRING = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|//[^\n]*|/\*.*?\*/", re.S)


def _uncommented(code: str) -> str:
    """The code with its comments blanked (`OPEN("open"), //` keeps one constant per line), at the same offsets;
    strings are kept whole (`"http://…"`)."""
    return _COMMENT_OR_STRING.sub(
        lambda m: m.group(0) if m.group(0).startswith('"') else re.sub(r"[^\n]", " ", m.group(0)), code
    )


def _constant_groups(path: str, text: str) -> list[Definition]:
    """The constants each class, interface or object declares directly (a nested class's are its own),
    grouped when there are at least two of one type: strings, or integers."""
    kotlin = path.endswith(".kt")
    declared = list((_KOTLIN_CONSTANT if kotlin else _JAVA_CONSTANT).finditer(text))
    if not declared:
        return []  # most classes declare none: their bodies need not be measured
    classes = [(m, *bracketed(text, m.end() - 1)) for m in _JVM_CLASS.finditer(text)]
    groups: dict[int, list[tuple[str, str, str, int]]] = {}  # class index → (type, name, value, offset)
    for match in declared:
        if kotlin:
            name, value = match.group(1), match.group(3) if match.group(3) is not None else match.group(4)
            kind = "string" if match.group(3) is not None else "integer"
        else:
            name, value = match.group(2), match.group(3) if match.group(3) is not None else match.group(4)
            kind = "string" if match.group(3) is not None else "integer"
        inside = [i for i, (_, start, end) in enumerate(classes) if start <= match.start() < end]
        if inside:
            innermost = max(inside, key=lambda i: classes[i][1])
            groups.setdefault(innermost, []).append((kind, name, value, match.start()))
    found = []
    label = "Kotlin constants" if kotlin else "Java constants"
    for index, constants in groups.items():
        owner = classes[index][0].group(1)
        singles = [(owner, name, value, line_of(text, offset)) for _, name, value, offset in constants]
        found.extend(prefixed_groups(path, label, singles))
        found.extend(scalars(path, singles))
        for kind in ("string", "integer"):
            same = [c for c in constants if c[0] == kind]
            if len(same) < 2:
                continue
            members = tuple(Member(name, value, line_of(text, offset)) for _, name, value, offset in same)
            declaration = classes[index][0]
            found.append(
                Definition(
                    declaration.group(1),
                    "Kotlin constants" if kotlin else "Java constants",
                    path,
                    line_of(text, declaration.start()),
                    members,
                )
            )
    return found
