"""JSON schemas: the `maxLength` of a string property, owned by the schema's file (`order.schema.json`)."""

from __future__ import annotations

import re

from bot.references.codesyntax.text import Found, length_limit, line_of, snake

_PROPERTY_MAX = re.compile(r"\"(\w+)\"\s*:\s*\{[^{}]*?\"maxLength\"\s*:\s*(\d+)")


def read(path: str, text: str) -> Found:
    if '"maxLength"' not in text:
        return [], []
    stem = path.rsplit("/", 1)[-1].split(".", 1)[0]
    return [
        length_limit(
            path,
            line_of(text, match.start()),
            stem,
            snake(match.group(1)),
            f'"maxLength": {match.group(2)}',
            int(match.group(2)),
        )
        for match in _PROPERTY_MAX.finditer(text)
    ], []
