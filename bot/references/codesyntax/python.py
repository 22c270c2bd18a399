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
    Single,
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
_PY_CHOICES = re.compile(r"^([ \t]*)([A-Za-z_]\w*)\s*=\s*([\[(])\s*\(", re.M)
# `("open", "Open")`, `(1, _("One"))`, `(OPEN, pgettext_lazy("Order status", "Open"))`, or a constant's name
# first: `(STATUS_OPEN, _("Open"), "green")`; not the header of a group of choices (`("Group", (…))`)
_PY_PAIR = re.compile(
    rf"\(\s*(?:{STRING}|(-?\d+)|([A-Za-z]\w*(?:\.[A-Za-z]\w*)?))\s*,\s*(?![(\[\s])"
    rf"(?:[\w.]+\(\s*(?:(?:{STRING})\s*,\s*)?)?(?:{STRING})?"
)
_PY_FIELD = re.compile(r"^[ \t]+(\w+)\s*=\s*(?:models\.)?\w+Field\(", re.M)
_PY_ANY_CLASS = re.compile(r"^class\s+(\w+)", re.M)
_PY_CLASS_BASES = re.compile(r"^[ \t]*class\s+(\w+)\s*(?:\(([^)]*)\))?\s*:", re.M)
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
# The start of a field's call, `name = models.CharField(` or `name: str = Field(` or `name: constr(`: its
# arguments, on as many lines as they take, are read from the bracket on
_PY_LIMITED_FIELD = re.compile(
    r"^[ \t]+(\w+)\s*(?::[^=\n]*?\b(?:constr|Field)\(|(?::[^=\n]*)?=\s*[\w.]*(?:Field|constr)\()", re.M
)
_PY_MAX_LENGTH = re.compile(r"\bmax_length\s*=\s*(\d+|[A-Z][\w.]*)")
_PY_MAX_VALIDATOR = re.compile(r"\bMaxLengthValidator\(\s*(?:limit_value\s*=\s*)?(\d+|[A-Z][\w.]*)")
# `STATUS_OPEN = "open"`: one upper-case name bound to one string or integer, in a module or a class body
_PY_SINGLE = re.compile(
    r"""^([ \t]*)([A-Z][A-Z0-9_]*)[ \t]*(?::[ \t]*\w+[ \t]*)?=[ \t]*(?:"([^"\\\n]*)"|'([^'\\\n]*)'|(-?\d+))[ \t]*(?:#[^\n]*)?$""",
    re.M,
)
CONSTANT_KIND = "Python constant"


def read(path: str, text: str) -> Found:
    definitions: list[Definition] = []
    links: list[FieldLink] = []
    classes = {m.group(1): m.group(2) or "" for m in _PY_CLASS_BASES.finditer(text)}  # name → its bases
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
    singles = _singles(text)
    definitions.extend(_choices(path, text, singles, classes))
    definitions.extend(_constants(path, text, {d.name for d in definitions}))
    definitions.extend(_groups(path, text, singles))
    definitions.extend(scalars(path, singles))
    # each pattern below is looked for only in a file that holds its word (most files hold none of them)
    for match in _PY_FIELD.finditer(text) if "Field(" in text else ():
        start, end = bracketed(text, match.end() - 1, "(", ")")
        choices = _PY_CHOICES_ARG.search(text, start, end)
        if choices:
            name = choices.group(1)
            for suffix in (".choices", ".CHOICES", ".items", ".keys", ".values"):
                name = name.removesuffix(suffix)
            links.append(FieldLink(enclosing(text, match.start(), _PY_ANY_CLASS), match.group(1), name, path))
    definitions.extend(_length_limits(path, text))
    for pattern, word in ((_SA_MAPPED, "Mapped["), (_SA_COLUMN, "Enum(")):
        for match in pattern.finditer(text) if word in text else ():
            owner = enclosing(text, match.start(), _PY_ANY_CLASS)
            links.append(FieldLink(owner, match.group(1), match.group(2), path, stores_names=True))
    return definitions, links


