"""Plain SQL files in a migrations folder, run by a tool the review does not know.

Without a known runner, a file is transactional only when it opens a transaction itself (or when the
repository configuration says `assume_in_transaction: true`). A `.down.sql` or `down/` twin is the way back.
"""

from __future__ import annotations

import re

from bot.frameworks.dialect import database_word
from bot.frameworks.sqlfile import build, down_file, has_explicit_transaction, parse_sql
from bot.model.changeset import Tree
from bot.model.migration import Migration

NAME = "sql"
# a version leads the name (`V3__x.sql`, `003_x.sql`, `R__view.sql`) or a release folder's (`v1.19/`)
_VERSIONED = re.compile(r"^(?:[VR]?\d|R__|v\d+(?:\.\d+)+$)")
MIGRATION_FOLDERS = {
    "migrations",
    "migration",
    "migrate",
    "db_migrations",
    "schema_migrations",
    "sql_migrations",
}

# Folders that hold a project's own SQL changes under other names, each file or release folder versioned:
# Temporal's and Cadence's `schema/<database>/…/versioned/v1.19/<name>.sql` (their SQL tool runs the folders
# in version order), game servers' `sql/updates/<database>/2024_01_01_00.sql`, dbdeploy's `deltas/`,
# `patches/`, `upgrade/`. Only SQL files count there: a versioned code file in such a folder is not taken for
# a migration of a runner the review does not read (bot.frameworks.unknown keeps to MIGRATION_FOLDERS).
SQL_CHANGE_FOLDERS = MIGRATION_FOLDERS | {
    "versioned",
    "upgrade",
    "upgrades",
    "updates",
    "patches",
    "deltas",
    "changesets",
}


def detect(path: str, text: str) -> bool:
    """A SQL file under a migrations folder that something orders: a version in its name or in a folder
    below the migrations folder (`0.31/02__reaction.sql`, `versioned/v1.19/queues.sql`). One that nothing
    orders is the schema a runner loads into a new database beside the versioned migrations (memos'
    `LATEST.sql`, a `schema.sql`)."""
    parts = path.split("/")
    found = [i for i, part in enumerate(parts[:-1]) if part.lower() in SQL_CHANGE_FOLDERS]
    return path.endswith(".sql") and bool(found) and any(_VERSIONED.match(p) for p in parts[found[-1] + 1 :])


def is_down(path: str) -> bool:
    lower = path.lower()
    return (
        lower.endswith((".down.sql", "_down.sql", ".rollback.sql"))
        or "/down/" in lower
        or "/rollback/" in lower
    )


# A folder per release (`migration/0.30/01__x.sql`, `v2.1/003_y.sql`): its files run after those of every
# earlier release, and `0.8` is earlier than `0.30`
_RELEASE_FOLDER = re.compile(r"v?(\d+(?:\.\d+)+)")


def version(path: str) -> str:
    match = re.match(r"^(\d+)", path.rsplit("/", 1)[-1])
    return match.group(1) if match else ""


def order_numbers(path: str) -> tuple[int, ...] | None:
    """Where a file runs among the others: numbered files at the top of the folder first, then those of each
    release folder in release order (`0.8/02__x.sql` before `0.30/01__y.sql`, `v1.2/` before `v1.19/`); None
    for a file with neither a number nor a release folder."""
    parts = path.rsplit("/", 2)
    number = version(path)
    release = _RELEASE_FOLDER.fullmatch(parts[-2]) if len(parts) > 1 else None
    if release is None:
        return (0, int(number)) if number else None
    # a release folder's files without a number run in the order its manifest lists them: by name here
    return (1, *(int(n) for n in release.group(1).split(".")), int(number or 0))


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
    found = [f"{stem}.down.sql", f"{stem}_down.sql", f"{folder}/down/{name}", f"{folder}/rollback/{name}"]
    # a database named in the file's name (`V0011.JWT.mysql.up.sql`): the down may be one file for every database
    shared, dot, word = stem.rpartition(".")
    if dot and "/" not in word and database_word(word):  # authelia's `V0011.JWT.all.down.sql` undoes each up
        found += [f"{shared}.all.down.sql", f"{shared}.down.sql"]
    return found
