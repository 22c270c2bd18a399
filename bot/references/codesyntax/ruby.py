"""Rails `enum` declarations (hashes, arrays and the keyword form), Ruby array constants
(`STATUSES = %w[open paid].freeze`) and the inclusion validations that tie a column to values
(`validates :status, inclusion: { in: STATUSES }`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.frameworks import ruby as ruby_syntax
from bot.frameworks import ruby_model
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
)

_RB_ENUM = re.compile(r"^[ \t]*enum[ \t(]+(?::(\w+)\s*,|(\w+):)\s*", re.M)
_RB_CLASS = re.compile(r"^\s*(?:class|module)\s+([\w:]+)", re.M)
_RB_PAIR = re.compile(rf"[\"']?(\w+)[\"']?\s*(?::|=>)\s*(?:{STRING}|(-?\d+))")
_RB_OPTIONS = {"prefix", "suffix", "default", "validate", "scopes", "instance_methods"}
# worth a syntax tree: an array constant or an inclusion validation
_RB_DOMAIN = re.compile(
    r"^[ \t]*(?:[A-Z][A-Z0-9_]*\s*=\s*(?:%[wi]|\[|[\"':\d-])|validates(?:_\w+_of)?\b)",
    re.M,
)
CONSTANT_KIND = "Ruby constant"
VALIDATION_KIND = "Rails inclusion validation"


def read(path: str, text: str) -> Found:
    found = []
    for match in _RB_ENUM.finditer(text):
        column = match.group(1) or match.group(2)
        rest = text[match.end() : match.end() + 4000]
        opener = rest[:1]
        words = rest[:3] in ("%i[", "%w[")  # `enum status: %i[pending active]`
        if opener in "[{" or words:
            start = match.end() + (2 if words else 0)
            inner_start, inner_end = bracketed(
                text, start, "[" if words else opener, "}" if opener == "{" else "]"
            )
            body, base = text[inner_start:inner_end], inner_start
        else:
            body, base = rest.split("\n", 1)[0], match.end()
        if words:
            body = " ".join(f":{w}" for w in body.split())
        members = list(_ruby_members(body, base, text, array=opener == "[" or words))
        if members:
            owner = enclosing(text, match.start(), _RB_CLASS)
            found.append(
                Definition(
                    column, "Rails enum", path, line_of(text, match.start()), tuple(members), owner, column
                )
            )
    if not _RB_DOMAIN.search(text):
        return found, []
    constants, links = _domains(path, text)
    return found + constants, links


def _domains(path: str, text: str) -> Found:
    root = ruby_syntax.parse(text)
    constants = ruby_model.constants(root)
    definitions = [
        Definition(c.name, CONSTANT_KIND, path, c.line, members, c.owner)
        for c in constants
        if (members := _members(c.value, c.item_lines, c.line))
    ]
    singles = [
        (c.owner, c.name, str(c.value), c.line)
        for c in constants
        if isinstance(c.value, str | int) and not isinstance(c.value, bool)
    ]
    definitions.extend(prefixed_groups(path, CONSTANT_KIND, singles))
    definitions.extend(scalars(path, singles))
    links = []
    for validation in ruby_model.validations(root):
        if validation.kind == "length":
            maximum = _maximum(validation.value)
            if maximum is not None:
                definitions.append(
                    length_limit(
                        path,
                        validation.line,
                        validation.owner,
                        validation.column,
                        f"validates :{validation.column}, length: {{ maximum: {maximum} }}",
                        maximum,
                    )
                )
            continue
        value = validation.value
        half = (
            re.fullmatch(r"(?:::)?([A-Z]\w*)\.(keys|values)", value.text)
            if isinstance(value, ruby_syntax.Code)
            else None
        )
        if half:  # `in: DISPLAY_ON_OPTIONS.values`, a hash constant of the same class
            value = next(
                (
                    list(c.value.keys() if half.group(2) == "keys" else c.value.values())
                    for c in constants
                    if c.name == half.group(1) and c.owner == validation.owner and isinstance(c.value, dict)
                ),
                value,
            )
        if isinstance(value, ruby_syntax.Code) and re.fullmatch(r"(?:::)?[A-Z][\w:]*", value.text):
            name = value.text.lstrip(":").replace("::", ".")
            links.append(FieldLink(validation.owner, validation.column, name, path))
        elif members := _members(value, validation.item_lines, validation.line):
            definitions.append(
                Definition(
                    validation.column,
                    VALIDATION_KIND,
                    path,
                    validation.line,
                    members,
                    validation.owner,
                    validation.column,
                )
            )
    return definitions, links


def _maximum(value: ruby_syntax.Value) -> int | str | None:
    """`{maximum: 50}`, `{in: 2..50}`, `{within: 1...51}`, `{is: 8}` → the longest length allowed;
    `{maximum: TITLE_MAX}` → the constant's name."""
    if not isinstance(value, dict):
        return None
    for key in ("maximum", "is"):
        found = value.get(key)
        if isinstance(found, int) and not isinstance(found, bool):
            return found
        if isinstance(found, ruby_syntax.Code) and re.fullmatch(r"(?:::)?[A-Z][\w:]*", found.text):
            return found.text.lstrip(":")
    for key in ("in", "within"):
        found = value.get(key)
        span = (
            re.fullmatch(r"\(?\s*\d+\s*(\.\.\.?)\s*(\d+)\s*\)?", found.text)
            if isinstance(found, ruby_syntax.Code)
            else None
        )
        if span:
            return int(span.group(2)) - (1 if span.group(1) == "..." else 0)
    return None


def _members(value: ruby_syntax.Value, lines: tuple[int, ...], line: int) -> tuple[Member, ...]:
    """The members of an array of strings, symbols or integers; () for anything else."""
    if not isinstance(value, list) or not value:
        return ()
    items = [v for v in value if isinstance(v, str | int) and not isinstance(v, bool)]
    if len(items) != len(value):
        return ()
    return tuple(
        Member(str(item), str(item), lines[i] if i < len(lines) else line) for i, item in enumerate(items)
    )


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
