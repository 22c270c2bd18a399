"""Python `Enum` classes, Django `TextChoices` / `IntegerChoices` and `choices=` lists, constants holding a
collection of values (`STATUSES = ("open", "paid")`, `KINDS = {"a": "A"}`), and the fields that name them:
Django `choices=`, SQLAlchemy `Mapped[SomeEnum]` and `Enum(SomeEnum)`."""

from __future__ import annotations

import ast
import re
from dataclasses import replace

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
    length_limit,
    line_of,
    prefixed_groups,
    scalars,
)

_PY_CLASS = re.compile(r"^([ \t]*)class\s+(\w+)\s*\(([^)]*)\)\s*:", re.M)
_PY_ENUM_BASES = re.compile(r"\b(?:Enum|IntEnum|StrEnum|Flag|IntFlag|TextChoices|IntegerChoices|Choices)\b")
_PY_MEMBER = re.compile(r"^[ \t]+([A-Z][A-Za-z0-9_]*)\s*=\s*(.+)$", re.M)
_PY_CHOICES = re.compile(r"^[ \t]*([A-Za-z_]\w*)\s*=\s*([\[(])\s*\(", re.M)
_PY_PAIR = re.compile(rf"\(\s*(?:{STRING}|(-?\d+))\s*,\s*(?:_\(|gettext_lazy\()?\s*(?:{STRING})")
_PY_FIELD = re.compile(r"^[ \t]+(\w+)\s*=\s*(?:models\.)?\w+Field\(([^\n]*)", re.M)
_PY_ANY_CLASS = re.compile(r"^class\s+(\w+)", re.M)
_PY_CONSTANT = re.compile(
    r"^([ \t]*)([A-Z][A-Z0-9_]*)\s*(?::[^=\n]+)?=\s*(?:frozenset|set|tuple|list)?\(?\s*([\[({])", re.M
)
_PY_CHOICES_ARG = re.compile(
    r"choices\s*=\s*(?:list\(|tuple\(|sorted\()?\s*(?:\[\s*\(\s*\w+\s*,[^\]]*?\bfor\s+\w+(?:\s*,\s*\w+)*\s+in\s+)?([\w.]+)"
)
_SA_MAPPED = re.compile(r"^[ \t]+(\w+)\s*:\s*Mapped\[\s*(?:(?:Optional|(?:\w+\.)?Enum)\[\s*)*([\w.]+)", re.M)
_SA_COLUMN = re.compile(
    r"^[ \t]+(\w+)\s*(?::[^=\n]+)?=\s*(?:\w+\.)?(?:Column|mapped_column)\((?:[^\n]*?,\s*)?"
    r"(?:\w+\.)?Enum\(\s*([A-Z][\w.]*)",
    re.M,
)
_PY_MAX_LENGTH = re.compile(
    r"^[ \t]+(\w+)\s*(?::[^=\n]*)?=\s*[\w.]*(?:Field|constr)\([^\n]*?\bmax_length\s*=\s*(\d+|[A-Z][\w.]*)",
    re.M,
)
_PY_ANNOTATED_MAX = re.compile(
    r"^[ \t]+(\w+)\s*:\s*[^=\n]*\b(?:constr|Field)\([^\n]*?\bmax_length\s*=\s*(\d+|[A-Z][\w.]*)", re.M
)
# `STATUS_OPEN = "open"`: one upper-case name bound to one string or integer, in a module or a class body
_PY_SINGLE = re.compile(
    r"""^([ \t]*)([A-Z][A-Z0-9_]*)[ \t]*(?::[ \t]*\w+[ \t]*)?=[ \t]*(?:"([^"\\\n]*)"|'([^'\\\n]*)'|(-?\d+))[ \t]*(?:#[^\n]*)?$""",
    re.M,
)
CONSTANT_KIND = "Python constant"


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
    definitions.extend(_constants(path, text, {d.name for d in definitions}))
    singles = _singles(text)
    definitions.extend(_groups(path, text, singles))
    definitions.extend(scalars(path, singles))
    for match in _PY_FIELD.finditer(text):
        choices = _PY_CHOICES_ARG.search(match.group(2))
        if choices:
            name = choices.group(1)
            for suffix in (".choices", ".items", ".keys", ".values"):
                name = name.removesuffix(suffix)
            links.append(FieldLink(enclosing(text, match.start(), _PY_ANY_CLASS), match.group(1), name, path))
    found_limits = set()
    for pattern in (_PY_MAX_LENGTH, _PY_ANNOTATED_MAX):
        for match in pattern.finditer(text):
            if match.start() in found_limits:
                continue
            found_limits.add(match.start())
            owner = enclosing(text, match.start(), _PY_ANY_CLASS)
            definitions.append(
                length_limit(
                    path,
                    line_of(text, match.start()),
                    owner,
                    match.group(1),
                    f"max_length={match.group(2)}",
                    int(match.group(2)) if match.group(2).isdigit() else match.group(2),
                )
            )
    for pattern in (_SA_MAPPED, _SA_COLUMN):
        for match in pattern.finditer(text):
            owner = enclosing(text, match.start(), _PY_ANY_CLASS)
            links.append(FieldLink(owner, match.group(1), match.group(2), path, stores_names=True))
    return definitions, links


