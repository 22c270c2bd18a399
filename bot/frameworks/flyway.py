"""Flyway: `V<version>__<description>.sql`, undo `U<version>__…`, repeatable `R__…`.

Flyway runs each versioned migration in a transaction unless the script's `.conf` file says
`executeInTransaction=false`. The undo script with the same version is the way back.
"""

from __future__ import annotations

import re

from bot.changeset import Tree
from bot.frameworks.sqlfile import WayBack, build, down_file, parse_sql, sibling
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
    if name.startswith("R"):
        back = WayBack(
            missing="a repeatable migration is re-applied whenever it changes; its previous version is the way back"
        )
    else:
        undo = sibling(path, "U" + name[1:])
        back = down_file(tree, [undo], dialect, missing=f"no undo script `{undo.rsplit('/', 1)[-1]}`")
    return build(
        path,
        NAME,
        dialect,
        up,
        back,
        text=text,
        in_transaction=in_transaction,
        note=note,
        version=version(path),
    )
