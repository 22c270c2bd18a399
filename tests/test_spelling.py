"""MySQL, MariaDB and SQLite keep a name as the migration writes it; the review shows it so, and the SQL it
hands out names the table the database has (on Linux, MySQL's `useraccounts` is not `UserAccounts`)."""

from __future__ import annotations

import re
from typing import Any

import pymysql
import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [("UserAccounts", "EmailAddress", "Legacy"), ("OrderLine", "UnitPrice", "OldSku")]


def _review(table: str, column: str, dropped: str, dialect: str) -> Review:
    sql = (
        f"CREATE TABLE {table} (id int PRIMARY KEY, {column} varchar(100), {dropped} text);\n-- migration\n"
        f"ALTER TABLE {table} DROP COLUMN {dropped};\nUPDATE {table} SET {column} = 'x';\n"
    )
    return review_sql(sql, dialect=dialect)


def _said(result: Review) -> str:
    return "\n".join(f"{f.message}\n{f.blast_radius}\n{f.fix}" for f in result.findings)


@pytest.mark.parametrize(("table", "column", "dropped"), NAMES)
@pytest.mark.parametrize("dialect", ["mysql", "mariadb", "sqlite"])
def test_names_are_shown_as_the_migration_writes_them(
    table: str, column: str, dropped: str, dialect: str
) -> None:
    result = _review(table, column, dropped, dialect)
    said = _said(result)
    assert f"`{table}.{dropped}`" in said and f"`{table}.{column}`" in said
    assert not re.search(rf"\b({table.lower()}|{column.lower()})\b", said)
    generated = [q.sql for q in result.verification_queries] + [s.command for s in result.rollback_plan]
    assert any(f"FROM {table}" in sql for sql in generated)
    assert not any(re.search(rf"\b{table.lower()}\b", sql) for sql in generated)


@pytest.mark.parametrize(("table", "column", "dropped"), NAMES)
def test_postgres_shows_the_folded_name_it_creates(table: str, column: str, dropped: str) -> None:
    said = _said(_review(table, column, dropped, "postgres"))
    assert f"`{table.lower()}.{dropped.lower()}`" in said and f"`{table}." not in said


@pytest.mark.parametrize(("table", "column", "dropped"), NAMES)
def test_mariadb_runs_the_generated_sql_on_the_table_as_written(
    mariadb: Any, table: str, column: str, dropped: str
) -> None:
    with mariadb.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, {column} varchar(100), {dropped} text)")
        with pytest.raises(pymysql.err.ProgrammingError):  # lower_case_table_names=0: another table
            cursor.execute(f"SELECT count(*) FROM {table.lower()}")
        [backup] = [s.command for s in _review(table, column, dropped, "mariadb").rollback_plan if s.command][
            :1
        ]
        cursor.execute(backup.rstrip(";"))


def test_a_name_written_two_ways_is_left_folded() -> None:
    sql = (
        "CREATE TABLE Invoices (id int PRIMARY KEY, Total int);\n-- migration\n"
        "UPDATE INVOICES SET Total = 0;\nUPDATE Invoices SET Total = 1;\n"
    )
    said = _said(review_sql(sql, dialect="mysql"))
    assert "`invoices.total`" in said.lower() and "UPDATE invoices" in said
