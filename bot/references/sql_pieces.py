"""A SQL statement written as several string literals: the whole string the code sends.

Code builds a long query from pieces: `"SELECT a " + "FROM t"` (Python, JavaScript, Go, Java, Ruby),
Python's and Ruby's implicit concatenation of adjacent literals (`("SELECT a "  "FROM t")`, also over
lines), Ruby's and Python's `\\` line continuation, PHP's `.`, and a value put between two pieces
(`"… WHERE id = " + id + " AND …"`). Given one literal, `joined` finds its neighbours and returns the
statement they make together, a value between pieces standing for a bind parameter (`$1`), so that it
can be read as SQL like a literal written in one piece.
"""

from __future__ import annotations

import re

_IMPLICIT = (".py", ".rb")  # adjacent literals are one string
_BACKTICK = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".go")
_PREFIXES = "fFrRbBuU"
_PREFIX = re.compile(r"[fFrRbBuU]{1,2}(?=['\"])")
_GAP = re.compile(r"(?:[ \t]|\\?\r?\n)*")
_VALUE = re.compile(r"[A-Za-z_$@][\w.$@]*(?:\([^()\n]*\))?(?:\[[^\[\]\n]*\])?")
_VALUE_BEFORE = re.compile(r"[A-Za-z_$@][\w.$@]*(?:\([^()\n]*\))?(?:\[[^\[\]\n]*\])?[ \t]*$")
_MAX_PIECES = 60
_MAX_LENGTH = 20_000
_PARAMETER = "$1"
_WINDOW = 3_000  # characters around a `sql += "…"` line searched for the other steps of its query
_ASSIGNED = re.compile(r"[ \t]*(?:(?:let|var|const)\s+)?([A-Za-z_$@][\w$]*)\s*\+?=\s*")


def joined(path: str, text: str, start: int, content: str) -> tuple[int, str]:
    """(start of the first piece, the statement) of the concatenation the literal at `start` (its
    content's first offset) belongs to, with the pieces a variable is given by `sql += "…"` on the lines
    around it; the literal alone when it is not a piece of one."""
    first, statement = expression(path, text, start, content)
    line_start = text.rfind("\n", 0, first - 1) + 1
    assigned = _ASSIGNED.match(text, line_start)
    if assigned is None or literal_start(text, assigned.end()) != first:
        return first, statement
    name = assigned.group(1)
    window_start = max(0, text.rfind("\n", 0, max(0, line_start - 1)) - _WINDOW)
    steps = [
        m
        for m in re.finditer(rf"^[ \t]*{re.escape(name)}\s*(\+?=)\s*", text[: line_start + _WINDOW], re.M)
        if m.start() >= window_start
    ]
    here = next((i for i, m in enumerate(steps) if m.start() == line_start), None)
    if here is None:
        return first, statement
    begin = here
    while begin > 0 and steps[begin].group(1) == "+=":
        begin -= 1  # back to `sql = "SELECT …"`
    if steps[begin].group(1) != "=":
        return first, statement
    parts, origin = [], -1
    for i in range(begin, len(steps)):
        if i > begin and steps[i].group(1) == "=":
            break  # the variable is given a new query
        at = literal_start(text, steps[i].end())
        if at is None:
            parts.append(_PARAMETER)
            continue
        piece_start, piece = expression(path, text, at, text[at : closing(text, at - 1) or at])
        origin = piece_start if origin < 0 else origin
        parts.append(piece)
    whole = "".join(parts)
    return (origin, whole) if origin >= 0 and len(whole) <= _MAX_LENGTH else (first, statement)


def literal_start(text: str, i: int) -> int | None:
    """The content start of a string literal opening at `i` (after a Python prefix), or None."""
    prefix = _PREFIX.match(text, i)
    i = prefix.end() if prefix else i
    char = text[i : i + 1]
    if char in ("'", '"', "`") and text[i : i + 3] != char * 3:
        return i + 1
    return None


def expression(path: str, text: str, start: int, content: str) -> tuple[int, str]:
    quote = text[start - 1 : start]
    if quote not in ("'", '"', "`") or text[start - 3 : start] == quote * 3:
        return start, content  # a heredoc or a triple-quoted string: one piece
    operators = "+." if path.endswith(".php") else "+"
    first, parts = start, [content]
    close = start + len(content)
    for _ in range(_MAX_PIECES):
        piece = _next(path, text, close, operators)
        if piece is None:
            break
        value, begin, end = piece
        if value:
            parts.append(_PARAMETER)
        if begin < 0:
            break
        parts.append(text[begin:end])
        close = end
    opening = start - 1
    for _ in range(_MAX_PIECES):
        piece = _previous(path, text, opening, operators)
        if piece is None:
            break
        value, begin, end = piece
        if value:
            parts.insert(0, _PARAMETER)
        if begin < 0:
            break
        parts.insert(0, text[begin:end])
        first, opening = begin, begin - 1
    statement = "".join(parts)
    return (first, statement) if len(statement) <= _MAX_LENGTH else (start, content)


