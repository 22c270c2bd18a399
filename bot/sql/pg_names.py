"""Names longer than PostgreSQL keeps: the parser cuts identifiers to 63 bytes, the review wants them whole.

PostgreSQL's parser truncates every identifier to NAMEDATALEN - 1 bytes, so the names in pglast's nodes are
the names the database will store. Rules that warn about the cut (identifier-too-long) need the name as
written, so the operations get the written name back wherever the parser cut it.
"""

from __future__ import annotations

import dataclasses
import functools
import re

from bot.model.migration import Operation

_LIMIT = 63


@functools.cache
def _long() -> re.Pattern[str]:
    """A quoted or bare identifier. Compiled when a statement first has a word that long: its character
    ranges take 17 ms to compile, a twentieth of the program's start, and most files have no such word."""
    return re.compile(r'"((?:[^"]|"")+)"|([A-Za-z_\x80-\U0010ffff][\w$\x80-\U0010ffff]*)')


def restore_long_names(ops: list[Operation], sql: str) -> list[Operation]:
    cut = _cut_names(sql)
    if not cut:
        return ops
    return [_restored(op, cut) for op in ops]


def _cut_names(sql: str) -> dict[str, str]:
    """Truncated name → name as written, for every identifier of `sql` longer than 63 bytes."""
    if not any(len(m.group().encode()) > _LIMIT for m in re.finditer(r"[^\s(),;.]{16,}", sql)):
        return {}
    found = {}
    for match in _long().finditer(sql):
        quoted, bare = match.group(1), match.group(2)
        name = quoted.replace('""', '"') if quoted is not None else bare.lower()
        encoded = name.encode()
        if len(encoded) > _LIMIT:
            found[_truncate(encoded)] = name
    return found


def _truncate(encoded: bytes) -> str:
    return encoded[:_LIMIT].decode(errors="ignore")


def _restored(op: Operation, cut: dict[str, str]) -> Operation:
    restored = _restore(op, cut)
    assert isinstance(restored, Operation)
    return restored


def _restore(value: object, cut: dict[str, str]) -> object:
    """The value with every cut name written out again: strings, nested operations and columns, tuples."""
    if isinstance(value, str):
        return cut.get(value, value)
    if isinstance(value, tuple):
        restored = tuple(_restore(item, cut) for item in value)
        return restored if any(a is not b for a, b in zip(restored, value, strict=True)) else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            old = getattr(value, f.name)
            new = _restore(old, cut)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value
