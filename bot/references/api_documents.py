"""In an OpenAPI or JSON Schema document, a property of an object nested in another property, and the
text of a description, are not a model's column.

A schema lists a model's fields as its `properties`; a field holding an object lists that object's keys
as `properties` of its own (`styling: properties: brandColor:`, a JSON column's keys, or a request's
options such as `projectOverwrites`). Those inner keys are no column of the model the schema describes.
A `description` or `summary` is a sentence for a reader, whatever words it holds.
"""

from __future__ import annotations

import functools
import re

_DOCUMENT = re.compile(r"(?:^|/)(?:openapi|swagger)[^/]*\.(?:ya?ml|json)$|\.schema\.json$")
_KEY = re.compile(r"""^(\s*)(?:-\s+)?["']?([\w$-]+)["']?\s*:""", re.M)
_PROSE_KEY = re.compile(r"""^\s*["']?(?:description|summary)["']?\s*:""")
_CONTAINERS = frozenset(("properties", "items", "additionalProperties", "allOf", "anyOf", "oneOf"))


@functools.lru_cache(maxsize=4096)
def api_document(path: str) -> bool:
    """Is the file an OpenAPI or JSON Schema document (asked for every word found in a file)?"""
    return _DOCUMENT.search(path) is not None


def described(line: str, col: int) -> bool:
    """Is line[col:] in the value of a `description` or `summary` key?"""
    key = _PROSE_KEY.match(line)
    return key is not None and col >= key.end()


def nested_properties(text: str) -> frozenset[int]:
    """The starts of the lines whose key is a property of an object that is itself a property: two
    `properties` among the keys that hold it, by indentation (`Survey: properties: styling: properties:
    brandColor:`). Read in one pass over the document: the keys that hold a line are those left on a stack
    of keys of falling indentation when it is reached."""
    nested: list[int] = []
    held: list[tuple[int, str]] = []  # (indentation, key) of the keys holding the current line
    start = 0
    for line in text.split("\n"):
        key = _KEY.match(line)
        if key is not None:
            indent = len(key.group(1))
            while held and held[-1][0] >= indent:
                held.pop()
            if _held_twice(held):
                nested.append(start)
            held.append((indent, key.group(2)))
        start += len(line) + 1
    return frozenset(nested)


def _held_twice(held: list[tuple[int, str]]) -> bool:
    """Are two `properties` among the keys holding a line (nearest first), before any key that is not a
    container of properties (`required:`, `example:`)?"""
    found = 0
    for _, name in reversed(held):
        if name == "properties":
            found += 1
            if found == 2:
                return True
        elif name not in _CONTAINERS and found == 0:
            return False
    return False
