"""Squashed Django migrations: `replaces = [("app", "0001_initial"), …]`.

Django records a squashed migration as applied, without running it, on every database that has applied
the migrations it replaces. There, its operations are no change to the schema; only new installs run it.
"""

from __future__ import annotations

import ast
import re

_REPLACES = re.compile(r"^\s+replaces\s*(?::[^=\n]*)?=", re.M)


def replaced_paths(path: str, text: str) -> tuple[str, ...]:
    """The files of the migrations a squashed migration replaces, beside it in its folder."""
    if _REPLACES.search(text) is None:
        return ()
    try:
        module = ast.parse(text)
    except SyntaxError:
        return ()
    folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
    for node in ast.walk(module):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "replaces" for t in node.targets
        ):
            try:
                pairs = ast.literal_eval(node.value)
            except ValueError:
                return ()
            return tuple(f"{folder}{name}.py" for _, name in pairs if isinstance(name, str))
    return ()