def _length_limits(path: str, text: str) -> list[Definition]:
    """`max_length=` of a model, form, serializer or pydantic field (or a `MaxLengthValidator` among its
    validators), wherever in the field's call the keyword stands, on its first line or a later one."""
    if "max_length" not in text and "MaxLengthValidator" not in text:
        return []
    found = []
    for match in _PY_LIMITED_FIELD.finditer(text):
        start, end = bracketed(text, match.end() - 1, "(", ")")
        arguments = text[start:end]
        limit = _PY_MAX_LENGTH.search(arguments)
        construct = "max_length={}"
        if limit is None:
            limit, construct = _PY_MAX_VALIDATOR.search(arguments), "MaxLengthValidator({})"
        if limit is None:
            continue
        bound = limit.group(1)
        owner = enclosing(text, match.start(), _PY_ANY_CLASS)
        found.append(
            length_limit(
                path,
                line_of(text, start + limit.start()),
                owner,
                match.group(1),
                construct.format(bound),
                int(bound) if bound.isdigit() else bound,
            )
        )
    return found


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


def _singles(text: str) -> list[Single]:
    """(owner, name, value, line) of each constant bound to one string or integer."""
    singles = []
    for match in _PY_SINGLE.finditer(text):
        value = next(g for g in match.groups()[2:] if g is not None)
        owner = enclosing(text, match.start(), _PY_ANY_CLASS) if match.group(1) else ""
        singles.append((owner, match.group(2), value, line_of(text, match.start())))
    return singles


def _groups(path: str, text: str, singles: list[Single]) -> list[Definition]:
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


def _choices(path: str, text: str, singles: list[Single], classes: dict[str, str]) -> list[Definition]:
    """Lists of (value, label) pairs: `STATUS_CHOICES = [("open", "Open"), …]`, their values written out or
    named by constants of the same class or module (`(STATUS_OPEN, _("Open"))`). A list named `CHOICES` in
    a class of constants (NetBox's `ChoiceSet`) is that class's, by its name: `choices=StatusChoices`. A
    list with a value that cannot be told (a constant of another module) is left out, not read in part."""
    found = []
    for match in _PY_CHOICES.finditer(text):
        bracket = match.group(3)
        start, end = bracketed(text, match.start(3), bracket, "]" if bracket == "[" else ")")
        owner = enclosing(text, match.start(), _PY_ANY_CLASS) if match.group(1) else ""
        members: list[Member] = []
        for pair in _PY_PAIR.finditer(text[start:end]):
            value = _pair_value(pair, owner, singles)
            if value is None:
                members = []
                break
            if value:
                members.append(Member(_pair_label(pair), value, line_of(text, start + pair.start())))
        if not members:
            continue
        name = match.group(2)
        if name == "CHOICES" and owner and not re.search(r"\bModel\b|models\.", classes.get(owner, "")):
            name, owner = owner, ""  # a class of constants whose `CHOICES` list is its values
        found.append(
            Definition(name, "Django choices", path, line_of(text, match.start()), tuple(members), owner)
        )
    return found


def _pair_value(pair: re.Match[str], owner: str, singles: list[Single]) -> str | None:
    """The value of a pair as stored: a literal, or the value of the constant it names ("" for `None`, the
    empty choice); None when the name is no constant of this class or module."""
    groups = pair.groups()
    literal = next((g for g in groups[:3] if g is not None), None)
    if literal is not None:
        return literal
    qualifier, _, name = groups[3].rpartition(".")
    if name == "None":
        return ""
    scopes = (qualifier,) if qualifier else (owner, "")
    return next((value for scope in scopes for o, n, value, _ in singles if o == scope and n == name), None)


def _pair_label(pair: re.Match[str]) -> str:
    return next((g for g in pair.groups()[6:] if g is not None), "")


def _class_end(text: str, start: int, indent: int) -> int:
    """Where the class body ends: the next line of code indented no deeper than the `class` line."""
    following = re.compile(rf"^[ \t]{{0,{indent}}}(?=[^\s#])", re.M).search(text, start + 1)
    return following.start() if following else len(text)
