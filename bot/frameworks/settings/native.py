"""Diesel and sqlx through Cargo features, and the database drivers a Go module requires."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.frameworks.settings.found import DRIVER, TOOL, Found, found, single, uncomment

_CARGO_DB = re.compile(
    r"""^\s*(diesel|sqlx|diesel-async|diesel_migrations)\s*=\s*(\{.*?\}|".*?")""", re.M | re.S
)
_FEATURE = re.compile(r"""["'](postgres|mysql|sqlite)["']""")
_GO_DRIVERS = (
    ("github.com/lib/pq", "postgres"), ("github.com/jackc/pgx", "postgres"),
    ("github.com/go-sql-driver/mysql", "mysql"), ("github.com/mattn/go-sqlite3", "sqlite"),
    ("modernc.org/sqlite", "sqlite"), ("gorm.io/driver/postgres", "postgres"), ("gorm.io/driver/mysql", "mysql"),
    ("gorm.io/driver/sqlite", "sqlite"),
)  # fmt: skip
_GO_REQUIRE = re.compile(r"^\s*(?:require\s+)?([\w./-]+)\s+v[\d.]+\S*\s*(//\s*indirect)?\s*$", re.M)


def cargo(path: str, text: str) -> Iterator[Found]:
    text = uncomment(text)
    items = []
    for match in _CARGO_DB.finditer(text):
        for feature in _FEATURE.finditer(match.group(2)):
            items.append(
                found(path, feature.group(1), f"`{match.group(1)}` feature `{feature.group(1)}`", TOOL)
            )
    yield from single(items)[:1]


def go_mod(path: str, text: str) -> Iterator[Found]:
    required = {m.group(1) for m in _GO_REQUIRE.finditer(text) if not m.group(2)}
    items = [
        found(path, dialect, f"requires `{module}`", DRIVER, language="go")
        for module, dialect in _GO_DRIVERS
        if any(r == module or r.startswith(module + "/") for r in required)
    ]
    yield from single(items)[:1]


READERS = (
    (lambda p: p.rsplit("/", 1)[-1] == "Cargo.toml", cargo),
    (lambda p: p.rsplit("/", 1)[-1] == "go.mod", go_mod),
)
