"""`lossy-copy` on SQLite: `CAST(… AS INTEGER)` cuts the fraction off (toward zero) where PostgreSQL and MySQL
round, and a REAL times 100 is rarely whole; checked on the real sqlite3 below."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import review_sql

NAMES = [("items", "price", "price_cents"), ("payments", "amount", "amount_minor")]


def _found(table: str, real: str, whole: str, value: str) -> list[str]:
    sql = (
        f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, {real} REAL, {whole} INTEGER);\n-- migration\n"
        f"UPDATE {table} SET {whole} = {value.format(real=real)} WHERE {whole} IS NULL;"
    )
    return [f.message for f in review_sql(sql, dialect="sqlite").active if f.rule == "lossy-copy"]


@pytest.mark.parametrize(("table", "real", "whole"), NAMES)
@pytest.mark.parametrize(
    ("value", "lossy"),
    [
        ("CAST({real} * 100 AS INTEGER)", True),
        ("CAST(({real} * 100) AS INT)", True),
        ("CAST({real} AS INTEGER)", True),
        ("CAST(round({real} * 100) AS INTEGER)", False),
        ("CAST(id * 100 AS INTEGER)", False),
        ("{real} * 100", False),
    ],
)
def test_a_cast_to_integer_of_fractions_truncates(
    table: str, real: str, whole: str, value: str, lossy: bool
) -> None:
    found = _found(table, real, whole, value)
    assert bool(found) is lossy
    assert not found or "cuts the fraction off" in found[0]


def test_sqlite_truncates_where_the_finding_says() -> None:
    row = (
        sqlite3.connect(":memory:")
        .execute(
            "SELECT CAST(19.99 * 100 AS INTEGER), CAST(round(19.99 * 100) AS INTEGER), CAST(2.7 AS INTEGER)"
        )
        .fetchone()
    )
    assert row == (1998, 1999, 2)
