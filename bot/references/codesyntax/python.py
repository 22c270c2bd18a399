"""Python `Enum` classes, Django `TextChoices` / `IntegerChoices` and `choices=` lists, and fields that name them."""

from __future__ import annotations

import re

from bot.references.codesyntax.text import (
    LITERAL,
    STRING,
    Definition,
    FieldLink,
    Found,
    Member,
    bracketed,
    enclosing,
    first_group,
    line_of,
)

_PY_CLASS = re.compile(r"^([ \t]*)class\s+(\w+)\s*\(([^)]*)\)\s*:", re.M)
_PY_ENUM_BASES = re.compile(r"\b(?:Enum|IntEnum|StrEnum|Flag|IntFlag|TextChoices|IntegerChoices|Choices)\b")
_PY_MEMBER = re.compile(r"^[ \t]+([A-Z][A-Za-z0-9_]*)\s*=\s*(.+)$", re.M)
_PY_CHOICES = re.compile(r"^[ \t]*([A-Za-z_]\w*)\s*=\s*([\[(])\s*\(", re.M)
_PY_PAIR = re.compile(rf"\(\s*(?:{STRING}|(-?\d+))\s*,\s*(?:_\(|gettext_lazy\()?\s*(?:{STRING})")
_PY_FIELD = re.compile(r"^[ \t]+(\w+)\s*=\s*(?:models\.)?\w+Field\(([^\n]*)", re.M)
_PY_ANY_CLASS = re.compile(r"^class\s+(\w+)", re.M)


def read(path: str, text: str) -> Found:
    definitions: list[Definition] = []
    links: list[FieldLink] = []
    for match in _PY_CLASS.finditer(text):
        indent, name, bases = match.group(1), match.group(2), match.group(3)
        if not _PY_ENUM_BASES.search(bases):
            continue
        start, end = match.end(), _class_end(text, match.end(), len(indent))
        members = []
        for index, member in enumerate(_PY_MEMBER.finditer(text, start, end)):
            literal = first_group(LITERAL.match(member.group(2).strip()))
            auto = member.group(1).lower() if "StrEnum" in bases else str(index + 1)
            members.append(
                Member(
                    member.group(1), literal if literal is not None else auto, line_of(text, member.start())
                )
            )
        kind = "Django choices" if "Choices" in bases else "Python Enum"
        # a class nested in a model (`class Order(Model): class Status(TextChoices)`) belongs to it
        owner = enclosing(text, match.start(), _PY_ANY_CLASS) if indent else ""
        definitions.append(Definition(name, kind, path, line_of(text, match.start()), tuple(members), owner))
    for match in _PY_CHOICES.finditer(text):
        bracket = match.group(2)
        start, end = bracketed(text, match.start(2), bracket, "]" if bracket == "[" else ")")
        members = [
            Member(_nth_literal(pair, 1), _nth_literal(pair, 0), line_of(text, start + pair.start()))
            for pair in _PY_PAIR.finditer(text[start:end])
        ]
        if members:
            owner = enclosing(text, match.start(), _PY_ANY_CLASS)
            definitions.append(
                Definition(
                    match.group(1),
                    "Django choices",
                    path,
                    line_of(text, match.start()),
                    tuple(members),
                    owner,
                )
            )
    for match in _PY_FIELD.finditer(text):
        choices = re.search(r"choices\s*=\s*([\w.]+)", match.group(2))
        if choices:
            links.append(
                FieldLink(
                    enclosing(text, match.start(), _PY_ANY_CLASS),
                    match.group(1),
                    choices.group(1).removesuffix(".choices"),
                )
            )
    return definitions, links


def _nth_literal(pair: re.Match[str], which: int) -> str:
    groups = pair.groups()
    first = next((g for g in groups[:3] if g is not None), "")
    second = next((g for g in groups[3:] if g is not None), "")
    return first if which == 0 else second


def _class_end(text: str, start: int, indent: int) -> int:
    """Where the class body ends: the next line of code indented no deeper than the `class` line."""
    following = re.compile(rf"^[ \t]{{0,{indent}}}(?=[^\s#])", re.M).search(text, start + 1)
    return following.start() if following else len(text)
