"""Enum, choice and constant definitions read from source files, one small reader per language.

Each reader takes a file's text and returns the definitions it declares (with the line of every value)
and the fields that are declared with one of them as their type (`status OrderStatus`), so a column can
be matched to the values the code allows for it. Readers are line-oriented regular expressions: they
never execute or import the code, and a construct they do not recognise is simply not indexed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Member:
    label: str  # the name in the code: PAID, paid, Paid
    value: str  # the value stored in the database, as text: "paid", "3"
    line: int


@dataclass(frozen=True)
class Definition:
    name: str  # OrderStatus, STATUS_CHOICES, order_status; for a Rails enum, the column
    kind: str  # rails enum, Django choices, Python Enum, TypeScript enum, …
    path: str
    line: int
    members: tuple[Member, ...]
    owner: str = ""  # the class or model that declares it
    column: str = ""  # the column it is declared for, when the declaration says


@dataclass(frozen=True)
class FieldLink:
    """A field declared with a definition as its type: Prisma `status OrderStatus`, Go `Status OrderStatus`."""

    owner: str
    column: str
    type_name: str


Found = tuple[list[Definition], list[FieldLink]]
_STRING = r"\"([^\"]*)\"|'([^']*)'"
_LIT = re.compile(rf"{_STRING}|(-?\d+)")


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _literal(match: re.Match[str] | None) -> str | None:
    if match is None:
        return None
    return next((g for g in match.groups() if g is not None), None)


def _block(text: str, start: int, open_: str = "{", close: str = "}") -> tuple[int, int]:
    """The span inside the bracket that opens at or after `start`."""
    begin = text.find(open_, start)
    if begin < 0:
        return start, start
    depth = 0
    for index in range(begin, min(len(text), begin + 20_000)):
        if text[index] == open_:
            depth += 1
        elif text[index] == close:
            depth -= 1
            if depth == 0:
                return begin + 1, index
    return begin + 1, begin + 1


def _owner(text: str, offset: int, pattern: re.Pattern[str]) -> str:
    found = ""
    for match in pattern.finditer(text, 0, offset):
        found = match.group(1)
    return found


# --- Ruby: Rails enums -----------------------------------------------------------------------------------

_RB_ENUM = re.compile(r"^[ \t]*enum[ \t(]+(?::(\w+)\s*,|(\w+):)\s*", re.M)
_RB_CLASS = re.compile(r"^\s*(?:class|module)\s+([\w:]+)", re.M)
_RB_PAIR = re.compile(rf"[\"']?(\w+)[\"']?\s*(?::|=>)\s*(?:{_STRING}|(-?\d+))")
_RB_OPTIONS = {"prefix", "suffix", "default", "validate", "scopes", "instance_methods"}


def _ruby(path: str, text: str) -> Found:
    found = []
    for match in _RB_ENUM.finditer(text):
        column = match.group(1) or match.group(2)
        rest = text[match.end() : match.end() + 4000]
        opener = rest[:1]
        if opener in "[{":
            inner_start, inner_end = _block(text, match.end(), opener, "]" if opener == "[" else "}")
            body, base = text[inner_start:inner_end], inner_start
        else:
            body, base = rest.split("\n", 1)[0], match.end()
        members = list(_ruby_members(body, base, text, array=opener == "["))
        if members:
            owner = _owner(text, match.start(), _RB_CLASS)
            found.append(
                Definition(
                    column, "Rails enum", path, _line_of(text, match.start()), tuple(members), owner, column
                )
            )
    return found, []


def _ruby_members(body: str, base: int, text: str, *, array: bool) -> Iterator[Member]:
    if array:
        for index, item in enumerate(re.finditer(r":(\w+)|[\"'](\w+)[\"']", body)):
            yield Member(item.group(1) or item.group(2), str(index), _line_of(text, base + item.start()))
        return
    for pair in _RB_PAIR.finditer(body):
        label = pair.group(1)
        if label.lstrip("_") in _RB_OPTIONS:
            continue
        value = next(g for g in pair.groups()[1:] if g is not None)
        yield Member(label, value, _line_of(text, base + pair.start()))


# --- Python: Enum, Django choices ------------------------------------------------------------------------

_PY_CLASS = re.compile(r"^class\s+(\w+)\s*\(([^)]*)\)\s*:", re.M)
_PY_ENUM_BASES = re.compile(r"\b(?:Enum|IntEnum|StrEnum|Flag|IntFlag|TextChoices|IntegerChoices|Choices)\b")
_PY_MEMBER = re.compile(r"^[ \t]+([A-Z][A-Za-z0-9_]*)\s*=\s*(.+)$", re.M)
_PY_CHOICES = re.compile(r"^[ \t]*([A-Za-z_]\w*)\s*=\s*([\[(])\s*\(", re.M)
_PY_PAIR = re.compile(rf"\(\s*(?:{_STRING}|(-?\d+))\s*,\s*(?:_\(|gettext_lazy\()?\s*(?:{_STRING})")
_PY_FIELD = re.compile(r"^[ \t]+(\w+)\s*=\s*(?:models\.)?\w+Field\(([^\n]*)", re.M)
_PY_ANY_CLASS = re.compile(r"^class\s+(\w+)", re.M)


def _python(path: str, text: str) -> Found:
    definitions: list[Definition] = []
    links: list[FieldLink] = []
    for match in _PY_CLASS.finditer(text):
        if not _PY_ENUM_BASES.search(match.group(2)):
            continue
        start, end = match.end(), _class_end(text, match.end())
        members = []
        for index, member in enumerate(_PY_MEMBER.finditer(text, start, end)):
            literal = _literal(_LIT.match(member.group(2).strip()))
            auto = member.group(1).lower() if "StrEnum" in match.group(2) else str(index + 1)
            members.append(
                Member(
                    member.group(1), literal if literal is not None else auto, _line_of(text, member.start())
                )
            )
        kind = "Django choices" if "Choices" in match.group(2) else "Python Enum"
        definitions.append(
            Definition(match.group(1), kind, path, _line_of(text, match.start()), tuple(members))
        )
    for match in _PY_CHOICES.finditer(text):
        bracket = match.group(2)
        start, end = _block(text, match.start(2), bracket, "]" if bracket == "[" else ")")
        members = [
            Member(_nth_literal(pair, 1), _nth_literal(pair, 0), _line_of(text, start + pair.start()))
            for pair in _PY_PAIR.finditer(text[start:end])
        ]
        if members:
            owner = _owner(text, match.start(), _PY_ANY_CLASS)
            definitions.append(
                Definition(
                    match.group(1),
                    "Django choices",
                    path,
                    _line_of(text, match.start()),
                    tuple(members),
                    owner,
                )
            )
    for match in _PY_FIELD.finditer(text):
        choices = re.search(r"choices\s*=\s*([\w.]+)", match.group(2))
        if choices:
            links.append(
                FieldLink(
                    _owner(text, match.start(), _PY_ANY_CLASS),
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


def _class_end(text: str, start: int) -> int:
    following = re.compile(r"^\S", re.M).search(text, start + 1)
    return following.start() if following else len(text)


# --- TypeScript: enums and union types -------------------------------------------------------------------

_TS_ENUM = re.compile(r"^\s*(?:export\s+)?(?:declare\s+)?(?:const\s+)?enum\s+(\w+)\s*\{", re.M)
_TS_UNION = re.compile(
    r"^\s*(?:export\s+)?type\s+(\w+)\s*=\s*((?:\s*\|?\s*(?:'[^']*'|\"[^\"]*\"))+)\s*;?", re.M
)
_TS_FIELD = re.compile(r"^\s*(?:readonly\s+)?(\w+)\??\s*:\s*([A-Z]\w*)\s*[;,]?\s*$", re.M)


def _typescript(path: str, text: str) -> Found:
    definitions = []
    for match in _TS_ENUM.finditer(text):
        start, end = _block(text, match.end() - 1)
        members, next_number = [], 0
        for item in re.finditer(rf"(\w+)\s*(?:=\s*(?:{_STRING}|(-?\d+)))?\s*(?:,|$)", text[start:end]):
            value = next((g for g in item.groups()[1:] if g is not None), str(next_number))
            if value.lstrip("-").isdigit():
                next_number = int(value) + 1
            members.append(Member(item.group(1), value, _line_of(text, start + item.start())))
        definitions.append(
            Definition(match.group(1), "TypeScript enum", path, _line_of(text, match.start()), tuple(members))
        )
    for match in _TS_UNION.finditer(text):
        base = match.start(2)
        members = [
            Member(v, v, _line_of(text, base + item.start()))
            for item in re.finditer(_STRING, match.group(2))
            for v in [item.group(1) if item.group(1) is not None else item.group(2)]
        ]
        definitions.append(
            Definition(
                match.group(1), "TypeScript union type", path, _line_of(text, match.start()), tuple(members)
            )
        )
    links = [FieldLink("", _snake(m.group(1)), m.group(2)) for m in _TS_FIELD.finditer(text)]
    return definitions, links


# --- Go: typed constants ---------------------------------------------------------------------------------

_GO_CONST = re.compile(r"^const\s*\(", re.M)
_GO_LINE = re.compile(
    rf"^\s*([A-Z]\w*)(?:\s+([A-Z]\w*))?(?:\s*=\s*(?:{_STRING}|(-?\d+)|(iota)(?:\s*\+\s*(\d+))?))?\s*(?://.*)?$"
)
_GO_FIELD = re.compile(
    r"^\s*([A-Z]\w*)\s+([A-Z]\w*)\s*(?:`[^`]*(?:db|gorm:\"column|json):?\"?(\w+)[^`]*`)?\s*$", re.M
)


def _go(path: str, text: str) -> Found:
    groups: dict[str, list[Member]] = {}
    first_line: dict[str, int] = {}
    for block in _GO_CONST.finditer(text):
        start, end = _block(text, block.end() - 1, "(", ")")
        current_type, counter = "", None
        for offset, line in _lines(text, start, end):
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
                groups.setdefault(type_name, []).append(Member(name, literal, _line_of(text, offset)))
                first_line.setdefault(type_name, _line_of(text, offset))
    definitions = [Definition(t, "Go constants", path, first_line[t], tuple(m)) for t, m in groups.items()]
    links = [FieldLink("", m.group(3) or _snake(m.group(1)), m.group(2)) for m in _GO_FIELD.finditer(text)]
    return definitions, links


def _lines(text: str, start: int, end: int) -> Iterator[tuple[int, str]]:
    offset = start
    for line in text[start:end].split("\n"):
        yield offset, line
        offset += len(line) + 1


# --- Java and Kotlin: enums ------------------------------------------------------------------------------

_JVM_ENUM = re.compile(r"\benum\s+(?:class\s+)?(\w+)\s*(?:\([^)]*\))?\s*(?::\s*[\w<>, ]+)?\{")
_JVM_FIELD = re.compile(
    r"(?:private|protected|public|val|var)\s+(?:final\s+)?(?:(\w+)\s*:\s*([A-Z]\w*)|([A-Z]\w*)\s+(\w+)\s*[;=])"
)


def _jvm(path: str, text: str) -> Found:
    definitions = []
    for match in _JVM_ENUM.finditer(text):
        start, end = _block(text, match.end() - 1)
        body = text[start:end].split(";", 1)[0]
        members = []
        for item in re.finditer(
            rf"(?:^|,)\s*(?:@\w+(?:\([^)]*\))?\s*)*([A-Z][A-Z0-9_]*)\s*(?:\(\s*(?:{_STRING}|(-?\d+))?[^)]*\))?",
            body,
        ):
            value = next((g for g in item.groups()[1:] if g is not None), item.group(1))
            members.append(Member(item.group(1), value, _line_of(text, start + item.start(1))))
        kind = "Kotlin enum" if path.endswith(".kt") else "Java enum"
        definitions.append(
            Definition(match.group(1), kind, path, _line_of(text, match.start()), tuple(members))
        )
    links = [
        FieldLink("", _snake(m.group(1) or m.group(4)), m.group(2) or m.group(3))
        for m in _JVM_FIELD.finditer(text)
    ]
    return definitions, links


# --- Prisma and SQL --------------------------------------------------------------------------------------

_PRISMA_BLOCK = re.compile(r"^\s*(enum|model)\s+(\w+)\s*\{", re.M)


def _prisma(path: str, text: str) -> Found:
    definitions, links = [], []
    for match in _PRISMA_BLOCK.finditer(text):
        start, end = _block(text, match.end() - 1)
        if match.group(1) == "enum":
            members = []
            for offset, line in _lines(text, start, end):
                item = re.match(r"\s*(\w+)(?:\s+@map\(\s*\"([^\"]*)\"\s*\))?", line)
                if item and not line.strip().startswith(("//", "@@")):
                    members.append(
                        Member(item.group(1), item.group(2) or item.group(1), _line_of(text, offset))
                    )
            definitions.append(
                Definition(match.group(2), "Prisma enum", path, _line_of(text, match.start()), tuple(members))
            )
        else:
            for _offset, line in _lines(text, start, end):
                item = re.match(r"\s*(\w+)\s+([A-Z]\w*)\??\s*(.*)$", line)
                if item:
                    mapped = re.search(r"@map\(\s*\"(\w+)\"", item.group(3))
                    links.append(
                        FieldLink(
                            match.group(2),
                            mapped.group(1) if mapped else _snake(item.group(1)),
                            item.group(2),
                        )
                    )
    return definitions, links


_SQL_ENUM = re.compile(r"CREATE\s+TYPE\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w.\"]+)\s+AS\s+ENUM\s*\(", re.I)


def _sql(path: str, text: str) -> Found:
    definitions = []
    for match in _SQL_ENUM.finditer(text):
        start, end = _block(text, match.end() - 1, "(", ")")
        members = [
            Member(item.group(1), item.group(1), _line_of(text, start + item.start()))
            for item in re.finditer(r"'((?:[^']|'')*)'", text[start:end])
        ]
        name = match.group(1).replace('"', "").split(".")[-1].lower()
        definitions.append(
            Definition(name, "database enum type", path, _line_of(text, match.start()), tuple(members))
        )
    definitions.extend(_seeds(path, text))
    return definitions, []


_SQL_SEED = re.compile(r"INSERT\s+INTO\s+([\w.\"]+)\s*\(\s*\"?id\"?\s*,\s*\"?\w+\"?\s*\)\s*VALUES\s*", re.I)
_SQL_ROW = re.compile(r"\s*,?\s*\(\s*(\d+)\s*,\s*'((?:[^']|'')*)'\s*\)")


def _seeds(path: str, text: str) -> Iterator[Definition]:
    """Rows a lookup table is seeded with: `INSERT INTO order_states (id, name) VALUES (1, 'open'), …`."""
    for match in _SQL_SEED.finditer(text):
        rows, position = [], match.end()
        while (row := _SQL_ROW.match(text, position)) is not None:
            rows.append(Member(row.group(2).replace("''", "'"), row.group(1), _line_of(text, row.start(1))))
            position = row.end()
        if rows:
            name = match.group(1).replace('"', "").split(".")[-1].lower()
            yield Definition(name, "seed rows", path, _line_of(text, match.start()), tuple(rows))


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


READERS: dict[str, Callable[[str, str], Found]] = {
    ".rb": _ruby,
    ".py": _python,
    ".ts": _typescript,
    ".tsx": _typescript,
    ".go": _go,
    ".java": _jvm,
    ".kt": _jvm,
    ".prisma": _prisma,
    ".sql": _sql,
}


def reader_for(path: str) -> Callable[[str, str], Found] | None:
    dot = path.rfind(".")
    return READERS.get(path[dot:]) if dot >= 0 else None


def snake(name: str) -> str:
    """`OrderStatus` → `order_status`, `STATUS_CHOICES` → `status_choices`."""
    return _snake(name)
