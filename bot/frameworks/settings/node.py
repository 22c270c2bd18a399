"""Prisma `datasource` providers in any `schema.prisma`, Node drivers, Knex, TypeORM and Sequelize settings."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from bot.frameworks.settings.found import DRIVER, TOOL, Found, dialect_of, found, single, uncomment

_DATASOURCE = re.compile(r"^\s*datasource\s+\w+\s*\{(.*?)^\s*\}", re.M | re.S)
_PROVIDER = re.compile(r'^\s*provider\s*=\s*"(\w+)"', re.M)
_CLIENT = re.compile(
    r"""\b(?:client|dialect|type)\s*:\s*["'](pg|postgres|postgresql|mysql|mysql2|mariadb|sqlite3?|better-sqlite3|cockroachdb)["']"""
)
_PACKAGES = {
    "pg": "postgres", "postgres": "postgres", "pg-promise": "postgres", "@neondatabase/serverless": "postgres",
    "mysql": "mysql", "mysql2": "mysql", "mariadb": "mariadb", "sqlite3": "sqlite", "better-sqlite3": "sqlite",
}  # fmt: skip
_CONFIGS = re.compile(
    r"(^|/)(knexfile\.[cm]?[jt]s|ormconfig\.(json|[cm]?[jt]s|ya?ml)|data-?source\.[jt]s|\.sequelizerc|"
    r"config/config\.json|database\.config\.[jt]s)$"
)


def prisma_schema(path: str, text: str) -> Iterator[Found]:
    block = _DATASOURCE.search(uncomment(text))
    provider = _PROVIDER.search(block.group(1)) if block else None
    dialect = dialect_of(provider.group(1)) if provider else None
    if provider and dialect:
        up = 1 if path.split("/")[-2:-1] == ["prisma"] else 0
        yield found(path, dialect, f'provider = "{provider.group(1)}"', TOOL, up=up)


def package_json(path: str, text: str) -> Iterator[Found]:
    try:
        data = json.loads(text)
    except ValueError:
        return
    if not isinstance(data, dict):
        return
    names: set[str] = set()
    for key in ("dependencies", "devDependencies", "optionalDependencies"):
        section = data.get(key)
        if isinstance(section, dict):
            names.update(n for n in section if n in _PACKAGES)
    yield from single(
        [found(path, _PACKAGES[n], f"depends on `{n}`", DRIVER, language="node") for n in sorted(names)]
    )[:1]


def orm_config(path: str, text: str) -> Iterator[Found]:
    items = [
        found(
            path, dialect_of(m.group(1).replace("better-sqlite3", "sqlite3")) or "postgres", m.group(0), TOOL
        )
        for m in _CLIENT.finditer(uncomment(text))
    ]
    yield from single(items)[:1]


READERS = (
    (lambda p: p.endswith(".prisma"), prisma_schema),
    (lambda p: p.rsplit("/", 1)[-1] == "package.json", package_json),
    (lambda p: bool(_CONFIGS.search(p)), orm_config),
)
