"""three-byte-utf8: MySQL text columns in `utf8` (utf8mb3) refuse or cut 4-byte characters."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

RULE = "three-byte-utf8"


def _found(sql: str) -> list[Any]:
    return [f for f in review_sql(sql, dialect="mysql").active if f.rule == RULE]


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE comments (id bigint PRIMARY KEY, body text) DEFAULT CHARSET=utf8;",
        "CREATE TABLE notes (id bigint PRIMARY KEY, title varchar(80) CHARACTER SET utf8mb3) DEFAULT CHARSET=utf8mb4;",
        "CREATE TABLE tags (id bigint PRIMARY KEY, name varchar(40) COLLATE utf8_unicode_ci);",
        "CREATE TABLE legacy (id bigint PRIMARY KEY) DEFAULT CHARSET=utf8;\n-- migration\n"
        "ALTER TABLE legacy ADD COLUMN nickname varchar(40);",
    ],
)
def test_text_in_three_byte_utf8_is_found(sql) -> None:  # type: ignore[no-untyped-def]
    (finding,) = _found(sql)
    assert "utf8mb4" in finding.fix


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE comments (id bigint PRIMARY KEY, body text) DEFAULT CHARSET=utf8mb4;",
        "CREATE TABLE notes (id bigint PRIMARY KEY, title varchar(80) COLLATE utf8mb4_unicode_ci);",
        "CREATE TABLE codes (id bigint PRIMARY KEY, code char(3) CHARACTER SET ascii) DEFAULT CHARSET=utf8;",
        "CREATE TABLE counts (id bigint PRIMARY KEY, n int) DEFAULT CHARSET=utf8;",
    ],
)
def test_utf8mb4_other_charsets_and_non_text_columns_are_quiet(sql) -> None:  # type: ignore[no-untyped-def]
    assert not _found(sql)


def test_what_it_says_happens_on_mariadb(mariadb) -> None:  # type: ignore[no-untyped-def]
    with mariadb.cursor() as cursor:
        cursor.execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES'")
        cursor.execute("CREATE TABLE comments (id int PRIMARY KEY, body text) DEFAULT CHARSET=utf8")
        with pytest.raises(Exception, match="Incorrect string value"):
            cursor.execute("INSERT INTO comments VALUES (1, %s)", ("nice \U0001f600",))
        cursor.execute("ALTER TABLE comments CONVERT TO CHARACTER SET utf8mb4")
        cursor.execute("INSERT INTO comments VALUES (1, %s)", ("nice \U0001f600",))
