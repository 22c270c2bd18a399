"""`null-propagation` is about values lost to a NULL operand: a column computed from itself alone keeps the NULL
it had (quiet), while another nullable operand still overwrites it with NULL."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("orders", "total", "bonus"), ("accounts", "balance", "adjustment")]


def _found(sql: str, dialect: str | None = None) -> list:  # type: ignore[type-arg]
    return [f for f in review_sql(sql, dialect=dialect).active if f.rule == "null-propagation"]


def _schema(table: str, column: str, other: str) -> str:
    return f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} numeric(12, 2), {other} numeric(12, 2));\n-- migration\n"


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
@pytest.mark.parametrize("dialect", [None, "mysql"])
@pytest.mark.parametrize("value", ["{c} * 100", "{c} + 1", "({c} - 5) / 2"])
def test_a_column_computed_from_itself_keeps_its_null(
    table: str, column: str, other: str, dialect: str | None, value: str
) -> None:
    sql = (
        _schema(table, column, other)
        + f"UPDATE {table} SET {column} = {value.format(c=column)} WHERE id < 1000;"
    )
    assert not _found(sql, dialect)


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_another_nullable_operand_still_overwrites_it(table: str, column: str, other: str) -> None:
    sql = _schema(table, column, other) + f"UPDATE {table} SET {column} = {column} + {other} WHERE id < 1000;"
    [finding] = _found(sql)
    assert f"`{other}`" in finding.message and f"`{column}` or" not in finding.message
