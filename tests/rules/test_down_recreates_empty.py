from typing import Any

import pytest

from bot.model.findings import Severity
from tests.conftest import refusal, review_sql


def _found(sql: str, dialect: str | None = None) -> list:  # type: ignore[type-arg]
    return [f for f in review_sql(sql, dialect=dialect).active if f.rule == "down-recreates-empty"]


def test_column_recreated_empty_names_the_snapshot() -> None:
    found = _found(
        "-- +goose Up\nALTER TABLE orders DROP COLUMN legacy_status;\n"
        "-- +goose Down\nALTER TABLE orders ADD COLUMN legacy_status text;"
    )
    assert found and found[0].line == 4
    assert "CREATE TABLE orders_legacy_status_backup AS SELECT id, legacy_status FROM orders" in found[0].fix


def test_table_recreated_empty() -> None:
    found = _found(
        "-- +goose Up\nDROP TABLE invoices;\n-- +goose Down\nCREATE TABLE invoices (id bigint PRIMARY KEY);"
    )
    assert found and "no rows" in found[0].blast_radius


def test_restore_from_snapshot_is_quiet() -> None:
    sql = (
        "-- +goose Up\nCREATE TABLE orders_legacy_status_backup AS SELECT id, legacy_status FROM orders;\n"
        "ALTER TABLE orders DROP COLUMN legacy_status;\n-- +goose Down\n"
        "ALTER TABLE orders ADD COLUMN legacy_status text;\n"
        "UPDATE orders SET legacy_status = b.legacy_status FROM orders_legacy_status_backup b WHERE b.id = orders.id;"
    )
    assert not _found(sql)


NOT_NULL = [("posts", "body", "text"), ("subscription", "plan", "varchar(20)")]


@pytest.mark.parametrize(("table", "column", "type_"), NOT_NULL)
def test_a_column_recreated_not_null_without_a_default_fails_the_rollback(
    table: str, column: str, type_: str, pg: Any
) -> None:
    """What Alembic's autogenerate writes in downgrade() for a dropped required column, and what a hand-written
    Diesel down.sql often says: PostgreSQL refuses it on a table with rows (shown below), and so does SQLite
    (`Cannot add a NOT NULL column with default value NULL`); MySQL fills it with the type's implicit default."""
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} {type_} NOT NULL);\n-- migration\n"
    up = f"-- +goose Up\nALTER TABLE {table} DROP COLUMN {column};\n-- +goose Down\n"
    refused = f"ALTER TABLE {table} ADD COLUMN {column} {type_} NOT NULL;"
    for dialect in ("postgres", "sqlite"):
        [finding] = _found(schema + up + refused, dialect)
        assert finding.severity is Severity.CRITICAL and finding.line == 4
        assert f"`{table}.{column}` NOT NULL without a default" in finding.message
        # a restore from a snapshot after it does not help: the ADD COLUMN fails first
        restore = f"\nUPDATE {table} SET {column} = b.{column} FROM {table}_backup b WHERE b.id = {table}.id;"
        assert [f.severity for f in _found(schema + up + refused + restore, dialect)] == [Severity.CRITICAL]
    assert [f.severity for f in _found(schema + up + refused, "mysql")] == [Severity.WARNING]
    for quiet in (
        f"ALTER TABLE {table} ADD COLUMN {column} {type_};",
        f"ALTER TABLE {table} ADD COLUMN {column} {type_} NOT NULL DEFAULT '';",
    ):
        assert [f.severity for f in _found(schema + up + quiet, "postgres")] == [Severity.WARNING]
    pg.execute(f"CREATE TABLE {table} (id bigint PRIMARY KEY)")
    pg.execute(f"INSERT INTO {table} VALUES (1)")
    assert "contains null values" in refusal(pg.execute, refused)
