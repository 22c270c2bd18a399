"""Rails: `config/database.yml` (and its samples), the Gemfile's drivers, `schema.rb` and `structure.sql`."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.frameworks.settings.found import DRIVER, TOOL, Found, dialect_of, found, single, uncomment

_ADAPTER = re.compile(
    r"^\s*adapter:\s*(?:<%=.*?['\"])?[\"']?(postgresql|postgis|mysql2|trilogy|sqlite3)\b", re.M
)
_PRODUCTION = re.compile(r"^production:\s*$(.*?)(?=^\S|\Z)", re.M | re.S)
_GEM = re.compile(r"""^\s*gem\s+["'](pg|mysql2|trilogy|sqlite3|activerecord-postgis-adapter)["']""", re.M)
_MYSQL_SCHEMA = re.compile(r"""\b(charset|collation):\s*"utf8\w*"|options:\s*"ENGINE=""")
_PG_SCHEMA = re.compile(r"""^\s*enable_extension\s+["']""", re.M)
_DATABASE_YML = re.compile(r"database\.yml(\.(sample|example|template|dist|default|ci))?")
_DUMPED = re.compile(r"^-- Dumped from database version (\d+(?:\.\d+)?)", re.M)
_MYSQL_DUMP = re.compile(
    r"\bENGINE\s*=\s*InnoDB\b|^-- MySQL dump|^-- Server version\s+\S*MariaDB", re.M | re.I
)
_MARIADB_DUMP = re.compile(r"^-- (?:Server version|MariaDB dump)\s*\S*\s*-?MariaDB|^/\*M!", re.M)


def is_database_yml(path: str) -> bool:
    parts = path.split("/")
    return len(parts) >= 2 and parts[-2] == "config" and bool(_DATABASE_YML.fullmatch(parts[-1]))


def database_yml(path: str, text: str) -> Iterator[Found]:
    text = uncomment(text)
    production = _PRODUCTION.search(text)
    match = _ADAPTER.search(production.group(1)) if production else None
    match = match or _ADAPTER.search(text)
    if match:
        dialect = dialect_of(match.group(1).replace("postgis", "postgresql")) or "postgres"
        yield found(path, dialect, f"adapter: {match.group(1)}", TOOL, up=1)


_TIME_ZONE = re.compile(
    r"""^\s*(?:variables:\s*\{[^}]*?)?\b(?:timezone|time_zone)\s*:\s*["']?([\w/+:-]+)""", re.M | re.I
)


def session_time_zone(text: str) -> str:
    """The session time zone a `config/database.yml` sets on every connection (`variables: timezone:`), its
    production entry's first; "" when it sets none (Rails then sets UTC, its default)."""
    text = uncomment(text)
    production = _PRODUCTION.search(text)
    match = (_TIME_ZONE.search(production.group(1)) if production else None) or _TIME_ZONE.search(text)
    return match.group(1) if match else ""


def gemfile(path: str, text: str) -> Iterator[Found]:
    gems = {m.group(1) for m in _GEM.finditer(uncomment(text))}
    items = [
        found(path, dialect_of(gem) or "postgres", f"gem `{gem}`", DRIVER, language="ruby")
        for gem in sorted(gems)
    ]
    yield from single(items)


def schema_rb(path: str, text: str) -> Iterator[Found]:
    text = uncomment(text)
    match = _MYSQL_SCHEMA.search(text)
    if match:
        yield found(path, "mysql", f"`{match.group(0)}`", DRIVER, up=1)
    elif _PG_SCHEMA.search(text):
        yield found(path, "postgres", "`enable_extension`", DRIVER, up=1)


def structure_sql(path: str, text: str) -> Iterator[Found]:
    head = text[:20_000]
    version = _DUMPED.search(head)
    if version or "SET client_encoding" in head or "pg_catalog.set_config" in head:
        yield found(path, "postgres", "a pg_dump", DRIVER, version=version.group(1) if version else "", up=1)
    elif _MARIADB_DUMP.search(head):
        yield found(path, "mariadb", "a MariaDB dump", DRIVER, up=1)
    elif _MYSQL_DUMP.search(head):
        yield found(path, "mysql", "a MySQL dump", DRIVER, up=1)


READERS = (
    (is_database_yml, database_yml),
    (lambda p: p.rsplit("/", 1)[-1] == "Gemfile", gemfile),
    (lambda p: p.endswith("db/schema.rb"), schema_rb),
    (lambda p: p.endswith(("db/structure.sql", "db/schema.sql")), structure_sql),
)
