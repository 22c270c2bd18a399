"""Flyway: `V<version>__<description>.sql`, undo `U<version>__…`, repeatable `R__…`.

Flyway runs each versioned migration in a transaction unless the script's `.conf` file says
`executeInTransaction=false`. The undo script with the same version is the way back.
"""

from __future__ import annotations

import re

from bot.changeset import Tree
from bot.frameworks.sqlfile import build, parse_sql, sibling
from bot.migration import Migration

NAME = "flyway"
_NAME = re.compile(r"^(?P<kind>[VUR])(?P<version>[\w.]*?)__.+\.sql$")


def detect(path: str, text: str) -> bool:
    match = _NAME.match(path.rsplit("/", 1)[-1])
    return match is not None and (match.group("kind") == "R" or bool(match.group("version")))


def is_down(path: str) -> bool:
    return path.rsplit("/", 1)[-1].startswith("U")


def version(path: str) -> str:
    match = _NAME.match(path.rsplit("/", 1)[-1])
    return match.group("version") if match else ""


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    name = path.rsplit("/", 1)[-1]
    up = parse_sql(path, text, dialect)
    conf = tree.read(f"{path}.conf") or ""
    in_transaction = not re.search(r"executeInTransaction\s*=\s*false", conf, re.I)
    note = (
        "Flyway runs each migration in a transaction"
        if in_transaction
        else f"`{name}.conf` sets executeInTransaction=false"
    )
    down, down_path, reason = None, None, ""
    if name.startswith("R"):
        reason = (
            "a repeatable migration is re-applied whenever it changes; its previous version is the way back"
        )
    else:
        undo_name = "U" + name[1:]
        undo_text = _find_undo(tree, path, undo_name)
        if undo_text is not None:
            down_path, text_down = undo_text
            down = parse_sql(down_path, text_down, dialect)
        else:
            reason = f"no undo script `{undo_name}`"
    return build(
        path,
        NAME,
        dialect,
        up,
        down,
        text=text,
        in_transaction=in_transaction,
        note=note,
        down_path=down_path,
        version=version(path),
        irreversible_reason=reason,
    )


def _find_undo(tree: Tree, path: str, undo_name: str) -> tuple[str, str] | None:
    candidate = sibling(path, undo_name)
    text = tree.read(candidate)
    return (candidate, text) if text is not None else None
