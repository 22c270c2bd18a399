"""A model that keeps a dropped column's name as its own attribute: a property, a method, a JSON-backed field.

Redash moved `users.profile_image_url` into a JSON column and kept `profile_image_url` on the model as a
property; Rails code defines `def nearby` next to `ignored_columns`. Code that reads `user.profile_image_url`
then reads the property, which still works: those places are not uses of the column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.model.changeset import Tree

# A column declaration in the ORMs whose model classes map tables: not a replacement attribute.
_COLUMN_CALL = re.compile(
    r"\b(?:Column|mapped_column|column_property|\w+Field|ForeignKey|relationship|Mapped)\b|\bdb\.(?:Column|\w+Field)\b"
)
_CLASS_START = re.compile(r"^(?:class|module|model)\s+\w+", re.M)


def kept_attribute(tree: Tree, definitions: Iterable[tuple[str, str, str, int]], name: str) -> str | None:
    """`path:line` of an attribute `name` that a model class of the table defines without being a column
    (`def name`, `name = json_cast_property(…)`, `@property`), or None."""
    for _, _, path, line in definitions:
        if not path.endswith(".py"):  # Rails caches columns: it needs ignored_columns whatever else
            continue
        text = tree.read(path)
        if text is None:
            continue
        start = _offset(text, line)
        following = _CLASS_START.search(text, start + 1)
        body = text[start : following.start() if following else len(text)]
        method = re.search(rf"^[ \t]+def\s+(?:self\.)?{re.escape(name)}\b(?!\s*=)", body, re.M)
        assigned = re.search(rf"^[ \t]+{re.escape(name)}\s*=\s*(?!=)(.*)$", body, re.M)
        found = method or (assigned if assigned and not _COLUMN_CALL.search(assigned.group(1)) else None)
        if found is not None:
            return f"{path}:{line + body.count(chr(10), 0, found.start())}"
    return None


def _offset(text: str, line: int) -> int:
    pos = 0
    for _ in range(line - 1):
        pos = text.find("\n", pos) + 1
        if pos == 0:
            return len(text)
    return pos
