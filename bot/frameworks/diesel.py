"""Diesel: `migrations/<timestamp>_<name>/up.sql` with `down.sql` beside it; a project that runs on several
databases keeps a migrations folder per database (`migrations/postgresql/<timestamp>_<name>/up.sql`).

Diesel runs each migration in a transaction unless `metadata.toml` says `run_in_transaction = false`.
"""

from __future__ import annotations

import re

from bot.frameworks.sqlfile import build, down_file, parse_sql, sibling
from bot.model.changeset import Tree
from bot.model.migration import Migration

NAME = "diesel"


# Diesel's version folders: `2018-01-14-171611_create_tables`, `00000000000000_diesel_initial_setup`
_VERSION_FOLDER = re.compile(r"^\d[\d-]*_\w")


def detect(path: str, text: str) -> bool:
    parts = path.split("/")
    if len(parts) < 3 or parts[-1] not in ("up.sql", "down.sql"):
        return False
    # `migrations/<database>/<version>_<name>/up.sql`: one folder of migrations per database
    per_database = (
        len(parts) >= 4 and parts[-4] == "migrations" and _VERSION_FOLDER.match(parts[-2]) is not None
    )
    return parts[-3] == "migrations" or per_database


def is_down(path: str) -> bool:
    return path.endswith("/down.sql")


def version(path: str) -> str:
    return path.split("/")[-2].split("_", 1)[0]


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    up = parse_sql(path, text, dialect)
    metadata = tree.read(sibling(path, "metadata.toml")) or ""
    in_transaction = not re.search(r"run_in_transaction\s*=\s*false", metadata)
    note = (
        "Diesel runs each migration in a transaction"
        if in_transaction
        else "`metadata.toml` sets run_in_transaction = false"
    )
    back = down_file(tree, [sibling(path, "down.sql")], dialect, missing="no `down.sql`")
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
