"""How MySQL and MariaDB carry out an ALTER TABLE: instantly, in place (rebuilding, writes go on), or by copy.

Shared by the rules that judge MySQL schema changes, so the version tables live in one place.
"""

from __future__ import annotations

import re

INSTANT, INPLACE, REBUILD, COPY = "instant", "in-place", "rebuild", "copy"

_MEMBERS = re.compile(r"'((?:[^']|'')*)'")


def members(type_sql: str) -> tuple[str, list[str]] | None:
    """`enum('a', 'b')` → ("enum", ["a", "b"]); None for other types."""
    match = re.match(r"^\s*(enum|set)\s*\((.*)\)\s*$", type_sql, re.I | re.S)
    if match is None:
        return None
    return match.group(1).lower(), [m.replace("''", "'") for m in _MEMBERS.findall(match.group(2))]


def member_change(old: str, new: str) -> str | None:
    """The algorithm a change between two enum/set types needs; None when either is not an enum or set."""
    before, after = members(old), members(new)
    if before is None or after is None or before[0] != after[0]:
        return None
    kind, old_values = before
    new_values = after[1]
    if new_values[: len(old_values)] != old_values:
        return COPY  # a value removed, renamed, reordered or inserted before the end
    if _storage(kind, len(old_values)) != _storage(kind, len(new_values)):
        return COPY
    return INSTANT


def _storage(kind: str, count: int) -> int:
    """Bytes per value: enum 1 up to 255 members, else 2; set 1, 2, 3, 4 or 8 bytes by groups of 8."""
    if kind == "enum":
        return 1 if count <= 255 else 2
    size = (count + 7) // 8
    return 8 if size > 4 else max(size, 1)


def add_column(version: tuple[int, ...], mariadb: bool, positioned: bool) -> str:
    """ADD COLUMN: instant since MySQL 8.0.12 (at the end; anywhere since 8.0.29), MariaDB 10.3 (10.4)."""
    if mariadb:
        if version >= (10, 4) or (version >= (10, 3) and not positioned):
            return INSTANT
        return REBUILD
    if version >= (8, 0, 29) or (version >= (8, 0, 12) and not positioned):
        return INSTANT
    return REBUILD


def drop_column(version: tuple[int, ...], mariadb: bool) -> str:
    """DROP COLUMN: instant since MySQL 8.0.29 and MariaDB 10.4; a rebuild before."""
    return INSTANT if version >= ((10, 4) if mariadb else (8, 0, 29)) else REBUILD


_CLAUSE = re.compile(r"\b(ALGORITHM|LOCK)\s*=\s*(\w+)", re.I)


def written(options: tuple[tuple[str, str], ...], sql: str) -> dict[str, str]:
    """The `ALGORITHM=` and `LOCK=` clauses a statement writes, upper case ({"ALGORITHM": "INPLACE"}): from the
    options its reader kept, else from its text."""
    found = {key.upper(): value.upper() for key, value in options if key.upper() in ("ALGORITHM", "LOCK")}
    for key, value in _CLAUSE.findall(sql):
        found.setdefault(key.upper(), value.upper())
    return found


def explicit(options: tuple[tuple[str, str], ...], sql: str) -> tuple[str, str] | None:
    """The `ALGORITHM=` and `LOCK=` a statement asks for, as (algorithm, lock); None when it names neither.

    An algorithm the statement does not name is left to the server: "" in the answer.
    """
    found = written(options, sql)
    if not found:
        return None
    algorithm = {"COPY": COPY, "INPLACE": INPLACE, "INSTANT": INSTANT, "NOCOPY": INPLACE}.get(
        found.get("ALGORITHM", ""), ""
    )
    return algorithm, found.get("LOCK", "NONE" if algorithm in (INPLACE, INSTANT) else "")
