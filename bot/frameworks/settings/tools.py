"""Standalone migration tools' own settings: `sqitch.conf`'s engine, goose's `GOOSE_DRIVER`, Atlas URLs, the
Supabase CLI's `supabase/config.toml` (PostgreSQL, its `[db] major_version`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.frameworks.settings.found import TOOL, Found, dialect_of, found, single, uncomment

_SQITCH = re.compile(r"^[ \t]*engine\s*=\s*(pg|mysql|sqlite)\b", re.M)
_GOOSE = re.compile(r"\bGOOSE_DRIVER\s*[=:]\s*[\"']?(postgres|mysql|sqlite3|pgx)\b")
_SUPABASE_DB = re.compile(r"^\[db\][ \t]*$(.*?)(?=^\[|\Z)", re.M | re.S)
_MAJOR = re.compile(r"^[ \t]*major_version\s*=\s*(\d+)", re.M)
_ATLAS = re.compile(r"""\burl\s*=\s*["'](postgres(?:ql)?|mysql|maria(?:db)?|sqlite)://""")


def sqitch_conf(path: str, text: str) -> Iterator[Found]:
    match = _SQITCH.search(uncomment(text))
    if match:
        yield found(path, dialect_of(match.group(1)) or "postgres", f"engine = {match.group(1)}", TOOL)


def goose_env(path: str, text: str) -> Iterator[Found]:
    items = [
        found(path, dialect_of(m.group(1)) or "postgres", f"GOOSE_DRIVER={m.group(1)}", TOOL)
        for m in _GOOSE.finditer(uncomment(text))
    ]
    yield from single(items)[:1]


def atlas_hcl(path: str, text: str) -> Iterator[Found]:
    items = []
    for match in _ATLAS.finditer(uncomment(text)):
        word = "mariadb" if match.group(1).startswith("maria") else match.group(1)
        items.append(found(path, dialect_of(word) or "postgres", f"url {match.group(1)}://…", TOOL))
    yield from single(items)[:1]


def supabase_config(path: str, text: str) -> Iterator[Found]:
    """The Supabase CLI's project settings: its database is PostgreSQL, of the `[db]` section's major version."""
    section = _SUPABASE_DB.search(uncomment(text))
    major = _MAJOR.search(section.group(1)) if section else None
    detail = f"[db] major_version = {major.group(1)}" if major else "the Supabase CLI's project"
    yield found(path, "postgres", detail, TOOL, version=major.group(1) if major else "")


READERS = (
    (lambda p: p.rsplit("/", 1)[-1] == "sqitch.conf", sqitch_conf),
    (
        lambda p: p.rsplit("/", 1)[-1] in ("Makefile", ".envrc") or p.rsplit("/", 1)[-1].startswith(".env"),
        goose_env,
    ),
    (lambda p: p.rsplit("/", 1)[-1] == "atlas.hcl", atlas_hcl),
    (lambda p: p == "supabase/config.toml" or p.endswith("/supabase/config.toml"), supabase_config),
)
