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


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_a_down_migration_is_judged_on_the_schema_the_up_leaves(table: str, column: str, other: str) -> None:
    """The down runs after the up: a column the up adds is known there (and nullable)."""
    sql = (
        "-- +goose Up\n"
        f"ALTER TABLE {table} ADD COLUMN note text;\n"
        "-- +goose Down\n"
        f"UPDATE {table} SET label = label || note WHERE id < 1000;\n"
        f"ALTER TABLE {table} DROP COLUMN note;\n"
    )
    base = {
        "db/migrations/001_schema.sql": f"-- +goose Up\nCREATE TABLE {table} (id bigint PRIMARY KEY, label text);\n"
    }
    review = review_sql(sql, path="db/migrations/002_change.sql", base=base)
    [finding] = [f for f in review.active if f.rule == "null-propagation"]
    assert finding.message.startswith("In the down migration") and "`note`" in finding.message
