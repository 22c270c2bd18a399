"""TypeScript enums (string and numbered) and union types of string literals; the maximum lengths zod
(`name: z.string().max(50)`) and class-validator (`@MaxLength(50) name: string`) enforce on a field."""

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
    line_matches,
    line_of,
    prefixed_groups,
    scalars,
    snake,
)

_TS_ENUM = re.compile(r"^[ \t]*(?:export\s+)?(?:declare\s+)?(?:const\s+)?enum\s+(\w+)\s*\{", re.M)
_TS_UNION = re.compile(
    r"^[ \t]*(?:export\s+)?type\s+(\w+)\s*=\s*((?:\s*\|?\s*(?:'[^']*'|\"[^\"]*\"))+)\s*;?", re.M
)
_ZOD_OBJECT = re.compile(r"\b(?:const|let|var)\s+(\w+)\s*=\s*z\s*\.\s*object\(")
# `name: z.string()….max(50)`, found from its colon (a literal the regex engine skips to) and the key read
# back from there: a pattern starting at the key tried every character of every word (1.5 s on 5,000 files)
_ZOD_MAX = re.compile(
    r":\s*z\s*\.\s*string\([^()]*\)(?:\s*\.\s*\w+\([^()]*\))*?\s*\.\s*max\(\s*(\d+|[A-Z][\w.]*)"
)
_KEY_BEFORE = re.compile(r"[\"']?(\w+)[\"']?\s*\Z")
_TS_CLASS = re.compile(r"\bclass\s+(\w+)")
_MAX_LENGTH_DECORATOR = re.compile(
    r"@(?:MaxLength\(\s*(\d+|[A-Z][\w.]*)|Length\(\s*\w+\s*,\s*(\d+|[A-Z][\w.]*))[^)]*\)\s*(?:@\w+\([^)]*\)\s*)*"
    r"(?:(?:public|private|protected|readonly)\s+)*(\w+)[?!]?\s*:"
)
# `export const STATUS_OPEN = "open"`, `static readonly STATUS_OPEN = "open"` in a class
_TS_SINGLE = re.compile(
    r"^[ \t]*(?:export\s+)?(?:const|(?:(?:public|private|protected)\s+)?static\s+(?:readonly\s+)?)\s*"
    r"([A-Z][A-Z0-9_]*)\s*(?::\s*\w+\s*)?=\s*(?:'([^'\\\n]*)'|\"([^\"\\\n]*)\"|(-?\d+))\s*(?:as\s+const\s*)?;?[ \t]*$",
    re.M,
)
# the lines worth trying `_TS_SINGLE` at, found by the keyword's first letter (a `\b` is tried at every character)
_SINGLE_ANCHOR = re.compile(r"c(?<!\wc)onst\s|s(?<!\ws)tatic\s")
CONSTANT_KIND = "TypeScript constant"
_ENUM_ANCHOR = re.compile(r"enum\s+\w+\s*\{")
_UNION_ANCHOR = re.compile(r"type\s+\w+\s*=")
_FIELD_ANCHOR = re.compile(r":[ \t]*[A-Z]\w*[ \t]*[;,]?[ \t]*\r?$", re.M)
_TS_FIELD = re.compile(r"^[ \t]*(?:readonly\s+)?(\w+)\??[ \t]*:[ \t]*([A-Z]\w*)[ \t]*[;,]?[ \t]*\r?$", re.M)


def read(path: str, text: str) -> Found:
    definitions = []
    for match in line_matches(text, _TS_ENUM, _ENUM_ANCHOR):
        start, end = bracketed(text, match.end() - 1)
        members, next_number = [], 0
        for item in re.finditer(rf"(\w+)\s*(?:=\s*(?:{STRING}|(-?\d+)))?\s*(?:,|$)", text[start:end]):
            value = next((g for g in item.groups()[1:] if g is not None), str(next_number))
            if value.lstrip("-").isdigit():
                next_number = int(value) + 1
            members.append(Member(item.group(1), value, line_of(text, start + item.start())))
        definitions.append(
            Definition(match.group(1), "TypeScript enum", path, line_of(text, match.start()), tuple(members))
        )
    for match in line_matches(text, _TS_UNION, _UNION_ANCHOR):
        base = match.start(2)
        members = [
            Member(v, v, line_of(text, base + item.start()))
            for item in re.finditer(STRING, match.group(2))
            for v in [item.group(1) if item.group(1) is not None else item.group(2)]
        ]
        definitions.append(
            Definition(
                match.group(1), "TypeScript union type", path, line_of(text, match.start()), tuple(members)
            )
        )
    definitions.extend(_length_limits(path, text))
    singles = [
        (
            enclosing(text, m.start(), _TS_CLASS) if "static" in m.group(0) else "",
            m.group(1),
            next(g for g in m.groups()[1:] if g is not None),
            line_of(text, m.start()),
        )
        for m in line_matches(text, _TS_SINGLE, _SINGLE_ANCHOR)
    ]
    definitions.extend(prefixed_groups(path, CONSTANT_KIND, singles))
    definitions.extend(scalars(path, singles))
    links = [
        FieldLink("", snake(m.group(1)), m.group(2)) for m in line_matches(text, _TS_FIELD, _FIELD_ANCHOR)
    ]
    return definitions, links


def _length_limits(path: str, text: str) -> list[Definition]:
    found = []
    if ".max(" in text:
        for match in _ZOD_MAX.finditer(text):
            key = _KEY_BEFORE.search(text, max(0, match.start() - 200), match.start())
            if key is None:
                continue
            owner = enclosing(text, key.start(), _ZOD_OBJECT)
            maximum = _bound(match.group(1))
            found.append(
                length_limit(
                    path, line_of(text, key.start()), owner, snake(key.group(1)), f".max({maximum})", maximum
                )
            )
    if "Length(" in text:
        for match in _MAX_LENGTH_DECORATOR.finditer(text):
            maximum = _bound(match.group(1) or match.group(2))
            construct = f"@MaxLength({maximum})" if match.group(1) else f"@Length(…, {maximum})"
            owner = enclosing(text, match.start(), _TS_CLASS)
            found.append(
                length_limit(
                    path, line_of(text, match.start()), owner, snake(match.group(3)), construct, maximum
                )
            )
    return found


def _bound(text: str) -> int | str:
    """`100` as a number; a constant's name as it is written (the index resolves it)."""
    return int(text) if text.isdigit() else text
