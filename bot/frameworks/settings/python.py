"""Django's `DATABASES`, Alembic's `alembic.ini` and `env.py`, and the drivers a Python project installs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.frameworks.settings.found import DRIVER, TOOL, Found, dialect_of, found, single, uncomment

_ENGINE = re.compile(
    r"""["']ENGINE["']\s*:\s*["'](?:django\.(?:contrib\.gis\.)?db\.backends|django_\w+)\.(\w+)["']"""
)
_ENGINE_ANYWHERE = re.compile(
    r"""["']django\.(?:contrib\.gis\.)?db\.backends\.(postgresql|postgis|mysql|sqlite3)["']"""
)
_URL = re.compile(r"\b(postgres(?:ql)?|mysql|mariadb|sqlite|cockroachdb)(?:\+\w+)?://")
_INI_URL = re.compile(r"^\s*sqlalchemy\.url\s*=\s*(postgres(?:ql)?|mysql|mariadb|sqlite|cockroachdb)\b", re.M)
_DRIVERS = {
    "psycopg2": "postgres", "psycopg2-binary": "postgres", "psycopg": "postgres", "psycopg-binary": "postgres",
    "asyncpg": "postgres", "pg8000": "postgres", "mysqlclient": "mysql", "pymysql": "mysql",
    "mysql-connector-python": "mysql", "aiomysql": "mysql", "asyncmy": "mysql", "mariadb": "mariadb",
}  # fmt: skip
_REQUIREMENT = re.compile(r"""(?:^|["'\s])([A-Za-z][\w.-]*)(?:\[[\w,]+\])?\s*(?:[<>=!~;"',]|$)""", re.M)


def is_settings(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.endswith(".py") and ("settings" in name or "/settings/" in path or name == "configuration.py")


def django_settings(path: str, text: str) -> Iterator[Found]:
    text = uncomment(text)
    engines = [m.group(1) for m in _ENGINE.finditer(text)] or [
        m.group(1) for m in _ENGINE_ANYWHERE.finditer(text)
    ]
    up = 2 if "/settings/" in path else 1
    items = [
        found(path, dialect_of(e.replace("postgis", "postgresql")) or "", f"ENGINE {e}", TOOL, up=up)
        for e in engines
    ]
    yield from single([f for f in items if f.database.dialect][:1])


def env_py(path: str, text: str) -> Iterator[Found]:
    """An Alembic `env.py` that names a URL (a default for `DATABASE_URL`, or the URL itself)."""
    items = [
        found(path, _scheme(m.group(1)), f"URL {m.group(1)}://…", TOOL, up=1)
        for m in _URL.finditer(uncomment(text))
    ]
    yield from single(items)[:1]


def requirements(path: str, text: str) -> Iterator[Found]:
    names = {m.group(1).lower() for m in _REQUIREMENT.finditer(uncomment(text))}
    up = 1 if "/requirements/" in f"/{path}" else 0
    items = [
        found(path, _DRIVERS[n], f"requires `{n}`", DRIVER, up=up) for n in sorted(names) if n in _DRIVERS
    ]
    yield from single(items)[:1]


def _scheme(word: str) -> str:
    return dialect_of("postgresql" if word.startswith("postgres") else word) or "postgres"


def alembic_ini(path: str, text: str) -> Iterator[Found]:
    match = _INI_URL.search(uncomment(text))
    if match:
        yield found(path, _scheme(match.group(1)), f"sqlalchemy.url = {match.group(1)}://…", TOOL)


_REQUIREMENT_FILES = re.compile(
    r"(^|/)(requirements[\w.-]*\.(txt|in)|requirements/[\w.-]+\.(txt|in)|pyproject\.toml|Pipfile|setup\.cfg|setup\.py)$"
)

READERS = (
    (is_settings, django_settings),
    (lambda p: p.endswith("alembic.ini"), alembic_ini),
    (lambda p: p.endswith("/env.py") or p == "env.py", env_py),
    (lambda p: bool(_REQUIREMENT_FILES.search(p)), requirements),
)
