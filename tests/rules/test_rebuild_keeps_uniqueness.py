"""Rows a table held under a unique key when the migration began are still unique when a rebuild copies them
back, though the rebuild dropped the key's index first.

authelia's V0007 (SQLite) drops `user_opaque_identifier`'s unique indexes, renames the table to `_bkp_UP_V0007_…`,
creates it again with the same keys and copies the rows back: insert-collision said the copy could repeat
`(service, sector_id, username)` and fail the migration (critical). It also dropped, `IF EXISTS`, tables of
installs older than its migration history (`totp_secrets`), which table-dropped called critical.
"""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [
    ("user_opaque_identifier", "service", "username"),
    ("oauth2_blacklisted_jti", "issuer", "signature"),
]


def _schema(table: str, first: str, second: str) -> str:
    return (
        f"CREATE TABLE {table} (id INTEGER PRIMARY KEY AUTOINCREMENT, {first} VARCHAR(20) NOT NULL, "
        f"{second} VARCHAR(100) NOT NULL);\n"
        f"CREATE UNIQUE INDEX {table}_key ON {table} ({first}, {second});\n-- migration\n"
    )


def _rebuild(table: str, first: str, second: str, *, between: str = "") -> str:
    return (
        f"DROP INDEX IF EXISTS {table}_key;\nALTER TABLE {table} RENAME TO _bkp_{table};\n{between}"
        f"CREATE TABLE {table} (id INTEGER PRIMARY KEY AUTOINCREMENT, {first} VARCHAR(20) NOT NULL, "
        f"{second} VARCHAR(100) NOT NULL);\n"
        f"CREATE UNIQUE INDEX {table}_lookup_key ON {table} ({first}, {second});\n"
        f"INSERT INTO {table} ({first}, {second}) SELECT {first}, {second} FROM _bkp_{table} ORDER BY id;\n"
        f"DROP TABLE IF EXISTS _bkp_{table};\n"
    )


def _collisions(sql: str) -> list[str]:
    result = review_sql(sql, path="migrations/V0007.Fixes.sqlite.up.sql", dialect="sqlite")
    return [f.severity for f in result.active if f.rule == "insert-collision"]


@pytest.mark.parametrize(("table", "first", "second"), NAMES)
def test_rows_unique_when_the_migration_began_cannot_collide_when_copied_back(
    table: str, first: str, second: str
) -> None:
    assert _collisions(_schema(table, first, second) + _rebuild(table, first, second)) == []


@pytest.mark.parametrize(("table", "first", "second"), NAMES)
def test_rows_written_in_between_or_a_source_without_the_key_can_collide(
    table: str, first: str, second: str
) -> None:
    touched = f"UPDATE _bkp_{table} SET {second} = lower({second});\n"
    assert _collisions(_schema(table, first, second) + _rebuild(table, first, second, between=touched)) == [
        "critical"
    ]
    loose = _schema(table, first, second).replace(
        f"CREATE UNIQUE INDEX {table}_key", f"CREATE INDEX {table}_key"
    )
    assert _collisions(loose + _rebuild(table, first, second)) == ["critical"]


@pytest.mark.parametrize(("table", "legacy"), [("users", "totp_secrets"), ("accounts", "u2f_devices")])
def test_dropping_a_table_no_migration_created_is_a_warning(table: str, legacy: str) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY);\n-- migration\n"
    code = {"internal/storage/const.go": f'package storage\n\nconst tablePre1 = "{legacy}"\n'}
    result = review_sql(schema + f"DROP TABLE IF EXISTS {legacy};\n", head=code)
    [found] = [f for f in result.active if f.rule == "table-dropped"]
    assert found.severity == "warning" and "no migration before this one creates" in found.message
    # a table the history created keeps its critical, with the code that still uses it
    created = f"CREATE TABLE {table} (id bigint PRIMARY KEY);\nCREATE TABLE {legacy} (id bigint PRIMARY KEY);\n-- migration\n"
    result = review_sql(created + f"DROP TABLE IF EXISTS {legacy};\n", head=code)
    [found] = [f for f in result.active if f.rule == "table-dropped"]
    assert found.severity == "critical"
