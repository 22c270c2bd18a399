"""The text of a HAML template: words for people, not Ruby.

A HAML line is Ruby when it starts with `=`, `-`, `~`, `!=` or `&=`, or when a tag is followed by one
(`%td= invoice.status`); it is a filter's body under `:javascript`; it continues the line before when that
one ends with a comma (attributes or arguments over several lines). Every other line is text: a plain line
(`Terms of Service`), or what follows a tag and a space (`%strong The Service is provided as is`), where
only the `#{…}` interpolations are Ruby. A word of that text names no table or column, whatever it spells.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_TAG = re.compile(r"(?:%[\w:-]+|\.[\w-]+|#(?!\{)[\w-]+)+")
_CODE_START = ("=", "~", "!=", "&=", "-")
_CLOSERS = {"{": "}", "(": ")", "[": "]"}
_FILTER = re.compile(r":[a-z]\w*\s*$")


def haml_text(text: str, line_start: int, line: str, col: int) -> bool:
    """Is the word at `col` of this line of a HAML file (starting at `line_start` of `text`) in its text?"""
    body = line.lstrip()
    indent = len(line) - len(body)
    start = _text_start(body)
    if start is None or col < indent + start or _interpolated(line[indent + start : col]):
        return False
    return not _continues(text, line_start) and not _in_filter(text, line_start, indent)


def _text_start(body: str) -> int | None:
    """Where the text of a stripped HAML line starts; None when the line holds no text."""
    if not body or body.startswith(_CODE_START) or body[0] == ":":
        return None  # Ruby, a comment (`-#`) the comment check covers, or a filter's name
    if body[0] == "\\" or body.startswith(("#{", "! ", "& ")):
        return 1 if body[0] == "\\" else 0 if body[0] == "#" else 2
    if body[0] not in "%.#":
        return 0
    tag = _TAG.match(body)
    if tag is None:
        return 0  # `.5 miles`, `#1 choice`: text after all
    i = tag.end()
    while i < len(body) and body[i] in _CLOSERS:
        i = _closed(body, i)
        if i < 0:
            return None  # the attributes go on over the next lines
    while i < len(body) and body[i] in "<>/":
        i += 1
    rest = body[i:]
    if not rest[:1].isspace() or rest.lstrip().startswith("="):
        return None  # `%td= invoice.status`, `%br/`, `%p` alone
    return i + (len(rest) - len(rest.lstrip()))


def _closed(body: str, i: int) -> int:
    """The index after the bracket that closes the one at `i` (quotes respected); -1 when the line ends first."""
    opener, depth, quote = body[i], 0, ""
    for j in range(i, len(body)):
        ch = body[j]
        if quote:
            quote = "" if ch == quote and body[j - 1] != "\\" else quote
        elif ch in "'\"":
            quote = ch
        elif ch == opener:
            depth += 1
        elif ch == _CLOSERS[opener]:
            depth -= 1
            if depth == 0:
                return j + 1
    return -1


def _interpolated(before: str) -> bool:
    """Is the end of `before` (the text up to the word) inside a `#{…}` interpolation?"""
    opened = before.rfind("#{")
    return opened >= 0 and "}" not in before[opened:]


def _previous_lines(text: str, line_start: int) -> Iterator[str]:
    """The lines before the one at `line_start`, nearest first (blank ones left out)."""
    end = line_start - 1
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        if text[start:end].strip():
            yield text[start:end]
        end = start - 1


def _continues(text: str, line_start: int) -> bool:
    """Does the line continue the one before it (which ends with a comma or a `|`)?"""
    before = text[: max(line_start - 1, 0)]
    previous = before[before.rfind("\n") + 1 :].rstrip()
    return previous.endswith((",", "|"))


def _in_filter(text: str, line_start: int, indent: int) -> bool:
    """Is the line inside the body of a filter (`:javascript`, `:ruby`), a less indented line above it?"""
    for above in _previous_lines(text, line_start):
        body = above.lstrip()
        level = len(above) - len(body)
        if level < indent:
            if _FILTER.match(body):
                return True
            indent = level
            if level == 0:
                return False
    return False
