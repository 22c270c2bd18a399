"""MySQL keeps an ENUM's members as written (`'io.Flow'`), and a column of a binary collation compares them
with their case: the members the review names, and the check query it gives before the change, keep the case
the migration wrote. Folded to lower case, the query counts no row on such a column while rows hold the member
(checked on MariaDB 10.11)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import review_sql

# (table, column, member dropped, member kept)
NAMES = [
    ("queues", "kind", "io.kestra.flows.Flow", "io.kestra.Execution"),
    ("tickets", "state", "OnHold", "Open"),
]


def _lossy(table: str, column: str, dropped: str, kept: str, new: str) -> list[tuple[str, str]]:
    sql = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} ENUM('{kept}', '{dropped}') "
        "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL);\n"
        f"-- migration\nALTER TABLE {table} MODIFY {column} ENUM({new}) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;\n"
    )
    return [
        (f.message, f.fix) for f in review_sql(sql, dialect="mariadb").active if f.rule == "lossy-type-change"
    ]


@pytest.mark.parametrize(("table", "column", "dropped", "kept"), NAMES)
def test_the_check_query_names_the_member_as_written(
    mariadb, table: str, column: str, dropped: str, kept: str
) -> None:  # type: ignore[no-untyped-def]
    [(message, fix)] = _lossy(table, column, dropped, kept, f"'{kept}'")
    assert f"'{dropped}'" in message and f"'{kept}'" in message
    query = re.search(r"`(SELECT count\(\*\) FROM [^`]+)`", fix)
    assert query is not None
    with mariadb.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} ENUM('{kept}', '{dropped}') "
            "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL)"
        )
        cursor.execute(f"INSERT INTO {table} VALUES (1, '{dropped}'), (2, '{kept}')")
        cursor.execute(query.group(1).rstrip(";"))
        assert (
            cursor.fetchone()[0] == 1
        )  # the row that holds the member, which the ALTER refuses in strict mode


@pytest.mark.parametrize(("table", "column", "dropped", "kept"), NAMES)
def test_members_kept_with_their_case_are_no_loss(table: str, column: str, dropped: str, kept: str) -> None:
    assert _lossy(table, column, dropped, kept, f"'{kept}', '{dropped}', 'Other'") == []
