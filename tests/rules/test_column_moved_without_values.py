"""column-dropped: a column dropped while the same migration creates a table that points at its table and has
a column of its name (teable moved `users.provider` to a new `account` table, keyed by `user_id`): the values
look meant to move, and are lost unless the migration copies them first."""

from __future__ import annotations

import pytest

from bot.model.findings import Severity
from tests.conftest import review_sql

NAMES = [("users", "provider", "account", "user_id"), ("orders", "carrier", "shipment", "order_id")]


def _sql(table: str, column: str, new: str, key: str, copy: str = "", references: bool = True) -> str:
    inline = references and table == "users"  # the other name set: the key added after, as Prisma writes it
    fk = f" REFERENCES {table}(id)" if inline else ""
    later = (
        f"ALTER TABLE {new} ADD CONSTRAINT {new}_{key}_fkey FOREIGN KEY ({key}) REFERENCES {table}(id);\n"
        if references and not inline
        else ""
    )
    return (
        f"CREATE TABLE {table} (id text PRIMARY KEY, email text, {column} text);\n-- migration\n"
        f"CREATE TABLE {new} (id text PRIMARY KEY, {key} text NOT NULL{fk}, {column} text NOT NULL);\n"
        + later
        + copy
        + f"ALTER TABLE {table} DROP COLUMN {column};\n"
    )


def _dropped(sql: str):  # type: ignore[no-untyped-def]
    return next(f for f in review_sql(sql).active if f.rule == "column-dropped")


@pytest.mark.parametrize(("table", "column", "new", "key"), NAMES)
def test_a_column_moved_to_a_new_table_without_its_values(
    table: str, column: str, new: str, key: str
) -> None:
    finding = _dropped(_sql(table, column, new, key))
    assert finding.severity is Severity.CRITICAL
    assert f"creates `{new}`, which points at `{table}` and has a `{column}` column too" in finding.message


@pytest.mark.parametrize(("table", "column", "new", "key"), NAMES)
def test_values_copied_first_or_a_table_unrelated_are_no_move(
    table: str, column: str, new: str, key: str
) -> None:
    copy = f"INSERT INTO {new} (id, {key}, {column}) SELECT id, id, {column} FROM {table} WHERE {column} IS NOT NULL;\n"
    copied = _dropped(_sql(table, column, new, key, copy=copy))
    assert "meant to move" not in copied.message and copied.severity is not Severity.CRITICAL
    unrelated = _dropped(_sql(table, column, new, key, references=False))
    assert "meant to move" not in unrelated.message and unrelated.severity is not Severity.CRITICAL
