"""What a Kysely project says about how its migrations run: the database of its `Kysely` instance, and
whether its `Migrator` runs them without a transaction.

The dialect is the one the code constructs (`dialect: new PostgresDialect({ pool })`, a third-party one such as
`LibsqlDialect`, `PlanetScaleDialect` or `D1Dialect`) or kysely-ctl's `dialect: 'pg'`. Only a few files are
read: those whose names say they set the database up (`db.ts`, `database.ts`, `kysely.config.ts`,
`migrate.ts`, …), and only in a repository that depends on Kysely. Regular expressions only: a repository
without Kysely never loads a grammar for this.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.changeset import Tree

_DIALECTS = {
    "postgres": "postgres", "neon": "postgres", "pglite": "postgres", "postgresjs": "postgres",
    "mysql": "mysql", "planetscale": "mysql", "mariadb": "mysql",
    "sqlite": "sqlite", "libsql": "sqlite", "d1": "sqlite", "bunsqlite": "sqlite", "bunworker": "sqlite",
    "sqlitewasm": "sqlite", "wasqlite": "sqlite", "sqlocal": "sqlite", "expo": "sqlite", "turso": "sqlite",
    "durableobjectsqlite": "sqlite", "sqliteworker": "sqlite",
}  # fmt: skip
_CONSTRUCTED = re.compile(r"\bnew\s+(\w*?)Dialect\s*\(")
# kysely-ctl: `defineConfig({ dialect: 'pg' })`
_NAMED = re.compile(
    r"""\bdialect\s*:\s*["'](pg|postgres|@neondatabase/serverless|mysql2|better-sqlite3|tedious)["']"""
)
_CTL_NAMES = {
    "pg": "postgres",
    "postgres": "postgres",
    "@neondatabase/serverless": "postgres",
    "mysql2": "mysql",
    "better-sqlite3": "sqlite",
}
_DISABLED = re.compile(r"\bdisableTransactions\s*:\s*true\b")
_MODE = re.compile(r"""\btransactionMode\s*:\s*["'](per-run|per-migration|none)["']""")
# the files that build the Kysely instance or its Migrator, the likeliest first
_SETUP = (
    re.compile(r"(?:^|/)(?:kysely[\w.]*|db|database|migrat\w*)\.[cm]?[jt]s$", re.I),
    re.compile(r"(?:^|/)(?:db|database|kysely)/(?:index|client|connection|pool|config)\.[cm]?[jt]s$", re.I),
    re.compile(r"(?:^|/)(?:\w*client|connection|pool|config|index)\.[cm]?[jt]s$", re.I),
)
_SKIP = frozenset({"node_modules", "dist", "build", ".next", "test", "tests", "__tests__", "examples"})
_READ = 40
_WORDS = ("Dialect", "Migrator", "transactionMode", "disableTransactions")
_KYSELY = re.compile(r""""kysely"\s*:""")


def dialect(tree: Tree) -> tuple[str, str] | None:
    """(dialect, the file that says so) from the Kysely instance the project builds; None when none says."""
    for path, text in _setup_files(tree):
        for match in _CONSTRUCTED.finditer(text):
            found = _DIALECTS.get(match.group(1).lower())
            if found:
                return found, path
        named = _NAMED.search(text)
        if named is not None and named.group(1) in _CTL_NAMES:
            return _CTL_NAMES[named.group(1)], path
    return None


def transaction_mode(tree: Tree) -> str:
    """How the project's Migrator (or kysely-ctl's configuration) wraps migrations on a database with
    transactional DDL: `per-run` (Kysely's default: every pending migration in one transaction),
    `per-migration`, or `none` (`transactionMode: 'none'`, or the older `disableTransactions: true`)."""
    for _, text in _setup_files(tree):
        found = _MODE.search(text)
        if found is not None:
            return found.group(1)
        if _DISABLED.search(text):
            return "none"
    return "per-run"


_SEEN: dict[int, tuple[Tree, list[tuple[str, str]]]] = {}


def _setup_files(tree: Tree) -> list[tuple[str, str]]:
    kept = _SEEN.get(id(tree))
    if kept is not None and kept[0] is tree:
        return kept[1]
    found = list(_read(tree))
    if len(_SEEN) > 8:
        _SEEN.clear()
    _SEEN[id(tree)] = (tree, found)
    return found


def _rank(path: str) -> int:
    return next((i for i, pattern in enumerate(_SETUP) if pattern.search(path)), len(_SETUP))


def _read(tree: Tree) -> Iterator[tuple[str, str]]:
    paths = [p for p in tree.paths() if not any(part in _SKIP for part in p.split("/")[:-1])]
    manifests = [p for p in paths if p.rsplit("/", 1)[-1] == "package.json"]
    if not any(_KYSELY.search(tree.read(p) or "") for p in manifests[:20]):
        return
    ranked = [(_rank(p), p.count("/"), p) for p in paths]
    candidates = [p for rank, _, p in sorted(ranked) if rank < len(_SETUP)]
    for path in candidates[:_READ]:
        text = tree.read(path) or ""
        if any(word in text for word in _WORDS) or "kysely" in text.lower():
            yield path, text
