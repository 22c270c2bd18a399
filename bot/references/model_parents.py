"""The classes whose code is a Python model's own: the abstract models and mixins it inherits from.

A Django model that inherits `class LegacyMixin(models.Model)` with `class Meta: abstract = True` gets the
mixin's fields as columns of its own table, and runs the mixin's methods on its own rows: `legacy_code =
models.CharField(…)` and `self.legacy_code` in the mixin are uses of `shop_order.legacy_code` (and of
`shop_invoice.legacy_code`, when `Invoice` inherits it too). A concrete parent is no such class: its fields are
columns of its own table (multi-table inheritance). SQLAlchemy's `__abstract__ = True` classes and plain mixins
(`class AuditMixin:`) are read the same way. The parent is looked for in the model's file, then in the module the
file imports it from (`from core.mixins import LegacyMixin`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.model.changeset import Tree

Mapped = tuple[str, str, str, int]  # (table, model class, path, line) of a declaration
_ABSTRACT = re.compile(r"^[ \t]+(?:abstract|__abstract__)\s*=\s*True\b", re.M)
_TOP_CLASS = re.compile(r"^class\s+(\w+)\s*(?:\(([^)]*)\))?\s*:", re.M)
_IMPORT = r"^from\s+([\w.]+)\s+import\s+(?:\([^)]*|[^\n]*)\b{name}\b"


def code_parents(tree: Tree, definitions: Iterable[Mapped]) -> dict[str, frozenset[tuple[str, str]]]:
    """table → (path, class) of each abstract model or mixin a Python model class of the table inherits
    from, at any depth."""
    found: dict[str, set[tuple[str, str]]] = {}
    paths: list[str] | None = None
    for table, model, path, _ in definitions:
        if not path.endswith(".py"):
            continue
        pending, seen = [(path, model)], {(path, model)}
        while pending:
            where, name = pending.pop()
            text = tree.read(where) or ""
            for base in _bases(text, name):
                located = _located(text, where, base)
                if located is None:
                    if paths is None:
                        paths = [p for p in tree.paths() if p.endswith(".py")]
                    located = _imported(tree, paths, text, base)
                if located is None or located in seen:
                    continue
                seen.add(located)
                if _own_code(tree.read(located[0]) or "", base):
                    found.setdefault(table, set()).add(located)
                    pending.append(located)
    return {table: frozenset(classes) for table, classes in found.items()}


def _classes(text: str) -> dict[str, tuple[int, str]]:
    """Each top-level class of a module: (where it starts, its bases as written)."""
    return {m.group(1): (m.start(), m.group(2) or "") for m in _TOP_CLASS.finditer(text)}


def _bases(text: str, name: str) -> list[str]:
    """The last part of each base of the class (`models.Model` → `Model`), keyword arguments left out."""
    written = _classes(text).get(name, (0, ""))[1]
    parts = (part.strip() for part in written.split(","))
    return [
        part.rpartition(".")[2]
        for part in parts
        if part and "=" not in part and part.replace(".", "").isidentifier()
    ]


def _located(text: str, path: str, name: str) -> tuple[str, str] | None:
    return (path, name) if name in _classes(text) else None


def _imported(tree: Tree, paths: list[str], text: str, name: str) -> tuple[str, str] | None:
    """The module the file imports `name` from, found at any depth of the tree (a project's source root)."""
    imported = re.search(_IMPORT.format(name=re.escape(name)), text, re.M)
    if imported is None or imported.group(1).startswith("."):
        return None
    module = imported.group(1).replace(".", "/")
    for path in paths:
        named = path.endswith((f"{module}.py", f"{module}/__init__.py"))
        if named and name in _classes(tree.read(path) or ""):
            return path, name
    return None


def _own_code(text: str, name: str) -> bool:
    """Is the class an abstract model (`abstract = True` in its Meta, `__abstract__ = True`) or a plain mixin
    (no model: it inherits nothing, `object`, or only other mixins)? A model named `…Mixin` that is not
    abstract is concrete: its fields are its own table's."""
    classes = _classes(text)
    start, _ = classes[name]
    following = [s for s, _ in classes.values() if s > start]
    body = text[start : min(following, default=len(text))]
    return _ABSTRACT.search(body) is not None or all(
        base == "object" or base.endswith("Mixin") for base in _bases(text, name)
    )
