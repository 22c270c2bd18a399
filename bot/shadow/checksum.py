"""The values of a table, per column, to tell whether a down gave back the rows the up found.

Rows are matched by primary key when the table has one, so a value that moved to another row counts;
without one, each column's values are compared as a multiset. Values are compared as the driver returns
them, read the same way before and after.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot.shadow.server import Session
from bot.shadow.statements import quote


@dataclass(frozen=True)
class TableValues:
    table: str
    columns: tuple[str, ...]
    key: tuple[int, ...]  # positions of the primary key's columns, () without one
    rows: tuple[tuple[str | None, ...], ...]

    def digests(self) -> dict[str, str]:
        """column → digest of its values (by key order, else sorted)."""
        found = {}
        ordered = sorted(
            self.rows, key=lambda r: tuple((v is None, v or "") for v in (r[k] for k in self.key))
        )
        for index, column in enumerate(self.columns):
            values = (
                [r[index] for r in ordered] if self.key else sorted(r[index] or "\x00" for r in self.rows)
            )
            digest = hashlib.sha256()
            for value in values:
                digest.update(b"\x01" if value is None else value.encode("utf-8", "replace") + b"\x00")
            found[column] = digest.hexdigest()
        return found


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
    key = primary_key(session, table)
    select = ", ".join(quote(c, session.dialect) for c in columns) or "1"
    rows = session.rows(f"SELECT {select} FROM {quote(table, session.dialect)}", ())
    text = tuple(tuple(None if v is None else _text(v) for v in row) for row in rows)
    positions = tuple(columns.index(k) for k in key if k in columns)
    return TableValues(table, tuple(columns), positions if len(positions) == len(key) else (), text)


def _text(value: object) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)


def differing(before: TableValues, after: TableValues) -> tuple[str, ...]:
    """The columns (present both times) whose values differ, and columns the down did not bring back."""
    old, new = before.digests(), after.digests()
    changed = [c for c in before.columns if c in new and old[c] != new[c]]
    gone = [c for c in before.columns if c not in new]
    return tuple(changed + gone)
