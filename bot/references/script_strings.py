"""In JavaScript and TypeScript, a string that names a form's field or a URL's parameter is not the column.

A form library addresses its fields by path (react-hook-form's `form.watch("brandColor.light")`,
`setValue("highlightBorderColor", …)`, `register("title")`), and a page reads its query string by name
(`req.nextUrl.searchParams.get("brandColor")`, `new URL(url).searchParams.set("page", …)`): the value
may end up in a row later, but the line reads a form's state or a URL, never the database.
"""

from __future__ import annotations

import re

_FORM_CALL = (
    r"(?:watch|useWatch|setValue|getValues|register|unregister|resetField|setError|clearErrors"
    r"|getFieldState|setFocus)"
)
_URL_CALL = r"(?:[Ss]earchParams|URLSearchParams\([^()]*\))\s*\??\.\s*(?:get|getAll|has|set|append|delete)"
_BEFORE_STRING = re.compile(rf"(?:(?<![\w$])|\.\s*){_FORM_CALL}\s*\(\s*$|\b{_URL_CALL}\s*\(\s*$")
# A member of a chain that ends in an index or a call (`user.memberships[0].role`,
# `user.memberships.filter((m) => …)[0].role`): the name the indexed or iterated value was read as.
_ITERATES = frozenset(
    ("map", "filter", "find", "findLast", "at", "slice", "sort", "toSorted", "flat", "flatMap", "reverse")
)


def form_or_url_name(line: str, col: int) -> bool:
    """Is line[col:] inside a string given as the first argument of a form library's field call or of a
    URL's query-string lookup (`form.watch("brandColor.light")`, `searchParams.get("brandColor")`)?"""
    quote = line[col - 1 : col]
    if quote not in ("'", '"', "`"):
        return False
    return _BEFORE_STRING.search(line, 0, col - 1) is not None


def chain_member(line: str, col: int) -> str:
    """The name a member at `col` is read through when the chain before it ends in an index or a call
    (`memberships` for `.role` in `user.memberships[0].role` or `user.memberships.filter(…)[0].role`);
    "" when the member follows a plain name (see `qualifier`) or the chain cannot be followed."""
    i = _before_dot(line, col)
    if i < 0 or line[i] not in ")]":
        return ""
    while i >= 0:
        if line[i] in ")]":
            i = _opener(line, i) - 1
            if i >= 1 and line[i - 1 : i + 1] == "?.":
                i -= 2  # `items?.[0]`
            continue
        start = i + 1
        while start > 0 and (line[start - 1].isalnum() or line[start - 1] in "_$"):
            start -= 1
        name = line[start : i + 1]
        if name in _ITERATES:
            i = _before_dot(line, start)
            continue
        return name
    return ""


def _before_dot(line: str, col: int) -> int:
    """The index of the last character before the `.` or `?.` that ends at `col`, or -1."""
    i = col - 1
    if i < 0 or line[i] != ".":
        return -1
    return i - 2 if i >= 1 and line[i - 1] == "?" else i - 1


def _opener(line: str, close: int) -> int:
    """The index of the bracket that `line[close]` closes, or 0 when it is not on the line."""
    depth = 0
    for i in range(close, -1, -1):
        if line[i] in ")]":
            depth += 1
        elif line[i] in "([":
            depth -= 1
            if depth == 0:
                return i
    return 0
