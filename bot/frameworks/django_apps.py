"""The other apps of a Django project, as a migration of one app sees them through its foreign keys.

A ForeignKey takes the type of the primary key it points at, whatever app that model lives in: an
`AutoField` gives `integer`, a `BigAutoField` `bigint`. The other app's migrations are replayed to find it;
a model no migration of the repository creates gets its app's `AppConfig.default_auto_field`, else the
project's `DEFAULT_AUTO_FIELD`, else Django's own `AutoField` (also what Django's contrib apps use).
Django's schema editor widens the foreign keys of every app when a primary key is widened, so the same
replay lists them.

The user model is `auth.User` unless the project's settings name another (`AUTH_USER_MODEL =
"accounts.User"`): foreign keys to `settings.AUTH_USER_MODEL` and `get_user_model()` in data migrations
then mean that model's table (its `db_table` when it sets one).
"""

from __future__ import annotations

import contextlib
import re
import weakref
from collections.abc import Callable

from bot.frameworks.column_types import django_type
from bot.frameworks.django_state import State, default_table, key_type
from bot.frameworks.settings.python import is_settings
from bot.model.changeset import Tree, read_ahead

# Django's own apps, whose models have an AutoField key (their AppConfig says so since Django 3.2)
_CONTRIB = frozenset({"auth", "contenttypes", "sites", "admin", "flatpages", "redirects"})
# The models of Django's own apps whose `db_table` is not `<app>_<model>`
_CONTRIB_TABLES = {
    ("contenttypes", "contenttype"): "django_content_type",
    ("sites", "site"): "django_site",
    ("admin", "logentry"): "django_admin_log",
    ("sessions", "session"): "django_session",
    ("flatpages", "flatpage"): "django_flatpage",
    ("redirects", "redirect"): "django_redirect",
}
_AUTO_FIELD = re.compile(r"""\bdefault_auto_field\s*=\s*["'](?:[\w.]+\.)?(\w+)["']""")
_SETTING = re.compile(r"""^\s*DEFAULT_AUTO_FIELD\s*=\s*["'](?:[\w.]+\.)?(\w+)["']""", re.M)
_MIGRATION = re.compile(r"(?:^|/)(\w+)/(?:\w+_)?migrations/\d{4}_[\w-]+\.py$")
_USER_MODEL = re.compile(r"""^AUTH_USER_MODEL\s*(?::[^=\n]*)?=\s*["'](\w+)\.(\w+)["']""", re.M)
_TEST_SETTINGS = re.compile(r"(^|/)(tests?|testing|test_\w+|\w+_tests?)(/|\.py$)")
_USERS: list[tuple[weakref.ref[Tree], tuple[str, str]]] = []  # the last trees' user models
_DEFAULTS: list[tuple[weakref.ref[Tree], dict[str, str]]] = []  # the last trees' key types, by app
DJANGO_USER = ("auth", "User")


def user_model(tree: Tree) -> tuple[str, str]:
    """(app label, model name) of the project's user model: the `AUTH_USER_MODEL` its settings set (those
    of tests aside), else Django's `auth.User`; read once per tree."""
    for known, found in _USERS:
        if known() is tree:
            return found
    named: list[tuple[str, str]] = []
    settings = [
        path
        for path in tree.paths()
        if is_settings(path) and not _TEST_SETTINGS.search(path) and "/site-packages/" not in f"/{path}"
    ]
    read_ahead(tree, settings)  # one read of every settings module rather than one process per module
    for path in settings:
        text = tree.read(path) or ""
        if "AUTH_USER_MODEL" in text:
            named.extend((m.group(1), m.group(2)) for m in _USER_MODEL.finditer(text))
    choices = list(dict.fromkeys((app, model) for app, model in named))
    user = choices[0] if len(choices) == 1 else DJANGO_USER  # settings that disagree: Django's default
    with contextlib.suppress(TypeError):  # a tree type without weak references is read every time
        _USERS.insert(0, (weakref.ref(tree), user))
        del _USERS[4:]
    return user


def _defaults(tree: Tree) -> dict[str, str]:
    """The default key type of each app (and the project's, under ""), found once per tree: a long history
    makes an `Apps` for each migration, and each looked through every path of the tree for them."""
    for known, found in _DEFAULTS:
        if known() is tree:
            return found
    defaults: dict[str, str] = {}
    with contextlib.suppress(TypeError):  # a tree type without weak references is read every time
        _DEFAULTS.insert(0, (weakref.ref(tree), defaults))
        del _DEFAULTS[4:]
    return defaults


class Apps:
    """`replay(app)` gives the state after the last migration of another app of the tree (None when the
    tree has no migrations for it, or while that app is being replayed itself)."""

    def __init__(self, tree: Tree, dialect: str, app: str, replay: Callable[[str], State | None]) -> None:
        self.tree, self.dialect, self.app, self.replay = tree, dialect, app, replay
        self._defaults = _defaults(tree)

    @property
    def user(self) -> tuple[str, str]:
        """The project's user model, (app label, model name)."""
        return user_model(self.tree)

    def table(self, app: str, model: str) -> str:
        """The table of `app.model` of another app: its `db_table` when that app's migrations set one, the
        table Django's own apps give it (`django_content_type`)."""
        state = self.replay(app) if app != self.app else None
        if state is not None and model.lower() in state.models:
            return state.table(model)
        return _CONTRIB_TABLES.get((app, model.lower())) or default_table(app, model)

    def key_type(self, app: str, model: str) -> str:
        """The column type of the primary key of `app.model`; "" when unknown."""
        if app == self.app:
            return ""
        state = self.replay(app)
        if state is not None:
            found = key_type(state, state.table(model))
            if found:
                return found
        field = self._default_field(app, state is not None)
        return django_type(field, {}, self.dialect) if field else ""

    def referencing(self, table: str) -> list[tuple[State, str, str]]:
        """(state, model key, field name) of every field of another app that is a foreign key to `table`."""
        found: list[tuple[State, str, str]] = []
        for app in self._apps():
            state = self.replay(app) if app != self.app else None
            if state is None:
                continue
            for key, model in state.models.items():
                found.extend(
                    (state, key, name)
                    for name, field in model.fields.items()
                    if field.references == table and field.spec.references
                )
        return found

    def _default_field(self, app: str, in_tree: bool) -> str:
        if app in _CONTRIB:
            return "AutoField"
        if app not in self._defaults:
            config = next((p for p in self.tree.paths() if f"/{p}".endswith(f"/{app}/apps.py")), None)
            match = _AUTO_FIELD.search(self.tree.read(config) or "") if config is not None else None
            self._defaults[app] = match.group(1) if match is not None else self._setting()
        return self._defaults[app] or ("AutoField" if in_tree else "")

    def _setting(self) -> str:
        """The project's `DEFAULT_AUTO_FIELD`; "" when no settings module sets it."""
        if "" not in self._defaults:
            self._defaults[""] = ""
            for path in self.tree.paths():
                if path.endswith(".py") and "settings" in path:
                    setting = _SETTING.search(self.tree.read(path) or "")
                    if setting is not None:
                        self._defaults[""] = setting.group(1)
                        break
        return self._defaults[""]

    def _apps(self) -> list[str]:
        return sorted({m.group(1) for p in self.tree.paths() if (m := _MIGRATION.search(p)) is not None})
