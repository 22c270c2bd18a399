"""The tables the models of a tree's Prisma schema map: `model PlatformAuthorizationToken { … }` maps the
table named like the model, `@@map("platform_authorization_token")` the one it names.

A table dropped and created again under its model's name (cal.com moved `platform_authorization_token` to
`"PlatformAuthorizationToken"` by removing the `@@map`) keeps a conventional model name,
`PlatformAuthorizationToken`, that the head's schema gives to the new table: the client's delegate
`prisma.platformAuthorizationToken` reads the new table, not the dropped one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.changeset import Tree

_MODEL = re.compile(r"^model[ \t]+(\w+)[ \t]*\{", re.M)
_MAP = re.compile(r"^[ \t]*@@map\(\s*(?:name\s*:\s*)?\"([^\"]+)\"", re.M)


def _models(tree: Tree) -> Iterator[tuple[str, str]]:
    """Each model of the tree's `.prisma` files: its name and the text of its body."""
    for path in tree.paths():
        if not path.endswith(".prisma"):
            continue
        text = tree.read(path) or ""
        for model in _MODEL.finditer(text):
            end = text.find("\n}", model.end())
            yield model.group(1), text[model.end() : end if end >= 0 else len(text)]


def prisma_tables(tree: Tree) -> dict[str, str]:
    """Each model of the tree's `.prisma` files and the table it maps."""
    found: dict[str, str] = {}
    for name, body in _models(tree):
        mapped = _MAP.search(body)
        found[name] = mapped.group(1) if mapped else name
    return found


_FIELD = re.compile(r"^[ \t]*(\w+)[ \t]+\w+(?:\[\])?\??[^\n]*$", re.M)
_FIELD_MAP = re.compile(r"@map\(\s*(?:name\s*:\s*)?\"([^\"]+)\"")


def prisma_columns(tree: Tree) -> dict[tuple[str, str], str]:
    """Each scalar field of the tree's Prisma models, by (model, field), and the column it maps
    (`email String @map("email_address")` maps `email_address`; a field without `@map`, its own name)."""
    found: dict[tuple[str, str], str] = {}
    for name, body in _models(tree):
        for field in _FIELD.finditer(body):
            if field.group(1).startswith("@") or "@relation" in field.group(0):
                continue
            mapped = _FIELD_MAP.search(field.group(0))
            found[(name, field.group(1))] = mapped.group(1) if mapped else field.group(1)
    return found


def remapped(base: Tree, head: Tree, table: str, old: str, new: str) -> str:
    """The Prisma model (or `Model.field`) this change points at the new name of what a migration renames:
    `@@map("users")` given to the model that mapped table `User` (`old`, `new` the table's names, `table`
    empty), or `@map("email_address")` to the field that mapped column `email` of `table`. Its client's
    queries follow the new name; "" when no model or field was moved that way."""
    before, after = prisma_tables(base), prisma_tables(head)
    if not table:
        moved = [m for m, t in after.items() if _same(t, new) and _same(before.get(m, ""), old)]
        return moved[0] if moved else ""
    models = [m for m, t in after.items() if _same(t, table)]
    columns, earlier = prisma_columns(head), prisma_columns(base)
    for (model, field), column in columns.items():
        if model in models and _same(column, new) and _same(earlier.get((model, field), ""), old):
            return f"{model}.{field}"
    return ""


def _same(a: str, b: str) -> bool:
    return bool(a) and a.strip('"').rpartition(".")[2].lower() == b.strip('"').rpartition(".")[2].lower()
