"""The database a project runs with: docker-compose and CI service images, `.env.example` URLs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from bot.frameworks.settings.found import ENVIRONMENT, Found, dialect_of, found, single, uncomment

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
_ENV = re.compile(r"(^|/)\.env(\.(example|sample|dist|template|development|local\.example))?$")


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
    yield from single(items)[:1]


READERS = (
    (lambda p: bool(_COMPOSE.search(p)) or p.startswith(".github/workflows/"), compose),
    (lambda p: bool(_ENV.search(p)), env_file),
)
