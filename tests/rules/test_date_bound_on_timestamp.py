"""date-bound-on-timestamp: a timestamp bounded by a bare date, which leaves out the day's hours."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql
from tests.rules.django_app import data_migration, review_migration

RULE = "date-bound-on-timestamp"
NAMES = [("orders", "placed_at", "timestamp"), ("payments", "settled_at", "timestamptz")]


def _found(sql: str, **kw: Any) -> list[Any]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


def _schema(table: str, column: str, type_: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, state varchar(20), {column} {type_}, day date);\n"
        "-- migration\n"
    )


BAD = [
    "UPDATE {t} SET state = 'archived' WHERE {c} <= '2023-12-31' AND id < 1000;",
    "UPDATE {t} SET state = 'archived' WHERE {c} BETWEEN '2023-01-01' AND '2023-12-31' AND id < 1000;",
    "DELETE FROM {t} WHERE {c} = DATE '2023-12-31' AND id < 1000;",
    "DELETE FROM {t} WHERE {c} <= '2023-12-31'::date AND id < 1000;",
]
GOOD = [
    "UPDATE {t} SET state = 'archived' WHERE {c} < '2024-01-01' AND id < 1000;",
    "UPDATE {t} SET state = 'archived' WHERE {c} >= '2023-01-01' AND {c} < '2024-01-01' AND id < 1000;",
    "UPDATE {t} SET state = 'archived' WHERE {c} <= '2023-12-31 23:59:59' AND id < 1000;",
    "UPDATE {t} SET state = 'archived' WHERE {c}::date <= '2023-12-31' AND id < 1000;",
    # a date column compared with a date is exact
    "UPDATE {t} SET state = 'archived' WHERE day BETWEEN '2023-01-01' AND '2023-12-31' AND id < 1000;",
]


@pytest.mark.parametrize(("table", "column", "type_"), NAMES)
@pytest.mark.parametrize("sql", BAD)
def test_a_bare_date_as_the_upper_bound_of_a_timestamp_is_found(table, column, type_, sql) -> None:  # type: ignore[no-untyped-def]
    (finding,) = _found(_schema(table, column, type_) + sql.format(t=table, c=column))
    assert f"`{table}.{column}`" in finding.message and "2023-12-31 00:00" in finding.message
    assert "'2024-01-01'" in finding.fix


@pytest.mark.parametrize(("table", "column", "type_"), NAMES)
@pytest.mark.parametrize("sql", GOOD)
def test_exclusive_bounds_times_and_dates_are_quiet(table, column, type_, sql) -> None:  # type: ignore[no-untyped-def]
    assert not _found(_schema(table, column, type_) + sql.format(t=table, c=column))


def test_mysql_datetime() -> None:
    schema = "CREATE TABLE visits (id bigint PRIMARY KEY, seen_at datetime, n int);\n-- migration\n"
    assert _found(schema + "DELETE FROM visits WHERE seen_at <= '2022-06-30' AND id < 500;", dialect="mysql")
    assert not _found(
        schema + "DELETE FROM visits WHERE seen_at < '2022-07-01' AND id < 500;", dialect="mysql"
    )


@pytest.mark.parametrize(("model", "field"), [("Order", "placed_at"), ("Shipment", "sent_at")])
def test_django_lookups(model, field) -> None:  # type: ignore[no-untyped-def]
    fields = {field: "models.DateTimeField(null=True)", "state": "models.CharField(max_length=20)"}
    bad = [
        f'{model}.objects.filter({field}__lte=datetime.date(2023, 12, 31)).update(state="archived")',
        f'{model}.objects.filter({field}__range=("2023-01-01", "2023-12-31")).delete()',
    ]
    good = [
        f'{model}.objects.filter({field}__lt=datetime.date(2024, 1, 1)).update(state="archived")',
        f'{model}.objects.filter({field}__date__lte=datetime.date(2023, 12, 31)).update(state="archived")',
        f"{model}.objects.filter({field}__range=(datetime.datetime(2023, 1, 1), datetime.datetime(2023, 12, 31, 23, 59, 59)))"
        ".delete()",
    ]
    for code in bad:
        result = review_migration(model, fields, data_migration(model, code, imports="import datetime"))
        assert RULE in {f.rule for f in result.active}, code
    for code in good:
        result = review_migration(model, fields, data_migration(model, code, imports="import datetime"))
        assert RULE not in {f.rule for f in result.active}, code


def test_rails_where_string() -> None:
    base = {
        "db/migrations/000_schema.sql": _schema("orders", "placed_at", "timestamp").split("-- migration")[0]
    }
    rails = (
        "class ArchiveOrders < ActiveRecord::Migration[7.1]\n  def up\n"
        "    Order.where(\"placed_at <= '2023-12-31'\").in_batches.update_all(state: 'archived')\n  end\nend\n"
    )
    path = "db/migrate/20240101000000_archive_orders.rb"
    assert _found(rails, path=path, base=base)
    assert not _found(rails.replace("<= '2023-12-31'", "< '2024-01-01'"), path=path, base=base)


def test_what_it_says_happens_on_postgresql(pg) -> None:  # type: ignore[no-untyped-def]
    pg.execute("CREATE TABLE orders (id int, placed_at timestamp)")
    pg.execute(
        "INSERT INTO orders VALUES (1, '2023-12-31 00:00'), (2, '2023-12-31 14:30'), (3, '2024-01-01 09:00')"
    )
    assert pg.execute("SELECT count(*) FROM orders WHERE placed_at <= '2023-12-31'").fetchone() == (1,)
    assert pg.execute("SELECT count(*) FROM orders WHERE placed_at < '2024-01-01'").fetchone() == (2,)
