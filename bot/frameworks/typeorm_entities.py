"""The tables of a TypeORM project's entity classes, so a migration that writes through an entity
(`getRepository(Order).update(…)`, `manager.update(Order, …)`, `createQueryBuilder().update(Order)`) names
its table: `@Entity("orders")` or `@Entity({ name: "orders" })` says it; a bare `@Entity()` takes the class
name in snake case (TypeORM's default naming: `OrderLine` → `order_line`)."""

from __future__ import annotations

import contextlib
import re
import weakref

from bot.model.changeset import Tree, read_ahead

ENTITY = re.compile(
    r"@Entity\(\s*(?:(['\"])(?P<named>[^'\"]+)\1[^)]*|\{[^{}]*?\bname\s*:\s*(['\"])(?P<option>[^'\"]+)\3[^{}]*\}|"
    r"(?P<bare>[^)]*))\)\s*(?:@\w+(?:\([^)]*\))?\s*)*(?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\s+(?P<cls>\w+)"
)
_KEPT: weakref.WeakKeyDictionary[object, dict[str, str]] = weakref.WeakKeyDictionary()
_SKIPPED = ("node_modules/", "/migrations/", "/migration/", ".d.ts", ".spec.ts", ".test.ts")


def snake(name: str) -> str:
    """TypeORM's `snakeCase`: `OrderLine` → `order_line`, `HTTPLog` → `http_log`."""
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z\d])([A-Z])", r"\1_\2", spaced).lower()


def tables(tree: Tree | None) -> dict[str, str]:
    """Entity class name → its table, for every entity the tree's TypeScript files declare."""
    if tree is None:
        return {}
    try:
        kept = _KEPT.get(tree)
    except TypeError:  # a tree that cannot be referenced weakly: read each time
        kept = None
    if kept is not None:
        return kept
    found: dict[str, str] = {}
    candidates = [p for p in tree.paths() if p.endswith(".ts") and not any(part in p for part in _SKIPPED)]
    read_ahead(tree, candidates)  # one read of every TypeScript file rather than one git process per file
    for path in candidates:
        text = tree.read(path) or ""
        if "@Entity(" not in text:
            continue
        for match in ENTITY.finditer(text):
            found.setdefault(
                match.group("cls"), match.group("named") or match.group("option") or snake(match.group("cls"))
            )
    with contextlib.suppress(TypeError):  # a tree that cannot be referenced weakly is read each time
        _KEPT[tree] = found
    return found
