"""PostgreSQL statements with exact lines, read by PostgreSQL's own grammar (pglast, libpg_query).

A file is parsed whole: PostgreSQL's parser gives every statement's node and its place in the text. Only
when PostgreSQL rejects something is the file cut at the `;` tokens of PostgreSQL's own scanner (so `;`
inside strings, dollar-quoted bodies and comments never cuts) and each piece parsed alone, so the one
statement PostgreSQL rejects carries PostgreSQL's error and line while the others are read as usual.
A statement starts at its first token: the comments before it (where suppressions live) stay before it.

Files written for psql (schema dumps, some migrations) hold psql's own commands (`\\connect`, `\\restrict`)
and the data rows of `COPY … FROM stdin`; neither is SQL. When PostgreSQL rejects such a file, those lines
are set aside (each psql command is kept as a statement of its own) and the SQL between them is read.
"""

from __future__ import annotations

import bisect
import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pglast
from pglast import ast
from pglast.parser import ParseError

from bot.model.migration import PLACEHOLDER


@dataclass(frozen=True)
class PgStatement:
    text: str
    line: int
    end_line: int
    node: ast.Node | None = None
    error: str | None = None
    psql: bool = False  # a psql command (`\\connect db`), not SQL


_CHECKED_SETATTR = ast.Node.__setattr__
_unchecked = 0  # how many `unchecked_nodes` are open


@contextlib.contextmanager
def unchecked_nodes() -> Iterator[None]:
    """While open, pglast's node classes take each value as given instead of checking and converting it.

    Node classes check each value they are given (a dict for a node, an int for an enum) and convert it;
    the parser's own values already have their final types, so the check converts nothing and the trees
    are equal (tests/test_pg_reader.py compares them). It was over half of reading a 300-file history:
    290,000 attribute checks. Nothing of ours builds nodes by hand, and neither do pglast's printers.
    Nested uses swap the method once: each swap on the base class updates its 220 subclasses (0.2 ms, a
    twentieth of reading the 300-file history when done twice for each file)."""
    global _unchecked
    if _unchecked == 0:
        ast.Node.__setattr__ = object.__setattr__  # type: ignore[method-assign,assignment]
    _unchecked += 1
    try:
        yield
    finally:
        _unchecked -= 1
        if _unchecked == 0:
            ast.Node.__setattr__ = _CHECKED_SETATTR  # type: ignore[method-assign]


def _parse(text: str) -> tuple[ast.RawStmt, ...]:
    """`pglast.parse_sql(text)`, its nodes built without their classes' checks (see `unchecked_nodes`)."""
    with unchecked_nodes():
        return pglast.parse_sql(text)


def split(text: str, *, first_line: int = 1) -> list[PgStatement]:
    """The statements of `text`; `first_line` is the file line that `text` starts on."""
    lines = _Lines(text, first_line)
    commands: list[PgStatement] = []
    try:
        raws = _parse(text)
    except ParseError:
        if not _PSQL_LINE.search(text):
            return list(_one_by_one(text, lines))
        text, commands = _set_psql_aside(text, lines)
        try:
            raws = _parse(text)
        except ParseError:
            return sorted([*commands, *_one_by_one(text, lines)], key=lambda s: s.line)
    found = (_statement(text, raw, 0, len(text), lines) for raw in raws)
    return sorted([*commands, *(statement for statement in found if statement)], key=lambda s: s.line)


_PSQL_LINE = re.compile(r"^[ \t]*\\", re.M)
_COPY_FROM_STDIN = re.compile(r"^[ \t]*COPY\b[^;]*?\bFROM\s+STDIN\b[^;]*;[^\n]*\n", re.I | re.M)
_END_OF_DATA = re.compile(r"^\\\.[ \t\r]*$", re.M)


