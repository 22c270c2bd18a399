"""Plain SQL files in a migrations folder, run by a tool the review does not know.

Without a known runner, a file is transactional only when it opens a transaction itself (or when the
repository configuration says `assume_in_transaction: true`). A `.down.sql` or `down/` twin is the way back.
"""

from __future__ import annotations

import re

from bot.frameworks.sqlfile import build, down_file, has_explicit_transaction, parse_sql
from bot.model.changeset import Tree
from bot.model.migration import Migration

NAME = "sql"
_FOLDERS = {"migrations", "migration", "migrate", "db_migrations", "schema_migrations", "sql_migrations"}


def detect(path: str, text: str) -> bool:
    parts = path.lower().split("/")
    return path.endswith(".sql") and any(part in _FOLDERS for part in parts[:-1])


def is_down(path: str) -> bool:
    lower = path.lower()
    return (
        lower.endswith((".down.sql", "_down.sql", ".rollback.sql"))
        or "/down/" in lower
        or "/rollback/" in lower
    )


def version(path: str) -> str:
    match = re.match(r"^(\d+)", path.rsplit("/", 1)[-1])
    return match.group(1) if match else ""


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    up = parse_sql(path, text, dialect)
    back = down_file(tree, _down_candidates(path), dialect, missing="no down migration beside it")
    explicit = has_explicit_transaction(up)
    note = (
        "the file opens its own transaction"
        if explicit
        else "no known runner wraps this file in a transaction"
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
        version=version(path),
        file_transaction=explicit,
    )


def _down_candidates(path: str) -> list[str]:
    stem = path.removesuffix(".sql").removesuffix(".up")
    folder, name = path.rsplit("/", 1) if "/" in path else ("", path)
    return [f"{stem}.down.sql", f"{stem}_down.sql", f"{folder}/down/{name}", f"{folder}/rollback/{name}"]
