"""`post_migrate` handlers of a Django app that write rows: data changes that run with every `migrate`.

Django sends `post_migrate` after the migrations have run; an app that connects a handler to it
(`post_migrate.connect(create_defaults, sender=self)` in `AppConfig.ready()`, or `@receiver(post_migrate)`)
changes data on every deploy without a migration saying so. A handler is found by its name in the app's
own modules and read for writes (`create`, `update`, `save`, `delete`, `execute`, …). Handlers that only
create permissions and content types, or register the app's models one row each (as Django's own do), write
no rows of the application's tables; a handler of Django or a library is that code's own.
"""

from __future__ import annotations

import ast
import contextlib
import weakref
from dataclasses import dataclass

from bot.frameworks import python_source as py
from bot.model.changeset import Tree, read_ahead
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
_CONNECTING = frozenset(
    {"apps.py", "signals.py", "handlers.py", "receivers.py", "models.py", "__init__.py", "management.py"}
)
# Django's own bookkeeping: the rows of `auth_permission` and `django_content_type`
_OWN = frozenset({"Permission", "ContentType", "create_permissions", "create_contenttypes"})
_KNOWN: list[tuple[weakref.ref[Tree], _Known]] = []  # the last trees' handlers, by app


@dataclass(frozen=True)
class Handler:
    name: str
    location: Location  # its definition


@dataclass
class _Known:
    """What one tree was read for: each app's handlers, and the modules that may connect them by folder."""

    handlers: dict[str, list[Handler]]
    modules: dict[str, list[str]] | None = None


def writing_handlers(tree: Tree, app_folder: str) -> list[Handler]:
    """The `post_migrate` handlers of the app at `app_folder` (`shop/`) that write rows; read once per tree
    and app."""
    known = next((found for ref, found in _KNOWN if ref() is tree), None)
    if known is None:
        known = _Known({})
        with contextlib.suppress(TypeError):  # a tree type without weak references is read every time
            _KNOWN.insert(0, (weakref.ref(tree), known))
            del _KNOWN[4:]
    if app_folder not in known.handlers:
        if known.modules is None:
            known.modules = _modules_by_folder(tree)
        known.handlers[app_folder] = _handlers(tree, known.modules.get(app_folder, []))
    return known.handlers[app_folder]


def _modules_by_folder(tree: Tree) -> dict[str, list[str]]:
    """The modules an app may connect its handlers in, by the app's folder (`shop/` or "" for the root), in
    the tree's order: listed once per tree, not once for each of a long history's apps (75 apps of an
    11,000-file tree were each a walk over every path)."""
    found: dict[str, list[str]] = {}
    apps = set()  # the folders that hold migrations
    for path in tree.paths():
        parts = path.split("/")
        if "migrations" in parts[:-1]:
            apps.add("".join(f"{part}/" for part in parts[: parts.index("migrations")]))
        for depth in (1, 2):
            if len(parts) < depth:
                continue
            folder = "/".join(parts[:-depth]) + "/" if len(parts) > depth else ""
            if _connecting(path, folder):
                found.setdefault(folder, []).append(path)
    # the apps' modules in one read, not one read (a git process) for each app
    read_ahead(tree, [path for app in sorted(apps) for path in found.get(app, [])])
    return found


def _handlers(tree: Tree, paths: list[str]) -> list[Handler]:
    """Handlers connected in the modules Django apps connect them from (apps.py, signals.py, models.py, …),
    looked up in that module or the module of the app it imports them from."""
    read_ahead(tree, paths)
    found = []
    for path in paths:
        if not _mentions(tree, path):
            continue
        module = _parse(tree, path)
        for name in _connected(module):
            if name in _OWN or module is None:
                continue  # Django's own handlers, or a project's copy of them
            definition = _definition(tree, path, module, name)
            # a handler defined outside the app (Django's, a library's) is that code's business
            if definition is not None and _writes(definition[1]):
                found.append(Handler(name, Location(definition[0], definition[1].lineno)))
    return sorted(set(found), key=lambda h: (h.location.path, h.location.line))


def _connecting(path: str, app_folder: str) -> bool:
    """A module of the app where Django apps connect their handlers (not its migrations or tests)."""
    parts = path[len(app_folder) :].split("/")
    if len(parts) > 2 or (len(parts) == 2 and parts[0] not in ("signals", "handlers", "receivers")):
        return False
    return parts[-1] in _CONNECTING or (len(parts) == 2 and parts[-1].endswith(".py"))


def _definition(
    tree: Tree, path: str, module: ast.Module, name: str
) -> tuple[str, ast.FunctionDef | ast.AsyncFunctionDef] | None:
    """The handler's definition: in the connecting module, else in the module of the app it imports it
    from (`from .management import create_defaults`); None for one of another package."""
    here = next((f for f in _definitions(module) if f.name == name), None)
    if here is not None:
        return path, here
    for node in ast.walk(module):
        if isinstance(node, ast.ImportFrom) and node.level > 0 and any(a.name == name for a in node.names):
            folder = path.rsplit("/", 1)[0].split("/")
            base = folder[: len(folder) - node.level + 1]
            target = "/".join([*base, *(node.module or "").split(".")]).strip("/")
            for candidate in (f"{target}.py", f"{target}/__init__.py"):
                other = _parse(tree, candidate)
                found = next((f for f in _definitions(other) if f.name == name), None) if other else None
                if found is not None:
                    return candidate, found
    return None


def _mentions(tree: Tree, path: str) -> bool:
    return "post_migrate" in (tree.read(path) or "")


def _parse(tree: Tree, path: str) -> ast.Module | None:
    text = tree.read(path) or ""
    if "def " not in text or len(text) > 500_000:
        return None
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def _connected(module: ast.Module | None) -> list[str]:
    """The handlers of `post_migrate.connect(handler)` and `@receiver(post_migrate)` in a module."""
    found = []
    for node in ast.walk(module) if module is not None else ():
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "connect"
            and py.dotted(node.func.value).endswith("post_migrate")
            and node.args
        ):
            found.append(py.name(node.args[0]))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and py.name(decorator) == "receiver" and decorator.args:
                    signals = decorator.args[0]
                    listed = signals.elts if isinstance(signals, ast.List | ast.Tuple) else [signals]
                    if any(py.dotted(s).endswith("post_migrate") for s in listed):
                        found.append(node.name)
    return [name for name in found if name]


def _definitions(module: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(module) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _writes(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Does the handler write rows of the application's tables? Not when it only creates permissions and
    content types, or registers the app's models (one row per model of `sender.get_models()`, as Django's
    own handlers do)."""
    registering = [
        node
        for node in ast.walk(function)
        if isinstance(node, ast.For | ast.comprehension) and py.name(_iterated(node)) == "get_models"
    ]
    inside = {id(n) for loop in registering for n in ast.walk(loop)}
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and py.name(node) in _WRITES and id(node) not in inside:
            names = {n.id for n in ast.walk(node.func) if isinstance(n, ast.Name)}
            names |= {n.attr for n in ast.walk(node.func) if isinstance(n, ast.Attribute)}
            if not names & _OWN:
                return True
    return False


def _iterated(loop: ast.For | ast.comprehension) -> ast.expr:
    return loop.iter
