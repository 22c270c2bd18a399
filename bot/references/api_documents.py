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


def nested_property(text: str, line_start: int) -> bool:
    """Is the key on the line at `line_start` a property of an object that is itself a property: two
    `properties` among the keys that hold it, by indentation (`Survey: properties: styling: properties:
    brandColor:`)?"""
    line_end = text.find("\n", line_start)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    own = _KEY.match(line)
    if own is None:
        return False
    indent = len(own.group(1))
    found = 0
    pos = line_start
    while pos > 0 and indent > 0:
        previous = text.rfind("\n", 0, pos - 1) + 1
        key = _KEY.match(text, previous, pos - 1)
        pos = previous
        if key is None or len(key.group(1)) >= indent:
            continue
        indent = len(key.group(1))
        if key.group(2) == "properties":
            found += 1
            if found == 2:
                return True
        elif key.group(2) not in _CONTAINERS and found == 0:
            return False  # `required:`, `example:`: not a property
    return False
