"""The same migration written once per database, in a project that keeps a folder of migrations for each.

vaultwarden keeps `migrations/mysql/`, `migrations/postgresql/` and `migrations/sqlite/`, and writes each change
three times: `2023-09-01-170620_update_auth_request_table/up.sql` in each, where the PostgreSQL file says
`ALTER COLUMN enc_key DROP NOT NULL` and the MySQL and SQLite files say the same by restating the column
(`MODIFY enc_key TEXT`, a table rebuilt without the NOT NULL). What one twin writes out is the intent of the
others: a NOT NULL the PostgreSQL twin drops by name is no NOT NULL the MySQL twin loses by accident.
"""

from __future__ import annotations

import re

from bot.model.migration import DropNotNull, Migration
from bot.rules.context import Context

_DATABASES = frozenset(
    {
        "mysql", "mariadb", "postgres", "postgresql", "pg", "pgsql", "sqlite", "sqlite3", "h2", "mssql",
        "sqlserver", "oracle", "cockroachdb", "tidb",
    }
)  # fmt: skip
# a migration's version before its name: Diesel's `2023-09-01-170620_`, Flyway's `V1_20_4__`, `0042_`
_VERSION = re.compile(r"^[Vv]?[\d._-]+_+")


def _key(path: str) -> tuple[tuple[str, ...], str] | None:
    """The path with its database folder left out and its version taken off the name; None without a
    database folder."""
    parts = path.split("/")
    at = next((i for i, part in enumerate(parts[:-1]) if part.lower() in _DATABASES), None)
    if at is None:
        return None
    rest = [_VERSION.sub("", part) for part in parts[at + 1 :]]
    return (*parts[:at], "*", *rest[:-1]), rest[-1]


def twins(migration: Migration, context: Context) -> tuple[Migration, ...]:
    """The migrations of the change that are this one written for another database."""
    key = _key(migration.path)
    if key is None:
        return ()
    return tuple(
        other for other in context.change if other.path != migration.path and _key(other.path) == key
    )


def nullable_by_twin(migration: Migration, context: Context, table: str, column: str) -> bool:
    """Does a twin make `table.column` nullable by name (`ALTER COLUMN … DROP NOT NULL`)?"""
    return any(
        isinstance(op, DropNotNull)
        and not op.implied
        and op.table.lower() == table.lower()
        and op.column.lower() == column.lower()
        for other in twins(migration, context)
        for op in other.up
    )
