"""Sqitch: `deploy/<change>.sql`, with `revert/<change>.sql` and `verify/<change>.sql`.

Sqitch runs scripts through the database's client without a transaction of its own; its templates
write `BEGIN` and `COMMIT` into the script, which is what counts.
"""

from __future__ import annotations

from bot.frameworks.sqlfile import build, down_file, has_explicit_transaction, parse_sql
from bot.model.changeset import Tree
from bot.model.migration import Migration

NAME = "sqitch"


def detect(path: str, text: str) -> bool:
    parts = path.split("/")
    return len(parts) >= 2 and parts[-2] in ("deploy", "revert", "verify") and path.endswith(".sql")


def is_down(path: str) -> bool:
    return path.split("/")[-2] in ("revert", "verify")


def version(path: str) -> str:
    return ""


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    up = parse_sql(path, text, dialect)
    parts = path.split("/")
    revert_path = "/".join([*parts[:-2], "revert", parts[-1]])
    back = down_file(tree, [revert_path], dialect, missing=f"no `{revert_path}`")
    explicit = has_explicit_transaction(up)
    note = (
        "the script opens its own transaction"
        if explicit
        else "sqitch does not wrap a script in a transaction"
    )
    return build(
        path,
        NAME,
        dialect,
        up,
        back,
        text=text,
        in_transaction=explicit,
        note=note,
        file_transaction=explicit,
    )