def _set_psql_aside(text: str, lines: _Lines) -> tuple[str, list[PgStatement]]:
    """`text` with psql commands and COPY data blanked (lines and offsets kept), and the commands."""
    chars = list(text)
    for copy in _COPY_FROM_STDIN.finditer(text):
        end = _END_OF_DATA.search(text, copy.end())
        stop = end.end() if end else len(text)
        _blank(chars, copy.end(), stop)
    blanked = "".join(chars)
    commands = []
    for match in re.finditer(r"^[ \t]*(\\[^\n]*)", blanked, re.M):
        line = lines.at(match.start(1))
        commands.append(PgStatement(match.group(1).rstrip(), line, line, psql=True))
        _blank(chars, match.start(1), match.end(1))
    return "".join(chars), commands


def _blank(chars: list[str], start: int, stop: int) -> None:
    for index in range(start, stop):
        if chars[index] != "\n":
            chars[index] = " "


def _statement(text: str, raw: ast.RawStmt, offset: int, limit: int, lines: _Lines) -> PgStatement | None:
    """`raw` parsed from `text[offset:limit]`; without a length it runs to the end of that piece."""
    start = _skip_blank(text, offset + (raw.stmt_location or 0))
    end = offset + (raw.stmt_location or 0) + raw.stmt_len if raw.stmt_len else limit
    source = _strip_trailing(text[start:end])
    if not source:
        return None
    return PgStatement(source, lines.at(start), lines.at(start + len(source) - 1), raw.stmt)


def _one_by_one(text: str, lines: _Lines) -> Iterator[PgStatement]:
    try:
        pieces = list(_pieces(text))
    except ParseError as failure:  # the scanner itself failed: an unterminated string or comment
        start = _skip_blank(text, 0)
        if start < len(text):
            yield _rejected(text[start:].rstrip(), start, lines, failure)
        return
    for start, end in pieces:
        piece = text[start:end]
        try:
            raws = _parse(piece)
        except ParseError as failure:
            begin = _skip_blank(text, start)
            yield _rejected(text[begin:end].rstrip(), begin, lines, failure, base=start)
            continue
        for raw in raws:
            statement = _statement(text, raw, start, end, lines)
            if statement:
                yield statement


def _pieces(text: str) -> Iterator[tuple[int, int]]:
    """Spans of `text` between the `;` tokens of PostgreSQL's scanner (each span without its `;`)."""
    start = 0
    for token in pglast.scan(text):
        if token.name == "ASCII_59":
            if _skip_blank(text, start) < token.start:
                yield start, token.start
            start = token.end + 1
    if _skip_blank(text, start) < len(text):
        yield start, len(text)


def _rejected(source: str, start: int, lines: _Lines, failure: ParseError, *, base: int = 0) -> PgStatement:
    message = str(failure.args[0]) if failure.args else str(failure)
    where = failure.args[1] if len(failure.args) > 1 and isinstance(failure.args[1], int) else None
    line = lines.at(base + where) if where is not None else lines.at(start)
    if f'"{PLACEHOLDER}"' in message:
        # the part the code fills in when it runs stands where no value can (indico's `CASE kind {case_expr} END`):
        # the statement is built at run time, not one PostgreSQL refuses
        error = f"the SQL is built at run time: the part the code fills in at line {line} is no value, so it could not be read"
    else:
        error = f"PostgreSQL rejects it: {message} (line {line})"
    return PgStatement(source, lines.at(start), lines.at(start + max(len(source) - 1, 0)), None, error)


_BLANK = re.compile(r"(?:\s+|--[^\n]*|/\*(?:[^*]|\*(?!/))*\*/)*")


def _skip_blank(text: str, position: int) -> int:
    match = _BLANK.match(text, position)
    return match.end() if match else position


def _strip_trailing(source: str) -> str:
    """The statement without the blanks, comments and `;` after its last token."""
    source = source.rstrip()
    while True:
        trimmed = _TRAILING.sub("", source).rstrip()
        if trimmed == source:
            return source
        source = trimmed


_TRAILING = re.compile(r"(?:;|--[^\n'\"$]*|/\*(?:[^*]|\*(?!/))*\*/)$")


class _Lines:
    """Character offset → file line."""

    def __init__(self, text: str, first_line: int) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.first_line = first_line

    def at(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) + self.first_line - 1
