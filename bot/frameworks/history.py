"""The order in which runners apply migrations: by version, and Alembic revisions by their chain.

An Alembic revision names its parent in `down_revision` (a tuple for a merge revision); the revision ids
are random, so file names order nothing. A revision comes after every parent it names, merge revisions
after all their branches; revisions that do not depend on each other keep their order by file name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from types import ModuleType

from bot.frameworks import order_key

Item = tuple[str, str, ModuleType]  # (path, text, framework)
_REVISION = re.compile(r"^revision\s*(?::[^=\n]*)?=\s*['\"]([\w.-]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\s*(?::[^=\n]*)?=\s*(\([^)]*\)|\[[^\]]*\]|[^\n#]+)", re.M)
_QUOTED = re.compile(r"['\"]([\w.-]+)['\"]")


def in_order(items: Sequence[Item]) -> list[Item]:
    """Migrations in the order their runners apply them."""
    ordered = sorted(items, key=lambda item: order_key(item[0], item[2]))
    slots = [i for i, item in enumerate(ordered) if item[2].NAME == "alembic"]
    for slot, item in zip(slots, _by_chain([ordered[i] for i in slots]), strict=True):
        ordered[slot] = item
    slots = [i for i, item in enumerate(ordered) if item[2].NAME == "django"]
    for slot, item in zip(slots, _by_dependencies([ordered[i] for i in slots]), strict=True):
        ordered[slot] = item
    return ordered


_DEPENDENCIES = re.compile(r"^\s*dependencies\s*(?::[^=\n]*)?=\s*\[(.*?)\]", re.M | re.S)
_PAIR = re.compile(r"\(\s*['\"]([\w.]+)['\"]\s*,\s*['\"](\w+)['\"]\s*\)")


def django_node(path: str) -> tuple[str, str]:
    """(app label, migration name) of `…/<app>/migrations/<name>.py`, as `dependencies` name it."""
    parts = path.split("/")
    return (parts[-3] if len(parts) >= 3 else "", parts[-1].removesuffix(".py"))


def _by_dependencies(items: list[Item]) -> list[Item]:
    """Django migrations after every migration their `dependencies` name, across apps (an app's first
    migration may need another app's 43rd); among free ones, version order. Dependencies on migrations
    this repository does not hold (Django's own apps) are met."""
    nodes = [django_node(path) for path, _, _ in items]
    known = set(nodes)
    waiting = []
    for (_path, text, _), node in zip(items, nodes, strict=True):
        found = _DEPENDENCIES.search(text)
        pairs = set(_PAIR.findall(found.group(1))) if found else set()
        waiting.append({(app.rsplit(".", 1)[-1], name) for app, name in pairs} & known - {node})
    done: set[tuple[str, str]] = set()
    result: list[Item] = []
    remaining = list(range(len(items)))
    while remaining:
        ready = next((i for i in remaining if waiting[i] <= done), remaining[0])  # a cycle: version order
        remaining.remove(ready)
        result.append(items[ready])
        done.add(nodes[ready])
    return result


def revision(text: str) -> tuple[str, tuple[str, ...]]:
    """An Alembic revision's id and the ids of its parents (none for the first revision)."""
    own = _REVISION.search(text)
    down = _DOWN.search(text)
    return (own.group(1) if own else ""), tuple(_QUOTED.findall(down.group(1))) if down else ()


def _by_chain(items: list[Item]) -> list[Item]:
    """Parents before children (Kahn's algorithm), file-name order among revisions that are free."""
    ids = [revision(text) for _, text, _ in items]
    known = {own for own, _ in ids if own}
    waiting = [{p for p in parents if p in known} for _, parents in ids]
    done: set[str] = set()
    result: list[Item] = []
    remaining = list(range(len(items)))
    while remaining:
        ready = next((i for i in remaining if waiting[i] <= done), remaining[0])  # a cycle: file order
        remaining.remove(ready)
        result.append(items[ready])
        done.add(ids[ready][0])
    return result
