"""`time-zone-shift`: one `AT TIME ZONE` written back into a column of the type it started from depends on the
session's time zone; both zones named, or a conversion into the other type, is quiet."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("events", "starts_at"), ("orders", "placed_at")]


def _found(table: str, column: str, column_type: str, value: str) -> list:  # type: ignore[type-arg]
    sql = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} {column_type}, other timestamptz, local timestamp);\n"
        f"-- migration\nUPDATE {table} SET {column} = {value.format(c=column)} WHERE id < 1000;"
    )
    return [f for f in review_sql(sql).active if f.rule == "time-zone-shift"]


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize(
    ("column_type", "value"),
    [
        ("timestamp", "{c} AT TIME ZONE 'UTC'"),
        ("timestamp without time zone", "timezone('UTC', {c})"),
        ("timestamptz", "{c} AT TIME ZONE 'Europe/Berlin'"),
        ("timestamp with time zone", "({c} AT TIME ZONE 'UTC')"),
    ],
)
def test_one_conversion_back_into_the_same_type_depends_on_the_session(
    table, column, column_type, value
) -> None:  # type: ignore[no-untyped-def]
    [finding] = _found(table, column, column_type, value)
    assert f"`{table}.{column}`" in finding.message and "session" in finding.message


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize(
    ("column_type", "value"),
    [
        ("timestamp", "({c} AT TIME ZONE 'Europe/Berlin') AT TIME ZONE 'UTC'"),
        ("timestamptz", "local AT TIME ZONE 'UTC'"),
        ("timestamp", "other AT TIME ZONE 'UTC'"),
        ("timestamp", "{c} + interval '1 hour'"),
    ],
)
def test_both_zones_named_or_another_type_is_quiet(table, column, column_type, value) -> None:  # type: ignore[no-untyped-def]
    assert not _found(table, column, column_type, value)
