"""The database a project runs with: docker-compose and CI service images, `.env.example` URLs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from bot.frameworks.settings.found import ENVIRONMENT, Found, dialect_of, family, found, single, uncomment

_IMAGE = re.compile(
    r"""^\s*-?\s*image:\s*["']?(?:docker\.io/)?(?:library/|bitnami/|postgis/|cockroachdb/)?"""
    r"""(postgres|postgresql|postgis|mysql|mariadb|cockroach)(?::v?(\d+(?:\.\d+){0,2}))?""",
    re.M,
)
_URL = re.compile(
    r"^\s*(?:export\s+)?\w*DATABASE_URL\w*\s*=\s*[\"']?(postgres(?:ql)?|mysql2?|mariadb|sqlite3?|cockroachdb)(?:\+\w+)?:",
    re.M,
)
_COMPOSE = re.compile(r"(^|/)(docker-)?compose[\w.-]*\.ya?ml$")
_ENV = re.compile(
    r"(^|/)(\.env(\.(example|sample|dist|template|development|local\.example|defaults))?|\.?(example|sample)\.env)$"
)
# `DB_CLIENT=better-sqlite3`, `DB_CONNECTION=pgsql`: the database an example environment selects by name
_CLIENT = re.compile(
    r"^\s*(?:export\s+)?(?:DB|DATABASE)_(?:CLIENT|CONNECTION|DIALECT|DRIVER|TYPE|ENGINE|ADAPTER)\s*=\s*[\"']?([\w-]+)",
    re.M,
)
# `docker-compose.mariadb.yml`, `compose.postgres.yaml`: one of several ways to run the project, by its name
_VARIANT = re.compile(
    r"(?:^|/)(?:docker-)?compose[._-](?:[\w-]*[._-])?(postgres(?:ql)?|pg|mysql|mariadb|sqlite)\b", re.I
)


def compose(path: str, text: str) -> Iterator[Found]:
    items = []
    for match in _IMAGE.finditer(uncomment(text)):
        image, tag = match.group(1), match.group(2) or ""
        dialect = dialect_of(image) or "postgres"
        version = "" if image == "cockroach" else tag
        items.append(
            found(path, dialect, f"image `{image}{':' + tag if tag else ''}`", ENVIRONMENT, version=version)
        )
    # A compose file describes the whole project, wherever it sits.
    yield from (replace(f, scope="") for f in single(items)[:1])


def env_file(path: str, text: str) -> Iterator[Found]:
    items = [
        found(
            path,
            dialect_of("postgresql" if m.group(1).startswith("postgres") else m.group(1)) or "postgres",
            f"DATABASE_URL {m.group(1)}://…",
            ENVIRONMENT,
        )
        for m in _URL.finditer(uncomment(text))
    ]
    items += [
        found(path, dialect, f"{m.group(0).strip().split('=')[0].strip()}={m.group(1)}", ENVIRONMENT)
        for m in _CLIENT.finditer(uncomment(text))
        if (dialect := dialect_of(m.group(1))) is not None
    ]
    yield from single(items)[:1]


def variants_disagreeing(found: list[Found]) -> list[Found]:
    """What compose files named for a database say (`docker-compose.mariadb.yml`, `docker-compose.postgres.yml`)
    when two of them name different databases: each is one way to run the project, and none says which one
    production uses."""
    named = [f for f in found if _VARIANT.search(f.database.source)]
    return named if len({family(f.database.dialect) for f in named}) > 1 else []


READERS = (
    (lambda p: bool(_COMPOSE.search(p)) or p.startswith(".github/workflows/"), compose),
    (lambda p: bool(_ENV.search(p)), env_file),
)
