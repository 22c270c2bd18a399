"""The same migration written once per database, in a project that keeps a folder of migrations for each.

vaultwarden keeps `migrations/mysql/`, `migrations/postgresql/` and `migrations/sqlite/` (ory's projects and authelia
name the database in the file instead: `….mysql.up.sql`, `….sqlite3.up.sql`), and writes each change three times: `2023-09-01-170620_update_auth_request_table/up.sql` in each, where the PostgreSQL file says
`ALTER COLUMN enc_key DROP NOT NULL` and the MySQL and SQLite files say the same by restating the column
(`MODIFY enc_key TEXT`, a table rebuilt without the NOT NULL). What one twin writes out is the intent of the
others: a NOT NULL the PostgreSQL twin drops by name is no NOT NULL the MySQL twin loses by accident.
"""

from __future__ import annotations

import re

from bot.frameworks.dialect import database_word
from bot.model.migration import DropNotNull, Migration
from bot.rules.context import Context

# a migration's version before its name: Diesel's `2023-09-01-170620_`, Flyway's `V1_20_4__`, `0042_`
_VERSION = re.compile(r"^[Vv]?[\d._-]+_+")


def _key(path: str) -> tuple[tuple[str, ...], str]:
    """The path with its database folder (`migrations/mysql/`) or the database in its file name
    (`x.mysql.up.sql`, ory's and authelia's) left out, and its version taken off the name."""
    parts = path.split("/")
    at = next((i for i, part in enumerate(parts[:-1]) if database_word(part)), None)
    folder, rest = (parts, []) if at is None else (parts[:at], parts[at + 1 :])
    name = ".".join(p for p in (rest or [folder.pop()])[-1].split(".") if not database_word(p))
    rest = [_VERSION.sub("", part) for part in rest[:-1]]
    return (*folder, "*", *rest), _VERSION.sub("", name)


def twins(migration: Migration, context: Context) -> tuple[Migration, ...]:
    """The migrations of the change that are this one written for another database."""
    key, database = _key(migration.path), _database(migration.path)
    return tuple(
        other
        for other in context.change
        if other.path != migration.path
        and _key(other.path) == key
        and _database(other.path) != database  # the same name twice in one folder is two migrations
    )


def _database(path: str) -> str:
    """The database a path names, in a folder or in its file name; "" when none."""
    for part in path.split("/")[:-1]:
        if database_word(part):
            return part.lower()
    return next((p.lower() for p in path.rpartition("/")[2].split(".") if database_word(p)), "")


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
