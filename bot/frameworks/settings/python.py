"""Django's `DATABASES`, Alembic's `alembic.ini` and `env.py`, and the drivers a Python project installs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.frameworks.settings.found import DRIVER, TOOL, Found, dialect_of, family, found, single, uncomment

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
    return name.endswith(".py") and (
        "settings" in name or "/settings/" in f"/{path}" or name == "configuration.py"
    )


def django_settings(path: str, text: str) -> Iterator[Found]:
    """The engine of `DATABASES`. A settings file that picks its engine when it runs (SQLite unless a database
    host is set, then PostgreSQL or MySQL) is reviewed for the server engine: SQLite beside one is the local
    fallback, and of two server engines PostgreSQL is taken, the others named in the detail."""
    text = uncomment(text)
    matches = sorted(
        {m.start(1): m.group(1) for p in (_ENGINE, _ENGINE_ANYWHERE) for m in p.finditer(text)}.items()
    )
    engines = list(dict.fromkeys(e.replace("postgis", "postgresql") for _, e in matches))
    known = [e for e in engines if dialect_of(e)]
    if not known:
        return
    chosen = min(known, key=lambda e: _PREFERRED.index(e) if e in _PREFERRED else len(_PREFERRED))
    others = [e for e in known if e != chosen]
    detail = f"ENGINE {chosen}" + (f"; it also names {', '.join(others)}" if others else "")
    up = 2 if "/settings/" in path else 1
    yield found(path, dialect_of(chosen) or "", detail, TOOL, up=up)


_PREFERRED = ("postgresql", "mysql", "sqlite3")  # a server engine over the local fallback


def env_py(path: str, text: str) -> Iterator[Found]:
    """An Alembic `env.py` that names a URL (a default for `DATABASE_URL`, or the URL itself). A SQLite URL
    given as the default of a setting read at run time (`config.get("DB_URI", "sqlite:///test.db")`) is the
    local or test fallback, not the database the revisions run on: it decides nothing."""
    text = uncomment(text)
    items = [
        found(path, _scheme(m.group(1)), f"URL {m.group(1)}://…", TOOL, up=1)
        for m in _URL.finditer(text)
        if not (m.group(1) == "sqlite" and _SQLITE_FALLBACK.search(_line_before(text, m.start())))
    ]
    yield from single(items)[:1]


def _line_before(text: str, offset: int) -> str:
    return text[text.rfind("\n", 0, offset) + 1 : offset]


# the text before a URL on its line, when the URL is the default of a lookup or what an `or` falls back to
_SQLITE_FALLBACK = re.compile(r"""(?:\.get|getenv|environ\.get)\(\s*[^,()]+,\s*["']$|\bor\s+["']$""")


def requirements(path: str, text: str) -> Iterator[Found]:
    names = {m.group(1).lower() for m in _REQUIREMENT.finditer(uncomment(text))}
    up = 1 if "/requirements/" in f"/{path}" else 0
    items = [
        found(path, _DRIVERS[n], f"requires `{n}`", DRIVER, up=up, language="python")
        for n in _DRIVERS  # the usual driver of each database first (psycopg before asyncpg)
        if n in names
    ]
    yield from single(items)[:1]


def _scheme(word: str) -> str:
    return dialect_of("postgresql" if word.startswith("postgres") else word) or "postgres"


def without_local_sqlite(items: list[Found]) -> list[Found]:
    """The settings without Django's SQLite engine where the project installs a driver of a database server
    (AWX's `awx/settings/defaults.py` names `sqlite3`, its requirements `psycopg`, and its production settings
    read `DATABASES` from files the deploy writes): SQLite is the default of a local run, and nothing installs
    a server's driver to run SQLite."""
    servers = [
        f
        for f in items
        if f.rank == DRIVER and f.language == "python" and family(f.database.dialect) != "sqlite"
    ]
    return [
        f
        for f in items
        if not (
            f.rank == TOOL
            and f.database.dialect == "sqlite"
            and f.database.detail.startswith("ENGINE ")
            and any(f.scope.startswith(s.scope) or s.scope.startswith(f.scope) for s in servers)
        )
    ]


def without_overridden_urls(items: list[Found], texts: dict[str, str]) -> list[Found]:
    """The settings without the `sqlalchemy.url` of an `alembic.ini` whose `env.py` connects to a URL of its
    own (quay's ini holds `sqlite:///will/be/overridden`, its env.py reads the application's `DB_URI`): Alembic
    never reads that URL, so it decides nothing."""
    return [f for f in items if not _overridden(f.database.source, texts)]


def _overridden(source: str, texts: dict[str, str]) -> bool:
    if not source.endswith("alembic.ini") or source not in texts:
        return False
    location = _SCRIPT_LOCATION.search(uncomment(texts[source]))
    if location is None:
        return False
    folder = source[: -len("alembic.ini")]
    relative = location.group(1).strip().replace("%(here)s/", "").strip("/")
    env = texts.get(f"{folder}{relative}/env.py")
    if env is None:
        return False
    env = uncomment(env)
    return bool(_SETS_URL.search(env)) or (not _READS_URL.search(env) and bool(_OWN_URL.search(env)))


_SCRIPT_LOCATION = re.compile(r"^\s*script_location\s*=\s*(\S+)", re.M)
_SETS_URL = re.compile(r"""set_main_option\(\s*["']sqlalchemy\.url["']""")
_READS_URL = re.compile(r"""engine_from_config\(|get_main_option\(\s*["']sqlalchemy\.url["']""")
_OWN_URL = re.compile(r"\bcreate_(?:async_)?engine\(|\.configure\([^)]*\burl\s*=")


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