def _constants(path: str, text: str, known: set[str]) -> list[Definition]:
    """Upper-case names bound to a literal collection of strings or integers: a tuple, list or set
    (the values), or a dict (its keys). Tuples of pairs are the choices read above."""
    found = []
    for match in _PY_CONSTANT.finditer(text):
        name, bracket = match.group(2), match.group(3)
        if name in known:
            continue
        close = {"[": "]", "(": ")", "{": "}"}[bracket]
        start, end = bracketed(text, match.start(3), bracket, close)
        try:
            value = ast.literal_eval(text[start - 1 : end + 1])
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        items = list(value) if isinstance(value, list | tuple | set | frozenset | dict) else []
        if not items or not all(isinstance(i, str | int) and not isinstance(i, bool) for i in items):
            continue
        labels = value if isinstance(value, dict) else {}
        members = tuple(
            Member(
                str(labels.get(item, item)) if isinstance(labels.get(item, item), str | int) else str(item),
                str(item),
                _line_of_literal(text, start, end, item),
            )
            for item in (sorted(items, key=str) if isinstance(value, set | frozenset) else items)
        )
        owner = enclosing(text, match.start(), _PY_ANY_CLASS) if match.group(1) else ""
        found.append(Definition(name, CONSTANT_KIND, path, line_of(text, match.start()), members, owner))
    return found


def _singles(text: str) -> list[tuple[str, str, str, int]]:
    """(owner, name, value, line) of each constant bound to one string or integer."""
    singles = []
    for match in _PY_SINGLE.finditer(text):
        value = next(g for g in match.groups()[2:] if g is not None)
        owner = enclosing(text, match.start(), _PY_ANY_CLASS) if match.group(1) else ""
        singles.append((owner, match.group(2), value, line_of(text, match.start())))
    return singles


def _groups(path: str, text: str, singles: list[tuple[str, str, str, int]]) -> list[Definition]:
    """Groups of single constants sharing a prefix (`STATUS_OPEN`, `STATUS_CLOSED`); a module's group is
    the model's of the same file that has a field of the prefix's name, when exactly one model has it."""
    groups = prefixed_groups(path, CONSTANT_KIND, singles)
    fields: dict[str, set[str]] = {}
    for match in _PY_FIELD.finditer(text):
        fields.setdefault(match.group(1), set()).add(enclosing(text, match.start(), _PY_ANY_CLASS))
    return [
        replace(group, owner=next(iter(models)))
        if not group.owner and len(models := fields.get(group.name.lower(), set())) == 1
        else group
        for group in groups
    ]


def _line_of_literal(text: str, start: int, end: int, item: str | int) -> int:
    pattern = rf"[\"']{re.escape(item)}[\"']" if isinstance(item, str) else rf"\b{item}\b"
    found = re.compile(pattern).search(text, start, end)
    return line_of(text, found.start() if found else start)


def _nth_literal(pair: re.Match[str], which: int) -> str:
    groups = pair.groups()
    first = next((g for g in groups[:3] if g is not None), "")
    second = next((g for g in groups[3:] if g is not None), "")
    return first if which == 0 else second


def _class_end(text: str, start: int, indent: int) -> int:
    """Where the class body ends: the next line of code indented no deeper than the `class` line."""
    following = re.compile(rf"^[ \t]{{0,{indent}}}(?=[^\s#])", re.M).search(text, start + 1)
    return following.start() if following else len(text)
