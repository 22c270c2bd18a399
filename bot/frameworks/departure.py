"""Departure: a Rails gem that runs a MySQL migration's `ALTER TABLE` statements through Percona's
pt-online-schema-change, which copies the table online (triggers carry the writes made meanwhile) and takes
its locks with a one-second `lock_wait_timeout`.

The gem runs every migration that way once it is in the Gemfile, unless an initializer sets
`enabled_by_default = false`; a migration opts in with `uses_departure!` and out with `disable_departure!`.
A modifier (`uses_departure! if Rails.env.production?`) is taken as production's answer.
"""

from __future__ import annotations

import re

from bot.model.changeset import Tree

TOOL = "pt-online-schema-change (Departure)"
_GEM = re.compile(r"""^[ \t]*gem[ \t(]+["']departure["']""", re.M)
_OFF_BY_DEFAULT = re.compile(r"^[ \t]*\w+\.enabled_by_default\s*=\s*false\b", re.M)
_last: list[tuple[Tree, tuple[bool, bool]]] = []


def online_tool(tree: Tree, calls: tuple[str, ...]) -> str:
    """The tool that runs the migration's ALTER TABLE statements, given the class body's own calls
    (`uses_departure!`, `disable_departure!`); "" when the migration runs them itself."""
    if "disable_departure!" in calls:
        return ""
    installed, by_default = _settings(tree)
    if not installed:
        return ""
    return TOOL if by_default or "uses_departure!" in calls else ""


def _settings(tree: Tree) -> tuple[bool, bool]:
    """(the gem is installed, it runs every migration unless told otherwise), read once per tree."""
    if _last and _last[0][0] is tree:
        return _last[0][1]
    installed = _GEM.search(tree.read("Gemfile") or "") is not None
    by_default = installed and not any(
        path.startswith("config/initializers/")
        and path.endswith(".rb")
        and _OFF_BY_DEFAULT.search(_uncommented(tree.read(path) or ""))
        for path in tree.paths()
    )
    _last[:] = [(tree, (installed, by_default))]
    return installed, by_default


def _uncommented(text: str) -> str:
    return re.sub(r"^[ \t]*#.*$", "", text, flags=re.M)
