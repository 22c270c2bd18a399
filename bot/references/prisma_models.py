"""The tables the models of a tree's Prisma schema map: `model PlatformAuthorizationToken { … }` maps the
table named like the model, `@@map("platform_authorization_token")` the one it names.

A table dropped and created again under its model's name (cal.com moved `platform_authorization_token` to
`"PlatformAuthorizationToken"` by removing the `@@map`) keeps a conventional model name,
`PlatformAuthorizationToken`, that the head's schema gives to the new table: the client's delegate
`prisma.platformAuthorizationToken` reads the new table, not the dropped one.
"""

from __future__ import annotations

import re

from bot.model.changeset import Tree

_MODEL = re.compile(r"^model[ \t]+(\w+)[ \t]*\{", re.M)
_MAP = re.compile(r"^[ \t]*@@map\(\s*(?:name\s*:\s*)?\"([^\"]+)\"", re.M)


def prisma_tables(tree: Tree) -> dict[str, str]:
    """Each model of the tree's `.prisma` files and the table it maps."""
    found: dict[str, str] = {}
    for path in tree.paths():
        if not path.endswith(".prisma"):
            continue
        text = tree.read(path) or ""
        for model in _MODEL.finditer(text):
            end = text.find("\n}", model.end())
            mapped = _MAP.search(text, model.end(), end if end >= 0 else len(text))
            found[model.group(1)] = mapped.group(1) if mapped else model.group(1)
    return found
