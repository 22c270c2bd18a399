"""MySQL's scheduling modifiers (`INSERT LOW_PRIORITY IGNORE INTO`, `UPDATE LOW_PRIORITY t`, `DELETE QUICK
IGNORE FROM`) change when the server runs a statement, not what it changes: the statement is read for the
table and rows it names, which MariaDB accepts as written."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

NAMES = [("posts", "post_bodies", "content"), ("orders", "order_notes", "note")]


def _schema(table: str, copy: str, column: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text, flag int);\n"
        f"CREATE TABLE {copy} (id bigint PRIMARY KEY, {column} text);\n"
    )


def _statements(table: str, copy: str, column: str) -> list[str]:
    return [
        f"INSERT LOW_PRIORITY IGNORE INTO {copy} (id, {column}) SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL;",
        f"UPDATE LOW_PRIORITY {table} SET flag = 1 WHERE flag IS NULL;",
        f"UPDATE IGNORE {table} SET flag = 2 WHERE flag = 1;",
        f"DELETE LOW_PRIORITY QUICK IGNORE FROM {copy} WHERE {column} IS NULL;",
    ]


@pytest.mark.parametrize(("table", "copy", "column"), NAMES)
def test_modifiers_do_not_hide_the_table(table: str, copy: str, column: str) -> None:
    for statement in _statements(table, copy, column):
        result = review_sql(f"{_schema(table, copy, column)}-- migration\n{statement}", dialect="mysql")
        assert not [f for f in result.active if f.rule == "unparsed-statement"], statement
        named = " ".join(f.message for f in result.active)
        assert "`LOW_PRIORITY`" not in named and "`UPDATE LOW_PRIORITY`" not in named, statement
    update = review_sql(
        f"{_schema(table, copy, column)}-- migration\n{_statements(table, copy, column)[1]}", dialect="mysql"
    )
    assert [
        f for f in update.active if f.rule == "unbatched-data-change" and f"`UPDATE {table}`" in f.message
    ]


@pytest.mark.parametrize(("table", "copy", "column"), NAMES)
def test_mariadb_accepts_them(mariadb: Any, table: str, copy: str, column: str) -> None:
    with mariadb.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}, {copy}")
        for create in _schema(table, copy, column).strip().split(";\n"):
            cursor.execute(create.rstrip(";"))
        try:
            for statement in _statements(table, copy, column):
                cursor.execute(statement.rstrip(";"))
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {table}, {copy}")
