"""The values of a table, per column, to tell whether a down gave back the rows the up found.

Rows are matched by primary key when the table has one, so a value that moved to another row counts;
without one, each column's values are compared as a sorted list. PostgreSQL computes the digests itself
(`md5(string_agg(value::text ORDER BY key))`), so the rows never leave the server; MariaDB and MySQL send
the rows and the digests are computed here (sha-256), read the same way before and after.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot.shadow.server import Session
from bot.shadow.statements import quote

_NULL = "\x01null\x01"


@dataclass(frozen=True)
class TableValues:
    table: str
    columns: tuple[str, ...]
    rows: int
    digests: tuple[tuple[str, str], ...]  # (column, digest of its values)


def primary_key(session: Session, table: str) -> tuple[str, ...]:
    if session.dialect == "postgres":
        rows = session.rows(
            "SELECT a.attname FROM pg_index x JOIN pg_attribute a ON a.attrelid = x.indrelid "
            "AND a.attnum = ANY(x.indkey) WHERE x.indrelid = to_regclass(%s) AND x.indisprimary",
            (quote(table, "postgres"),),
        )
    else:
        rows = session.rows(
            "SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() "
            "AND TABLE_NAME = %s AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION",
            (table,),
        )
    return tuple(str(r[0]) for r in rows)


def read(session: Session, table: str, columns: list[str]) -> TableValues:
    key = [k for k in primary_key(session, table) if k in columns]
    if session.dialect == "postgres":
        return _postgres(session, table, columns, key)
    select = ", ".join(quote(c, session.dialect) for c in columns) or "1"
    found = session.rows(f"SELECT {select} FROM {quote(table, session.dialect)}", ())
    text = [tuple(_NULL if v is None else _text(v) for v in row) for row in found]
    positions = [columns.index(k) for k in key]
    if positions:
        text.sort(key=lambda row: tuple(row[p] for p in positions))
    digests = []
    for index, column in enumerate(columns):
        values = [row[index] for row in text] if positions else sorted(row[index] for row in text)
        digest = hashlib.sha256()
        for value in values:
            digest.update(value.encode("utf-8", "replace") + b"\x00")
        digests.append((column, digest.hexdigest()))
    return TableValues(table, tuple(columns), len(text), tuple(digests))


def _postgres(session: Session, table: str, columns: list[str], key: list[str]) -> TableValues:
    def text(column: str) -> str:
        return f"coalesce({quote(column, 'postgres')}::text, '{_NULL}')"

    order = ", ".join(text(k) for k in key)
    parts = ["count(*)"] + [
        f"md5(string_agg({text(c)}, chr(30) ORDER BY {order or text(c)}))" for c in columns
    ]
    [row] = session.rows(f"SELECT {', '.join(parts)} FROM {quote(table, 'postgres')}", ())
    return TableValues(
        table, tuple(columns), int(row[0]), tuple((c, str(d)) for c, d in zip(columns, row[1:], strict=True))
    )


def _text(value: object) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)


def differing(before: TableValues, after: TableValues) -> tuple[str, ...]:
    """The columns (present both times) whose values differ, and columns the down did not bring back."""
    old, new = dict(before.digests), dict(after.digests)
    changed = [c for c in before.columns if c in new and old[c] != new[c]]
    gone = [c for c in before.columns if c not in new]
    return tuple(changed + gone)