def _next(path: str, text: str, close: int, operators: str) -> tuple[bool, int, int] | None:
    """(a value came first, content start, content end) of the piece after the closing quote at `close`;
    start -1 when a value ends the concatenation."""
    i = _gap_after(text, close + 1)
    operator = text[i : i + 1] in tuple(operators) and text[i : i + 1] != ""
    if operator:
        if text.startswith("+=", i) or text.startswith("++", i):
            return None
        i = _gap_after(text, i + 1)
    elif not path.endswith(_IMPLICIT):
        return None
    value = False
    if operator and not _opens(path, text, i):
        found = _VALUE.match(text, i)
        if found is None:
            return None
        value, i = True, _gap_after(text, found.end())
        if text[i : i + 1] != "+" or text.startswith("+=", i):
            return (True, -1, -1) if text[i : i + 1] in (")", ",", ";", "\n", "") else None
        i = _gap_after(text, i + 1)
    if path.endswith(".py"):
        prefix = _PREFIX.match(text, i)
        i = prefix.end() if prefix else i
    if not _opens(path, text, i):
        return None
    end = closing(text, i)
    return None if end is None else (value, i + 1, end)


def _previous(path: str, text: str, opening: int, operators: str) -> tuple[bool, int, int] | None:
    """(a value came between, content start, content end) of the piece before the opening quote at
    `opening`; start -1 when a value starts the concatenation."""
    i = opening - 1
    if path.endswith(".py"):
        while i >= 0 and text[i] in _PREFIXES and opening - i <= 2:
            i -= 1
    i = _gap_before(text, i)
    operator = i >= 0 and text[i] in operators
    if operator:
        i = _gap_before(text, i - 1)
    elif not path.endswith(_IMPLICIT) or text[i : i + 1] not in ("'", '"'):
        return None
    value = False
    if operator and text[i : i + 1] not in ("'", '"', "`"):
        found = _VALUE_BEFORE.search(text, max(0, i - 200), i + 1)
        if found is None:
            return None
        value, i = True, _gap_before(text, found.start() - 1)
        if text[i : i + 1] != "+":
            return (True, -1, -1) if text[i : i + 1] in ("(", ",", "=", "\n", "") else None
        i = _gap_before(text, i - 1)
    if text[i : i + 1] not in ("'", '"', "`") or (text[i] == "`" and not path.endswith(_BACKTICK)):
        return None
    begin = _opening(text, i)
    return None if begin is None else (value, begin + 1, i)


def _opens(path: str, text: str, i: int) -> bool:
    char = text[i : i + 1]
    if char == "`":
        return path.endswith(_BACKTICK)
    return char in ("'", '"') and not text.startswith(char * 3, i)


def closing(text: str, i: int) -> int | None:
    """The closing quote of the literal opened at `i` (one line, escapes skipped; backticks may span lines)."""
    quote, j = text[i], i + 1
    while j < len(text):
        char = text[j]
        if char == "\\":
            j += 2
            continue
        if char == quote:
            return j
        if char == "\n" and quote != "`":
            return None
        j += 1
    return None


def _opening(text: str, i: int) -> int | None:
    """The opening quote of the literal closed at `i`."""
    quote = text[i]
    if quote == "`":
        found = text.rfind("`", 0, i)
        return found if found >= 0 else None
    line_start = text.rfind("\n", 0, i) + 1
    j, opened = line_start, None
    while j < i:
        char = text[j]
        if opened is not None and char == "\\":
            j += 2
            continue
        if char == quote:
            opened = j if opened is None else None
        elif opened is None and char in ("'", '"'):
            end = closing(text, j)
            if end is None or end >= i:
                return None
            j = end
        j += 1
    return opened


def _gap_after(text: str, i: int) -> int:
    """The first offset at or after `i` that is not a space, a newline or a line continuation."""
    return _GAP.match(text, i).end()  # type: ignore[union-attr]


def _gap_before(text: str, i: int) -> int:
    """The last offset at or before `i` that is not a space, a newline or a line continuation."""
    while i >= 0 and (text[i] in " \t\r\n" or (text[i] == "\\" and text[i + 1 : i + 2] in ("\n", "\r"))):
        i -= 1
    return i
