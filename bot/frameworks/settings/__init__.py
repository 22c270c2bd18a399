"""What a repository's own settings say about its database: Rails, Django, Alembic, Prisma, Spring, Flyway,
Maven/Gradle, Diesel, Go, Node, Sqitch, goose, Atlas, docker-compose and `.env` files, read from one tree.

Each reader module lists (matches(path), read(path, text)) pairs; a reader yields at most one `Found`, and
nothing when a file names several databases (it does not decide). Settings of a tool outrank drivers, which
outrank containers; a file under a test, example or vendored folder never outranks the project's own.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator

from bot.frameworks.settings import containers, jvm, native, node, python, ruby, tools
from bot.frameworks.settings.found import Found, family, speaks_for
from bot.model.changeset import Tree, read_ahead
from bot.model.database import Database

Reader = tuple[Callable[[str], bool], Callable[[str, str], Iterator[Found]]]
READERS: tuple[Reader, ...] = (
    *ruby.READERS,
    *python.READERS,
    *jvm.READERS,
    *node.READERS,
    *native.READERS,
    *tools.READERS,
    *containers.READERS,
)
_SKIP = {
    "node_modules",
    "vendor",
    "third_party",
    ".git",
    "site-packages",
    "bower_components",
    "dist",
    "target",
}
_ASIDE = {
    "test", "tests", "spec", "specs", "fixtures", "fixture", "examples", "example", "samples", "sample",
    "testdata", "e2e", "docs", "doc", "__tests__", "benchmark", "benchmarks", "contrib", "demo",
}  # fmt: skip
_MAX_FILE = 512_000
_TEST_NAME = re.compile(r"(^|[._-])tests?([._-]|$)")


class Settings:
    """Everything the tree's settings say, and the database they give a path."""

    def __init__(self, found: list[Found]) -> None:
        self.found = sorted(found, key=_strength)

    def database_for(self, path: str) -> Database | None:
        """The database of the settings that speak for `path` (the closest scope first), else the project's."""
        relevant = [f for f in self.found if speaks_for(f, path)]
        inside = [f for f in relevant if path.startswith(f.scope)]
        ranked = sorted(inside, key=lambda f: (_aside(f), f.rank, -len(f.scope), _depth(f)))
        best = ranked[0] if ranked else (relevant[0] if relevant else None)
        return self._with_version(best, path) if best is not None else None

    @property
    def default(self) -> Database | None:
        return self._with_version(self.found[0], "") if self.found else None

    def _with_version(self, best: Found, path: str) -> Database:
        database = best.database
        if database.version:
            return database
        for other in self.found:
            same = family(other.database.dialect) == family(database.dialect)
            if same and other.database.version and (not other.scope or path.startswith(other.scope)):
                dialect = other.database.dialect if database.dialect == "mysql" else database.dialect
                return dataclasses.replace(
                    database,
                    dialect=dialect,
                    version=other.database.version,
                    version_source=other.database.source,
                )
        return database


def read_settings(tree: Tree) -> Settings:
    found: list[Found] = []
    texts: dict[str, str] = {}
    wanted = [
        (path, read)
        for path in tree.paths()
        if not _SKIP.intersection(path.split("/")[:-1])
        for matches, read in READERS
        if matches(path)
    ]
    # one read of every settings file rather than one per file
    read_ahead(tree, list(dict.fromkeys(path for path, _ in wanted)))
    for path, read in wanted:
        text = tree.read(path)
        if text is not None and len(text) <= _MAX_FILE:
            texts[path] = text
            found.extend(read(path, text))
    alternatives = containers.variants_disagreeing(found)
    found = python.without_local_sqlite(python.without_overridden_urls(found, texts))
    return Settings([f for f in found if f not in alternatives])


def _aside(found: Found) -> bool:
    """Settings of tests, examples or vendored code (`spec/dummy/`, `settings/test.py`, `test_settings.py`)."""
    parts = found.database.source.lower().split("/")
    return bool(_ASIDE.intersection(parts[:-1])) or bool(_TEST_NAME.search(parts[-1]))


def _depth(found: Found) -> int:
    return found.database.source.count("/")


def _strength(found: Found) -> tuple[bool, int, int, bool, str]:
    production = "prod" in found.database.source.rsplit("/", 1)[-1]
    return _aside(found), found.rank, _depth(found), not production, found.database.source
