"""The application's current Django models, as its `models.py` files (and `models/` packages) declare them.

A data migration that imports a model (`from shop.models import Order`) gets today's class, not the
historical one `apps.get_model` builds from the migrations: its `Meta` is the one in the code. Read here:
the order a queryset of it has without `order_by` — `("_order",)` under `Meta.order_with_respect_to` (Django
then orders by that column whatever `ordering` says), else `Meta.ordering`, inherited as Django inherits it:
a child without a `Meta` of its own (or whose `Meta` subclasses its parent's) takes an abstract parent's, and a
child of a concrete parent takes that parent's `ordering` unless it sets one.
"""

from __future__ import annotations

import ast
import contextlib
import weakref

from bot.frameworks import python_source as py
from bot.model.changeset import Tree, read_ahead

# class name → (app, class) for each model-like class of the tree's models files
_Classes = dict[str, list[tuple[str, ast.ClassDef]]]
_CACHE: weakref.WeakKeyDictionary[Tree, _Classes] = weakref.WeakKeyDictionary()


def default_order(tree: Tree, app: str, name: str) -> tuple[str, ...] | None:
    """The order of the current model `name` of `app` when nothing orders its queryset; None when no models
    file of the tree declares it."""
    classes = model_classes(tree)
    found = [node for owner, node in classes.get(name, []) if owner == app] or [
        node for _, node in classes.get(name, [])
    ]
    return _order(found[0], classes, 0) if found else None


def _order(node: ast.ClassDef, classes: _Classes, depth: int) -> tuple[str, ...]:
    meta = _meta(node)
    options = _options(meta) if meta is not None else {}
    if options.get("order_with_respect_to"):
        return ("_order",)
    if "ordering" in options:
        value = options["ordering"]
        return tuple(str(each) for each in value) if isinstance(value, list | tuple) else ()
    if depth > 10:
        return ()
    own_meta_alone = meta is not None and not meta.bases  # an abstract parent's Meta is then not inherited
    for base in node.bases:
        for _, parent in classes.get(_base_name(base), [])[:1]:
            if own_meta_alone and _abstract(parent):
                continue
            inherited = _order(parent, classes, depth + 1)
            if inherited:
                return inherited
    return ()


def _base_name(node: ast.expr) -> str:
    """`TimeStamped` or `core.models.TimeStamped` → `TimeStamped`."""
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _meta(node: ast.ClassDef) -> ast.ClassDef | None:
    return next((s for s in node.body if isinstance(s, ast.ClassDef) and s.name == "Meta"), None)


def _options(meta: ast.ClassDef) -> dict[str, object]:
    """The options a `Meta` sets to a literal (`ordering = ["-created", "id"]`, `abstract = True`)."""
    found: dict[str, object] = {}
    for statement in meta.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        else:
            continue
        if isinstance(target, ast.Name):
            found[target.id] = py.literal(value)
    return found


def _abstract(node: ast.ClassDef) -> bool:
    meta = _meta(node)
    return meta is not None and _options(meta).get("abstract") is True


def model_classes(tree: Tree) -> _Classes:
    """Every class of the tree's models files, by name: (its app, its class), kept once per tree."""
    with contextlib.suppress(KeyError, TypeError):
        return _CACHE[tree]
    found: _Classes = {}
    paths = [path for path in tree.paths() if is_models_file(path)]
    read_ahead(tree, paths)
    for path in paths:
        text = tree.read(path) or ""
        if "class " not in text:
            continue
        try:
            module = ast.parse(text)
        except SyntaxError:
            continue
        app = app_of(path)
        for node in module.body:
            if isinstance(node, ast.ClassDef):
                found.setdefault(node.name, []).append((app, node))
    with contextlib.suppress(TypeError):  # a tree that cannot be weakly referenced is read each time
        _CACHE[tree] = found
    return found


def is_models_file(path: str) -> bool:
    parts = path.split("/")
    return path.endswith(".py") and (parts[-1] == "models.py" or (len(parts) > 1 and parts[-2] == "models"))


def app_of(path: str) -> str:
    """The app a models file belongs to: `shop` for `shop/models.py` and `shop/models/order.py`."""
    parts = path.split("/")
    return (
        parts[-3] if parts[-2:-1] == ["models"] and len(parts) > 2 else (parts[-2] if len(parts) > 1 else "")
    )
