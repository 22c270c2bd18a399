"""Functions a migration imports from the project's own modules (`from shop.backfills import recompute`):
where they are in the tree, and whether their code writes data.

A migration's RunPython that hands its work to such a function changes rows the review does not read where
the migration is: `CodeReader` reports the call as a data change it could not read (`UnreadDataChange`),
naming the function and its file, rather than passing the migration as if it changed nothing. A function of
an installed package (not in the tree) or one whose code writes nothing is left alone.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from bot.model.changeset import Tree

# what a Django or SQLAlchemy write looks like in a function's code
_WRITES = re.compile(
    r"\.(?:save|delete|update|bulk_create|bulk_update|create|get_or_create|update_or_create|execute|executemany)\s*\("
)
_MOST_CANDIDATES = 8


@dataclass(frozen=True)
class Helper:
    path: str  # the module's file
    line: int  # where the function is defined
    writes: str  # the first write in its code (`Order.objects.filter(…).update(`)


def imported_helper(module: ast.Module, migration_path: str, name: str, tree: Tree) -> Helper | None:
    """The project function `name` the migration's module imports (`from a.b import name`, relative or
    absolute), when its code writes data; None otherwise."""
    for node in module.body:
        if not isinstance(node, ast.ImportFrom) or not any(
            (alias.asname or alias.name) == name for alias in node.names
        ):
            continue
        original = next(alias.name for alias in node.names if (alias.asname or alias.name) == name)
        for path in _candidates(node, migration_path, tree):
            found = _function(tree.read(path) or "", original)
            if found is not None:
                line, writes = found
                return Helper(path, line, writes) if writes else None
    return None


def _candidates(node: ast.ImportFrom, migration_path: str, tree: Tree) -> list[str]:
    """The files of the tree that may be the imported module: relative to the migration's package, or its
    dotted path anywhere in the tree (a `src/` layout)."""
    dotted = (node.module or "").replace(".", "/")
    if node.level:
        base = migration_path.split("/")[:-1]
        base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
        stem = "/".join([*base, dotted] if dotted else base)
        return [p for p in (f"{stem}.py", f"{stem}/__init__.py") if tree.read(p) is not None]
    if not dotted:
        return []
    ends = (f"{dotted}.py", f"{dotted}/__init__.py")
    found = [p for p in tree.paths() if p in ends or p.endswith(tuple("/" + e for e in ends))]
    return found[:_MOST_CANDIDATES]


def _function(text: str, name: str) -> tuple[int, str] | None:
    """(line, first write) of the module-level function `name` in `text`; "" as the write when it has none."""
    if f"def {name}" not in text:
        return None
    try:
        module = ast.parse(text)
    except SyntaxError:
        return None
    lines = text.splitlines()
    for node in module.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            body = "\n".join(lines[node.lineno - 1 : node.end_lineno or node.lineno])
            match = _WRITES.search(body)
            if match is None:
                return node.lineno, ""
            start = body.rfind("\n", 0, match.start()) + 1
            return node.lineno, body[start : match.end()].strip()
    return None
