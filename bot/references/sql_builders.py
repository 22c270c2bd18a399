"""A SQL statement assembled by code from literals: a joined list, or a builder's appends.

Besides concatenation (`sql_pieces`), code builds a query by joining a list of pieces with a separator
(Python's `" ".join(["SELECT a", "FROM t"])`, Go's `strings.Join([]string{…}, " ")`, JavaScript's
`[…].join(" ")`) or by appending pieces to a builder (Java's and Kotlin's `StringBuilder.append(…)`, in
a chain or one statement a line, C#'s `Append`, Go's `strings.Builder.WriteString`). Given one literal,
`built` returns the statement its list or builder makes, a piece that is not a literal standing for a
bind parameter (`$1`), so that it can be read as SQL like a literal written in one piece.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from bot.references.sql_pieces import closing, expression, literal_start

_PARAMETER = "$1"
_WINDOW = 4_000
_MAX_LENGTH = 20_000
_SCRIPTS = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs")
_PY_JOIN = re.compile(r"""(?<![\w'"])[rRuU]?(['"])((?:\\.|(?!\1).)*)\1\s*\.join\(\s*([\[(])""")
_GO_JOIN = re.compile(r"strings\.Join\(\s*\[\]string(\{)")
_JS_LIST = re.compile(r"(?:[(=,:]|\breturn|\bawait)\s*(\[)")
_AFTER = {
    "go": re.compile(r"\s*,\s*(['\"`])(.*?)\1"),
    "js": re.compile(r"\s*\.join\(\s*(['\"`])(.*?)\1"),
}
_CALL = re.compile(
    r"(?:(?<![\w$])([A-Za-z_]\w*)\s*\.\s*|(?<=\))\s*\.\s*|(?<![\w$.]))(?:append|Append|WriteString)\s*(\()"
    r"|(?<![\w$.])(?:new\s+)?(?:StringBuilder|StringBuffer)\s*(\()"
)
_CLOSE = {"[": "]", "(": ")", "{": "}"}


def built(path: str, text: str, start: int) -> tuple[int, str] | None:
    """(start of the first piece, the statement) of the joined list or the builder the literal whose
    content starts at `start` is a piece of; None when it is neither."""
    quote = start - 1
    if text[quote : quote + 1] not in ("'", '"', "`"):
        return None
    found = _joined_list(path, text, quote) or _appended(path, text, quote)
    if found is None or len(found[1]) > _MAX_LENGTH or found[0] < 0:
        return None
    return found


def _joined_list(path: str, text: str, quote: int) -> tuple[int, str] | None:
    if path.endswith(".py"):
        kind, pattern = "py", _PY_JOIN
    elif path.endswith(".go"):
        kind, pattern = "go", _GO_JOIN
    elif path.endswith(_SCRIPTS):
        kind, pattern = "js", _JS_LIST
    else:
        return None
    if not _may_be_element(text, quote):
        return None
    window = max(0, quote - _WINDOW)
    openers = (
        ((bracket, "") for bracket in _js_lists(text, window, quote))
        if kind == "js"
        else (
            (m.start(m.lastindex or 0), m.group(2) if kind == "py" else "")
            for m in reversed(list(pattern.finditer(text, window, quote)))
        )
    )
    for bracket, joiner in openers:
        elements, end = _file_list(path, text, bracket)
        if end < quote:
            continue
        if not any(at == quote + 1 for at, _ in elements):
            return None  # the literal is inside an element, not one
        if kind == "py":
            separator = joiner
        else:
            after = _AFTER[kind].match(text, end + 1)
            if after is None:
                return None
            separator = after.group(2)
        separator = separator.replace("\\n", "\n").replace("\\t", "\t")
        return _statement(elements, separator)
    return None


def _js_lists(text: str, window: int, quote: int) -> Iterator[int]:
    """The brackets of `_JS_LIST`'s matches within text[window:quote], the last first, as `finditer` finds
    them, but looked for from the brackets back: the pattern's first branches made `re` try it at every
    character of the 4,000 before each literal."""
    bracket = quote
    while (bracket := text.rfind("[", window, bracket)) >= 0:
        start = bracket
        while start > window and text[start - 1].isspace():  # `\s` is `str.isspace`
            start -= 1
        if start - 1 >= window and text[start - 1] in "(=,:":
            yield bracket
            continue
        for word in ("return", "await"):
            at = start - len(word)
            if at >= window and text.startswith(word, at) and not (at > 0 and _word_char(text[at - 1])):
                yield bracket
                break


def _word_char(char: str) -> bool:
    r"""`\w` of a `str` pattern."""
    return char.isalnum() or char == "_"


_LISTS: list[tuple[str, dict[int, tuple[list[tuple[int, str]], int]]]] = []  # the last file's lists read


def _may_be_element(text: str, quote: int) -> bool:
    """Can the literal whose quote is at `quote` be an element of a list: its prefix (`f`, `r`) and the
    space before it follow the list's bracket or a comma? Most literals are not, and looking for the lists
    around each one costs a scan of the 4,000 characters before it."""
    i = quote
    while i > 0 and text[i - 1].isalpha():
        i -= 1
    while i > 0 and text[i - 1] in " \t\r\n":
        i -= 1
    return i > 0 and text[i - 1] in "[({,"


def _file_list(path: str, text: str, bracket: int) -> tuple[list[tuple[int, str]], int]:
    """`_elements` of the list at `bracket`, read once per file: every literal after a list looks back
    over the lists before it (a file of a thousand literals and arrays read each array again for each)."""
    if not _LISTS or _LISTS[0][0] is not text:
        _LISTS[:] = [(text, {})]
    lists = _LISTS[0][1]
    if bracket not in lists:
        lists[bracket] = _elements(path, text, bracket)
    return lists[bracket]


_BUILDER_WORDS = re.compile(r"append|Append|WriteString|StringBuilder|StringBuffer")
_WORDS_AT: list[tuple[str, list[int]]] = []  # the last file's builder words, where they start


def _builder_words(text: str) -> list[int]:
    """Where the file's builder words start, found once per file (a file has a thousand literals)."""
    if not _WORDS_AT or _WORDS_AT[0][0] is not text:
        _WORDS_AT[:] = [(text, [m.start() for m in _BUILDER_WORDS.finditer(text)])]
    return _WORDS_AT[0][1]


def _appended(path: str, text: str, quote: int) -> tuple[int, str] | None:
    if not path.endswith((".java", ".kt", ".scala", ".groovy", ".cs", ".go")):
        return None
    calls = []  # (call start, receiver, argument start, argument end)
    window = max(0, quote - _WINDOW)
    words = _builder_words(text)
    first = bisect.bisect_left(words, window)
    if first == len(words) or words[first] >= quote + _WINDOW:
        return None  # no builder call near the literal
    for match in _CALL.finditer(text, window, quote + _WINDOW):
        paren = match.start(2) if match.group(2) else match.start(3)
        end = _matching(text, paren)
        if end is None:
            continue
        receiver = match.group(1) or ("" if match.group(2) else "*")
        calls.append((match.start(), receiver, paren + 1, end))
    runs: list[list[tuple[int, str, int, int]]] = []
    for call in calls:
        last = runs[-1][-1] if runs else None
        joins = (
            last is not None
            and not text[last[3] + 1 : call[0]].strip(" \t\r\n;")
            and (call[1] in ("", last[1]) or last[1] == "*")
        )
        if joins:
            runs[-1].append(call)
        else:
            runs.append([call])
    for run in runs:
        holder = next((c for c in run if c[2] <= quote < c[3]), None)
        if holder is None:
            continue
        pieces = [_argument(path, text, begin, end, receiver == "*") for _, receiver, begin, end in run]
        own = pieces[run.index(holder)][0] >= 0  # the literal is the argument, not inside a call in it
        return _statement(pieces, "") if own else None
    return None


def _argument(path: str, text: str, begin: int, end: int, constructor: bool) -> tuple[int, str]:
    """(content start, text) of a builder call's argument: its literal, or the pieces it concatenates
    (a constructor's capacity or nothing: no text)."""
    i = _skip_space(text, begin)
    at = literal_start(text, i)
    if at is None:
        return -1, "" if constructor or i >= end else _PARAMETER
    close = closing(text, at - 1)
    if close is None:
        return -1, _PARAMETER
    first, statement = expression(path, text, at, text[at:close])
    return (first, statement) if first >= begin else (-1, _PARAMETER)


def _elements(path: str, text: str, bracket: int) -> tuple[list[tuple[int, str]], int]:
    """The elements of the list opening at `bracket` ((content start, literal) or (-1, "$1") for an
    element that is not one literal) and where the list closes (-1 when it does not)."""
    close = _CLOSE[text[bracket]]
    elements: list[tuple[int, str]] = []
    i = bracket + 1
    while i < len(text) and i < bracket + _MAX_LENGTH:
        i = _skip_space(text, i)
        if text[i : i + 1] == close:
            return elements, i
        at = literal_start(text, i)
        end = closing(text, at - 1) if at is not None else None
        if at is not None and end is not None:
            after = _skip_space(text, end + 1)
            if text[after : after + 1] in (",", close):
                elements.append((at, text[at:end]))
                i = after + (text[after] == ",")
                continue
        stop = _element_end(text, i, close)
        if stop is None:
            return elements, -1
        elements.append((-1, _PARAMETER))
        i = stop + (text[stop : stop + 1] == ",")
    return elements, -1


def _element_end(text: str, i: int, close: str) -> int | None:
    """The comma or closing bracket that ends the element starting at `i`."""
    depth = 0
    while i < len(text):
        char = text[i]
        if char in "'\"`":
            end = closing(text, i)
            if end is None:
                return None
            i = end
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                return i if char == close else None
            depth -= 1
        elif char == "," and depth == 0:
            return i
        i += 1
    return None


def _matching(text: str, paren: int) -> int | None:
    end = _element_end(text, paren + 1, ")")
    while end is not None and text[end] == ",":
        end = _element_end(text, end + 1, ")")
    return end


def _statement(pieces: list[tuple[int, str]], separator: str) -> tuple[int, str] | None:
    starts = [at for at, _ in pieces if at >= 0]
    if not starts:
        return None
    return min(starts), separator.join(piece for _, piece in pieces)


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i
