"""Statements SQLite itself refuses to read, asked of SQLite.

sqlglot reads SQL more leniently than SQLite does: `ALTER TABLE users DROP COLUMN IF EXISTS verified_at`, `ALTER
TABLE t ADD COLUMN a int, ADD COLUMN b int` (one column per ALTER in SQLite) or `ALTER TABLE t ALTER COLUMN …`
read as what they mean and fail on every SQLite database ("near "exists": syntax error"). The standard library
ships SQLite: each statement is compiled there (`EXPLAIN`, which compiles it and runs nothing) in a database of
its own with no tables, and only a syntax error counts; "no such table" and the like are what an empty database
says of any statement. The library's SQLite may be newer than the project's (it refuses less, never more, of
what an older one accepts) or older than it (syntax added since reads as refused): the finding names the
version that refused it.
"""

from __future__ import annotations

import re
import sqlite3

VERSION = sqlite3.sqlite_version
_SYNTAX = re.compile(r"syntax error|incomplete input|unrecognized token", re.I)
# SQLite reads an ALTER TABLE's table before the rest of it: an empty database gets the table, then is asked again
_NO_TABLE = re.compile(r"no such table: (?:main\.)?(\S+)")
_TRIES = 4


def refusal(statement: str) -> str | None:
    """SQLite's message when it cannot read the statement at all, None when it can (or cannot be asked)."""
    text = statement.strip().rstrip(";").strip()
    if not text or text.upper().startswith(
        ("EXPLAIN", "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE")
    ):
        return None
    connection = sqlite3.connect(":memory:")
    try:
        for _ in range(_TRIES):
            try:
                connection.execute("EXPLAIN " + text).close()
                return None
            except sqlite3.ProgrammingError:
                return None  # several statements in one (a trigger's body split otherwise), or a binding asked for
            except sqlite3.Error as error:
                message = str(error)
                missing = _NO_TABLE.search(message)
                if missing is None:
                    return message if _SYNTAX.search(message) else None
                table = missing.group(1).replace('"', '""')
                try:
                    connection.execute(f'CREATE TABLE "{table}" (id INTEGER)')
                except sqlite3.Error:
                    return None
        return None
    finally:
        connection.close()
