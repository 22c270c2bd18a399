"""upsert-overwrites: an upsert that assigns a column to itself keeps the row (MySQL's `ON DUPLICATE KEY
UPDATE id = id`, PostgreSQL's `DO UPDATE SET name = t.name`); SQLite's `INSERT OR REPLACE` deletes the row
with the same key first, as MySQL's `REPLACE` does."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

RULE = "upsert-overwrites"
NAMES = [("settings", "name", "value"), ("feature_flags", "flag", "enabled")]


def _found(sql: str, dialect: str) -> list[str]:
    return [f.message for f in review_sql(sql, dialect=dialect).active if f.rule == RULE]


@pytest.mark.parametrize(("table", "key", "column"), NAMES)
def test_a_column_assigned_to_itself_keeps_the_existing_row(table: str, key: str, column: str) -> None:
    mysql = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {key} varchar(50) NOT NULL, {column} text, UNIQUE KEY u ({key}));\n-- migration\n"
    insert = f"INSERT INTO {table} (id, {key}, {column}) VALUES (9, 'beta', 'off')"
    for keep in ("id = id", f"`{key}` = `{key}`", f"{table}.id = {table}.id"):
        assert not _found(mysql + f"{insert} ON DUPLICATE KEY UPDATE {keep};", "mysql"), keep
    assert _found(mysql + f"{insert} ON DUPLICATE KEY UPDATE {column} = VALUES({column});", "mysql")
    pg = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {key} text NOT NULL UNIQUE, {column} text);\n-- migration\n"
    conflict = f"{insert} ON CONFLICT ({key}) DO UPDATE SET"
    assert not _found(pg + f"{conflict} {column} = {table}.{column};", "postgres")
    assert _found(pg + f"{conflict} {column} = excluded.{column};", "postgres")


@pytest.mark.parametrize(("table", "key", "column"), NAMES)
def test_sqlite_insert_or_replace_deletes_the_existing_row(table: str, key: str, column: str) -> None:
    schema = f"CREATE TABLE {table} (id integer PRIMARY KEY, {key} text NOT NULL UNIQUE, {column} text);\n-- migration\n"
    (message,) = _found(schema + f"INSERT OR REPLACE INTO {table} (id, {key}) VALUES (1, 'theme');", "sqlite")
    assert f"`INSERT OR REPLACE INTO {table}` deletes every existing row" in message
    assert not _found(schema + f"INSERT OR IGNORE INTO {table} (id, {key}) VALUES (1, 'theme');", "sqlite")
