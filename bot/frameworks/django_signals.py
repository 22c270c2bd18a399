"""`post_migrate` handlers of a Django app that write rows: data changes that run with every `migrate`.

Django sends `post_migrate` after the migrations have run; an app that connects a handler to it
(`post_migrate.connect(create_defaults, sender=self)` in `AppConfig.ready()`, or `@receiver(post_migrate)`)
changes data on every deploy without a migration saying so. A handler is found by its name in the app's
own modules and read for writes (`create`, `update`, `save`, `delete`, `execute`, …). Handlers that only
create permissions and content types (Django's own) write no rows of the application's tables; a handler
that cannot be found is reported as one that may write.
"""

from __future__ import annotations

import ast
import contextlib
import weakref
from dataclasses import dataclass

from bot.frameworks import python_source as py
from bot.model.changeset import Tree
from bot.model.findings import Location

_WRITES = frozenset(
    {
        "create",
        "bulk_create",
        "get_or_create",
        "update_or_create",
        "update",
        "bulk_update",
        "save",
        "delete",
        "execute",
        "executemany",
        "call_command",
        "loaddata",
    }
)
# Django's own bookkeeping: the rows of `auth_permission` and `django_content_type`
_OWN = frozenset({"Permission", "ContentType", "create_permissions", "create_contenttypes"})
_MODULES = ("apps.py", "signals.py", "handlers.py", "receivers.py", "models.py", "__init__.py")
_KNOWN: list[tuple[weakref.ref[Tree], dict[str, list[Handler]]]] = []  # the last trees' handlers, by app


@dataclass(frozen=True)
class Handler:
    name: str
    location: Location  # its definition, or the `connect` call when the definition is not in the app
    found: bool  # whether its definition was read


def writing_handlers(tree: Tree, app_folder: str) -> list[Handler]:
    """The `post_migrate` handlers of the app at `app_folder` (`shop/`) that write rows, or that could not be
    read; read once per tree and app."""
    known = next((found for ref, found in _KNOWN if ref() is tree), None)
    if known is None:
        known = {}
        with contextlib.suppress(TypeError):  # a tree type without weak references is read every time
            _KNOWN.insert(0, (weakref.ref(tree), known))
            del _KNOWN[4:]
    if app_folder not in known:
        known[app_folder] = _handlers(tree, app_folder)
    return known[app_folder]


def _handlers(tree: Tree, app_folder: str) -> list[Handler]:
    paths = [
        p
        for p in tree.paths()
        if p.startswith(app_folder) and p.endswith(".py") and _module(p[len(app_folder) :])
    ]
    modules = {p: m for p in paths if (m := _parse(tree, p)) is not None}
    found = []
    for path, module in modules.items():
        if not _mentions(tree, path):
            continue
        for name, line in _connected(module):
            definition = next(
                ((p, f) for p, m in modules.items() for f in _definitions(m) if f.name == name), None
            )
            if definition is None:
                found.append(Handler(name, Location(path, line), found=False))
            elif _writes(definition[1]):
                found.append(Handler(name, Location(definition[0], definition[1].lineno), found=True))
    return sorted(set(found), key=lambda h: (h.location.path, h.location.line))


def _module(relative: str) -> bool:
    """A module of the app where handlers are connected or defined (not its migrations or tests)."""
    parts = relative.split("/")
    if parts[0] in ("migrations", "tests", "test") or parts[-1].startswith("test"):
        return False
    return parts[-1] in _MODULES or "signals" in parts[:-1] or "handlers" in parts[:-1]


def _mentions(tree: Tree, path: str) -> bool:
    return "post_migrate" in (tree.read(path) or "")


def _parse(tree: Tree, path: str) -> ast.Module | None:
    text = tree.read(path) or ""
    if "post_migrate" not in text and "def " not in text:
        return None
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def _connected(module: ast.Module) -> list[tuple[str, int]]:
    """(handler name, line) of `post_migrate.connect(handler)` and `@receiver(post_migrate)` in a module."""
    found = []
    for node in ast.walk(module):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "connect"
            and py.dotted(node.func.value).endswith("post_migrate")
            and node.args
        ):
            found.append((py.name(node.args[0]), node.lineno))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and py.name(decorator) == "receiver" and decorator.args:
                    signals = decorator.args[0]
                    listed = signals.elts if isinstance(signals, ast.List | ast.Tuple) else [signals]
                    if any(py.dotted(s).endswith("post_migrate") for s in listed):
                        found.append((node.name, node.lineno))
    return [(name, line) for name, line in found if name]


def _definitions(module: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(module) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _writes(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Does the handler write rows of the application's tables (not only permissions and content types)?"""
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and py.name(node) in _WRITES:
            names = {n.id for n in ast.walk(node.func) if isinstance(n, ast.Name)}
            names |= {n.attr for n in ast.walk(node.func) if isinstance(n, ast.Attribute)}
            if not names & _OWN:
                return True
    return False
