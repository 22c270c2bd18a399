"""What every reader shares: the records it returns and the text helpers it scans with."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Member:
    label: str  # the name in the code: PAID, paid, Paid
    value: str  # the value stored in the database, as text: "paid", "3"
    line: int
    path: str = ""  # when it is not the definition's file (a value added to an enum later)


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
    path: str = ""  # the file that declares the field: an unqualified constant is looked up from there
    stores_names: bool = False  # the column holds the members' names (SQLAlchemy's `Enum(SomeEnum)`)


Found = tuple[list[Definition], list[FieldLink]]
STRING = r"\"([^\"]*)\"|'([^']*)'"
LITERAL = re.compile(rf"{STRING}|(-?\d+)")


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def first_group(match: re.Match[str] | None) -> str | None:
    if match is None:
        return None
    return next((g for g in match.groups() if g is not None), None)


def bracketed(text: str, start: int, open_: str = "{", close: str = "}") -> tuple[int, int]:
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


def enclosing(text: str, offset: int, pattern: re.Pattern[str]) -> str:
    """The first group of the last match of `pattern` in `text[:offset]` (the class or object around it).

    The matches of a file are found once, not once for each place in it asked about."""
    starts, ends, names = _matches(text, pattern)
    index = bisect.bisect_right(ends, offset)
    found = names[index - 1] if index else ""
    if index < len(starts) and starts[index] < offset:  # the next match runs past `offset`: cut it there
        for match in pattern.finditer(text, starts[index], offset):
            found = match.group(1)
    return found


@lru_cache(maxsize=4)
def _matches(text: str, pattern: re.Pattern[str]) -> tuple[list[int], list[int], list[str]]:
    found = list(pattern.finditer(text))
    return [m.start() for m in found], [m.end() for m in found], [m.group(1) for m in found]


def line_matches(text: str, pattern: re.Pattern[str], anchor: re.Pattern[str]) -> Iterator[re.Match[str]]:
    """The matches of `pattern`, which starts at the start of a line, on the lines where `anchor` is found.

    A literal the regex engine can skip to (`enum`, `:`) finds the few lines worth trying far faster than a
    multi-line pattern tried at every line of a large file."""
    resume = 0
    for found in anchor.finditer(text):
        start = text.rfind("\n", 0, found.start()) + 1
        if start < resume:
            continue
        match = pattern.match(text, start)
        resume = match.end() if match is not None and match.end() > start else start + 1
        if match is not None:
            yield match


def lines_of(text: str, start: int, end: int) -> Iterator[tuple[int, str]]:
    offset = start
    for line in text[start:end].split("\n"):
        yield offset, line
        offset += len(line) + 1


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


LENGTH_LIMIT = "length limit"  # a maximum length the code enforces on a field, not a set of values


SCALAR = "scalar constant"  # one name bound to one integer: what a limit given by a constant's name holds


def length_limit(
    path: str, line: int, owner: str, column: str, construct: str, maximum: int | str
) -> Definition:
    """The longest value the code lets into `column` (`validates :name, length: { maximum: 50 }`); a name
    (`max_length=NAME_MAX_LENGTH`) is the constant's, which the index resolves (see `scalars`)."""
    return Definition(
        construct, LENGTH_LIMIT, path, line, (Member("maximum", str(maximum), line),), owner, column
    )


# A single constant (owner, name, value as text, line): `STATUS_OPEN = "open"` in class `Order`
Single = tuple[str, str, str, int]
# Words that make a constant a setting rather than one value of a column (`NAME_MAX_LENGTH = 50`)
_SETTING_WORDS = frozenset(
    [
        "MAX",
        "MIN",
        "MAXIMUM",
        "MINIMUM",
        "LENGTH",
        "LEN",
        "SIZE",
        "LIMIT",
        "COUNT",
        "TIMEOUT",
        "TTL",
        "DEFAULT",
        "REGEX",
        "RE",
        "PATTERN",
        "FORMAT",
        "LABEL",
        "LABELS",
        "TEXT",
        "MESSAGE",
        "MSG",
        "HELP",
        "PLACEHOLDER",
        "TITLE",
        "URL",
        "PATH",
        "KEY",
        "PREFIX",
        "SUFFIX",
        "SEPARATOR",
        "DELAY",
        "INTERVAL",
        "VERSION",
        "CHOICES",
        "OPTIONS",
        "VALUES",
        "NAME",
        "NAMES",
        "DISPLAY",
        "DESCRIPTION",
        "TEMPLATE",
    ]
)
_CODE_VALUE = re.compile(r"-?\d+|[A-Za-z][\w.:-]{0,63}")


def prefixed_groups(path: str, kind: str, singles: list[Single]) -> list[Definition]:
    """Constants of one class (or module) sharing a name prefix, as the values of the column that prefix
    names: `STATUS_OPEN = "open"` and `STATUS_CLOSED = "closed"` make `STATUS` with `open` and `closed`.
    At least two constants of one type (strings, or integers) with distinct values; values that look like
    text for people (spaces) and settings (`NAME_MAX_LENGTH`) are no group. Each group is named by the
    longest prefix its constants share."""
    by_prefix: dict[tuple[str, str], list[Single]] = {}
    for single in singles:
        owner, name, value, _ = single
        words = name.split("_")
        if len(words) < 2 or _SETTING_WORDS & set(words) or not _CODE_VALUE.fullmatch(value):
            continue
        for size in range(1, len(words)):
            by_prefix.setdefault((owner, "_".join(words[:size])), []).append(single)
    found = []
    for (owner, prefix), group in by_prefix.items():
        numeric = {v.lstrip("-").isdigit() for _, _, v, _ in group}
        values = {v for _, _, v, _ in group}
        longer = [
            other
            for (o, p), other in by_prefix.items()
            if o == owner and p.startswith(f"{prefix}_") and len(other) == len(group)
        ]
        if len(group) < 2 or len(numeric) != 1 or len(values) < 2 or longer:
            continue
        members = tuple(Member(name[len(prefix) + 1 :], value, line) for _, name, value, line in group)
        found.append(Definition(prefix, kind, path, group[0][3], members, owner))
    return found


def scalars(path: str, singles: list[Single]) -> list[Definition]:
    """The integer constants of a file, by name: the values a length limit may give by a constant's name."""
    return [
        Definition(name, SCALAR, path, line, (Member(name, value, line),), owner)
        for owner, name, value, line in singles
        if value.lstrip("-").isdigit()
    ]
