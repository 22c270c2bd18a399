"""Flyway: `V<version>__<description>.sql`, undo `U<version>__…`, repeatable `R__…`, baseline `B<version>__…`
(see bot.frameworks.baselines).

Flyway runs each versioned migration in a transaction unless the script's `.conf` file says
`executeInTransaction=false`. The undo script with the same version is the way back.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.frameworks.sqlfile import WayBack, build, down_file, parse_sql, sibling
from bot.model.changeset import Tree, read_ahead
from bot.model.migration import (
    AddIndex,
    DetachPartition,
    DropIndex,
    Maintenance,
    Migration,
    Operation,
    RawSQL,
    Reindex,
    Transaction,
)

NAME = "flyway"
_NAME = re.compile(r"^(?P<kind>[VURB])(?P<version>[\w.]*?)__.+\.sql$")


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
    in_transaction, note = _transaction(path, name, up, tree)
    if name.startswith("R"):
        back = WayBack(
            missing="a repeatable migration is re-applied whenever it changes; its previous version is the way back"
        )
    elif name.startswith("B"):
        back = WayBack(missing="a baseline migration builds a new database; the way back is to drop it")
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


# Where Flyway is told to run migrations that mix both kinds of statement without a transaction.
_MIXED_FILES = (
    "flyway.conf",
    "conf/flyway.conf",
    "flyway.toml",
    "src/main/resources/application.properties",
    "src/main/resources/application.yml",
    "src/main/resources/application.yaml",
)
_MIXED = re.compile(r"(?:flyway\.mixed\s*[=:]\s*true|^\s*mixed\s*[=:]\s*true)", re.I | re.M)


def _transaction(path: str, name: str, up: tuple[Operation, ...], tree: Tree) -> tuple[bool, str]:
    """Flyway wraps a migration in a transaction unless told not to, or unless it can only run outside one."""
    conf = tree.read(f"{path}.conf") or ""
    if re.search(r"executeInTransaction\s*=\s*false", conf, re.I):
        return False, f"`{name}.conf` sets executeInTransaction=false"
    outside = [op for op in up if _non_transactional(op)]
    if not outside:
        return True, "Flyway runs each migration in a transaction"
    if all(_non_transactional(op) or isinstance(op, Transaction) for op in up):
        return (
            False,
            "Flyway runs a migration made only of non-transactional statements outside a transaction",
        )
    if any(_MIXED.search(tree.read(candidate) or "") for candidate in _MIXED_FILES):
        return False, "`mixed` is set, so Flyway runs this migration without a transaction"
    return True, (
        "Flyway refuses a migration that mixes non-transactional statements with others unless `mixed` "
        "is set, and would otherwise run it in a transaction"
    )


def _non_transactional(op: Operation) -> bool:
    if isinstance(op, AddIndex | DropIndex | Reindex | DetachPartition):
        return op.concurrently
    if isinstance(op, Maintenance):
        return op.command.startswith("VACUUM")
    return isinstance(op, RawSQL) and op.category in ("drop-database", "create-database", "alter-system")


# `ignoreMigrationPatterns` (Flyway 9+; `spring.flyway.ignore-migration-patterns`, `flyway.ignoreMigrationPatterns`,
# the Java API's `.ignoreMigrationPatterns("*:missing")`) and the older `ignoreMissingMigrations`
_IGNORE_PATTERNS = re.compile(r"ignore[-_]?migration[-_]?patterns\W{0,8}([^\n]*)", re.I)
_IGNORE_MISSING = re.compile(r"ignore[-_]?missing[-_]?migrations\W{0,8}true", re.I)
_SETTINGS = re.compile(
    r"(?:^|/)(?:flyway[\w.-]*\.(?:conf|toml|properties)|application[\w-]*\.(?:properties|ya?ml)|"
    r"[\w-]*flyway[\w-]*\.(?:properties|ya?ml)|pom\.xml|build\.gradle(?:\.kts)?)$|"
    r"(?i:flyway)[^/]*\.(?:java|kt)$"
)


_NO_VALIDATION = re.compile(r"validate[-_]?on[-_]?migrate\W{0,6}false", re.I)


def validation_off(tree: Tree) -> str:
    """Where the project turns off Flyway's validation before it migrates (`validateOnMigrate=false`), or ""."""
    return _setting(tree, lambda text: _NO_VALIDATION.search(text) is not None)


def missing_ignored(tree: Tree) -> str:
    """Where the project tells Flyway to pass over applied migrations whose file is gone (`*:missing`), or ""."""
    return _setting(
        tree,
        lambda text: (
            "gnore" in text
            and (
                _IGNORE_MISSING.search(text) is not None
                or any(re.search(r"\*:(?:missing|\*)", m.group(0)) for m in _IGNORE_PATTERNS.finditer(text))
            )
        ),
    )


def _setting(tree: Tree, holds: Callable[[str], bool]) -> str:
    """The first file of Flyway's settings (its own, Spring's, the build's, code that configures it) of which
    `holds` is true, or ""."""
    places = [p for p in tree.paths() if _SETTINGS.search(p)]
    for path in read_ahead(tree, places[:500]):
        if holds(tree.read(path) or ""):
            return path
    return ""


def version_numbers(path: str) -> tuple[int, ...]:
    """A migration's version as numbers: `V1_10_3__x.sql` and `B1.10.3__x.sql` are (1, 10, 3)."""
    return tuple(int(n) for n in re.findall(r"\d+", version(path)))
