"""What the base branch's version of an edited Django migration needs that the change removes: a module of the
repository it imports (AWX's `awx.conf.migrations._ldap_group_type`), a name it imports from one (Kitsune's
`ZENDESK_CATEGORIES` of `kitsune.customercare`), or an app it depends on that the settings no longer install
(AWX's `taggit`, kpi's `reversion`).

Django imports every migration module, applied or not, each time `migrate` runs (to build the graph): an
applied migration that imports what the change removes stops `migrate` on every database. Its edit is needed;
the question is only whether new installs still end with the schema existing databases have.
"""

from __future__ import annotations

import ast
import re

from bot.frameworks.settings.python import is_settings
from bot.model.changeset import Tree


def removed_need(base_text: str, head_text: str, base: Tree | None, head: Tree) -> tuple[str, bool] | None:
    """A sentence naming what the base version imports or depends on that the head tree no longer has, and
    whether the module needs it to load (a top-level import or a dependency) rather than only when its code
    runs (an import inside a function); None when the edit removes no such thing (or the base version is no
    Python the review can read)."""
    if base is None:
        return None
    old, new = _needs(base_text), _needs(head_text)
    if old is None or new is None:
        return None
    modules, apps = old[0] - new[0], old[1] - new[1]
    for module, name, top in sorted(modules):
        gone = _gone(module, name, base, head)
        if (
            not gone
            and _module_file(module, base) is None
            and _dropped_package(module.split(".")[0], base, head)
        ):
            gone = f"imports `{module}`, of a package this change stops installing"
        if gone:
            return gone, top
    for app in sorted(apps):
        if _uninstalled(app, base, head):
            return f"depends on the app `{app}`, which the settings no longer install", True
    return None


def _needs(text: str) -> tuple[set[tuple[str, str, bool]], set[str]] | None:
    """(module, imported name or "", at the module's top level) of each import, and the app labels of the
    migration's dependencies."""
    try:
        module = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    imports: set[tuple[str, str, bool]] = set()
    apps: set[str] = set()
    for node in ast.walk(module):
        top = node in module.body
        if isinstance(node, ast.Import):
            imports.update((alias.name, "", top) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            imports.update((node.module, alias.name, top) for alias in node.names)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "dependencies" for t in node.targets
        ):
            for item in ast.walk(node.value):
                if isinstance(item, ast.Tuple) and item.elts and isinstance(item.elts[0], ast.Constant):
                    label = item.elts[0].value
                    if isinstance(label, str) and "." not in label:
                        apps.add(label)
    return imports, apps


def _gone(module: str, name: str, base: Tree, head: Tree) -> str:
    """What of `from module import name` (or `import module`) the head tree lost: the module's file, a
    submodule imported by name, or a name the module defined; "" when nothing (or a module of no file of the
    repository: an installed package)."""
    found = _module_file(module, base)
    if found is None:
        return ""
    if head.read(found) is None:
        return f"imports `{module}`, which this change deletes"
    if not name:
        return ""
    package = found.rsplit("/", 1)[0] if found.endswith("/__init__.py") else ""
    if package and (
        base.read(f"{package}/{name}.py") is not None and head.read(f"{package}/{name}.py") is None
    ):
        return f"imports `{module}.{name}`, which this change deletes"
    if _defines(base.read(found) or "", name) and not _defines(head.read(found) or "", name):
        return f"imports `{name}` from `{module}`, which no longer defines it"
    return ""


def _module_file(module: str, tree: Tree) -> str | None:
    """The file of the repository that holds `module`, under any source folder (`netbox/dcim/models.py` for
    `dcim.models`)."""
    tail = module.replace(".", "/")
    ends = (f"/{tail}.py", f"/{tail}/__init__.py")
    exact = (f"{tail}.py", f"{tail}/__init__.py")
    for path in tree.paths():
        if path in exact or path.endswith(ends):
            return path
    return None


def _defines(text: str, name: str) -> bool:
    return (
        re.search(
            rf"^(?:{re.escape(name)}\s*[:=]|(?:async\s+)?def\s+{re.escape(name)}\b|class\s+{re.escape(name)}\b)",
            text,
            re.M,
        )
        is not None
    )


def _dropped_package(package: str, base: Tree, head: Tree) -> bool:
    """An installed package (not of the repository) that the change stops installing: its app is no longer in
    the settings and no requirements file names it any more (`django-taggit` for `taggit`)."""
    word = re.compile(rf"^[ \t]*[\w.-]*\b{re.escape(package)}\b", re.M | re.I)

    def required(tree: Tree) -> bool:
        return any(word.search(tree.read(p) or "") for p in tree.paths() if _REQUIREMENTS.search(p))

    return _uninstalled(package, base, head) and required(base) and not required(head)


_REQUIREMENTS = re.compile(
    r"(^|/)(requirements[\w.-]*\.(txt|in)|requirements/[\w.-]+\.(txt|in)|pyproject\.toml|setup\.cfg|Pipfile)$"
)


def _uninstalled(app: str, base: Tree, head: Tree) -> bool:
    """The app's label is quoted in the base tree's settings and in none of the head's: no longer installed
    (a third-party app, `taggit`, removed from `INSTALLED_APPS`)."""
    quoted = re.compile(rf"""["'](?:[\w.]+\.)?{re.escape(app)}(?:\.apps\.\w+)?["']""")

    def named(tree: Tree) -> bool:
        return any(quoted.search(tree.read(p) or "") for p in tree.paths() if is_settings(p))

    return named(base) and not named(head)
