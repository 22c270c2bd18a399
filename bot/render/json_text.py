"""`json.dumps(value, indent=2)`, the same text, written without the standard library's generators.

With `indent`, the standard library encodes in Python, one generator per list and map: about a tenth of
a `lint --format json` run over 300 files. This writes the same characters (keys in order, ASCII only,
`NaN` and `Infinity` as JSON's encoder writes them, `default` for other objects) from one recursive
function into a list of pieces. Unlike `json.dumps` it does not look for reference cycles: a review's
plain data is a tree.
"""

from __future__ import annotations

from collections.abc import Callable
from json.encoder import encode_basestring_ascii
from typing import Any

_INFINITY = float("inf")


def dumps(value: Any, default: Callable[[Any], Any] | None = None) -> str:
    """What `json.dumps(value, indent=2, default=default)` returns."""
    pieces: list[str] = []
    _write(value, pieces, "\n", default)
    return "".join(pieces)


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _scalar(value: Any) -> str | None:
    """The text of a string, number, boolean or null (in the order json's encoder asks); None otherwise."""
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    return None


# The text of a scalar of exactly these types (most of a review's values), without `_scalar`'s questions;
# a subclass (a StrEnum member, an IntEnum) is asked them, as json's encoder does.
_EXACT: dict[type, Callable[[Any], str]] = {
    str: encode_basestring_ascii,
    int: int.__repr__,
    bool: lambda value: "true" if value else "false",
    type(None): lambda _: "null",
    float: _float,
}


def _key(key: Any) -> str:
    """A key as json writes it: a string as it is, a number, boolean or null as its scalar text."""
    if isinstance(key, str):
        return key
    text = _scalar(key)
    if text is None:
        raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")
    return text


def _write(value: Any, out: list[str], newline: str, default: Callable[[Any], Any] | None) -> None:
    """`newline` is a line break and the indentation of the line `value` starts on."""
    kind = type(value)
    if kind is str:
        out.append(encode_basestring_ascii(value))
        return
    if kind is dict or (kind is not list and isinstance(value, dict)):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        separator = "," + inner
        out.append("{" + inner)
        first = True
        for key, item in value.items():
            if not first:
                out.append(separator)
            first = False
            out.append(encode_basestring_ascii(key if type(key) is str else _key(key)) + ": ")
            exact = _EXACT.get(type(item))
            text = exact(item) if exact is not None else _scalar(item)
            if text is None:
                _write(item, out, inner, default)
            else:
                out.append(text)
        out.append(newline + "}")
        return
    if kind is list or isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        separator = "," + inner
        out.append("[" + inner)
        first = True
        for item in value:
            if not first:
                out.append(separator)
            first = False
            exact = _EXACT.get(type(item))
            text = exact(item) if exact is not None else _scalar(item)
            if text is None:
                _write(item, out, inner, default)
            else:
                out.append(text)
        out.append(newline + "]")
        return
    text = _scalar(value)
    if text is not None:
        out.append(text)
        return
    if default is None:
        raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")
    _write(default(value), out, newline, default)
