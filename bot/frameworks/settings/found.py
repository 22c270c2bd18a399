"""One thing a settings file says about the database, and the words every reader shares."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.model.database import Database

# How strongly a kind of file decides: the migration tool's or ORM's own settings, then the drivers the
# project installs, then the containers and example environments it runs with.
TOOL, DRIVER, ENVIRONMENT = 0, 1, 2

_WORDS = {
    "postgresql": "postgres", "postgres": "postgres", "postgis": "postgres", "pg": "postgres",
    "cockroachdb": "postgres", "cockroach": "postgres", "psql": "postgres", "pgx": "postgres",
    "mysql": "mysql", "mysql2": "mysql", "trilogy": "mysql", "mariadb": "mariadb",
    "sqlite": "sqlite", "sqlite3": "sqlite", "better-sqlite3": "sqlite", "pgsql": "postgres",
}  # fmt: skip
_COMMENT_LINE = re.compile(r"^[ \t]*(#|//|--|;).*$", re.M)


@dataclass(frozen=True)
class Found:
    database: Database
    scope: str  # the folder whose files it speaks for ("" is the whole repository), ending in "/"
    rank: int
    language: str = ""  # a driver speaks for the migrations of its own language only ("" for every file)


def dialect_of(word: str) -> str | None:
    """postgres, mysql, mariadb or sqlite for a driver, adapter, engine or URL scheme; None for others."""
    return _WORDS.get(word.lower())


def family(dialect: str) -> str:
    return "mysql" if dialect == "mariadb" else dialect


def uncomment(text: str) -> str:
    """The text without whole-line comments (`#`, `//`, `--`, `;`), so a commented-out setting never decides."""
    return _COMMENT_LINE.sub("", text)


def folder(path: str, up: int = 0) -> str:
    """The folder of `path` (`up` levels higher), as a scope: "" or "a/b/"."""
    parts = path.split("/")[:-1]
    parts = parts[: max(0, len(parts) - up)]
    return "/".join(parts) + "/" if parts else ""


def found(
    path: str, dialect: str, detail: str, rank: int, *, version: str = "", up: int = 0, language: str = ""
) -> Found:
    database = Database(dialect, version=version, source=path, detail=detail)
    return Found(database, folder(path, up), rank, language)


_LANGUAGES = {
    "py": "python", "rb": "ruby", "go": "go", "rs": "rust", "java": "jvm", "kt": "jvm", "groovy": "jvm",
    "js": "node", "mjs": "node", "cjs": "node", "ts": "node", "mts": "node", "cts": "node",
}  # fmt: skip


def language_of(path: str) -> str:
    """The language a migration file is written in, by its extension; "" for SQL, XML, YAML and others, which
    a project of any language runs."""
    name = path.rsplit("/", 1)[-1]
    return _LANGUAGES.get(name.rsplit(".", 1)[-1].lower(), "") if "." in name else ""


def speaks_for(item: Found, path: str) -> bool:
    """Whether `item` may decide the database of `path`: a Go module's SQLite driver says nothing of the
    project's Alembic revisions, nor a Python requirement of its Go migrations."""
    language = language_of(path)
    return not item.language or not language or item.language == language


def single(items: list[Found]) -> list[Found]:
    """The items when they agree on one family; none when a file names several (it does not decide)."""
    return items if len({family(f.database.dialect) for f in items}) == 1 else []
