"""text-joined-with-plus: `+` between text values (SQL Server's and Python's way to join strings) fails on
PostgreSQL 15 (`operator does not exist: character varying + unknown`), fails in MariaDB 10.11's strict mode
(error 1292) and writes 0 outside it, and writes 0 on sqlite3: all checked on those databases."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql
from tests.rules.django_app import data_migration, review_migration

RULE = "text-joined-with-plus"
NAMES = [("people", "first_name", "last_name", "full_name"), ("cities", "city", "country", "label")]


def _schema(table: str, a: str, b: str, target: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {a} varchar(40), {b} text, {target} text, "
        "qty integer, price numeric(10, 2), code varchar(10), due date);\n-- migration\n"
    )


def _found(sql: str, dialect: str) -> list[str]:
    return [f.message for f in review_sql(sql, dialect=dialect).active if f.rule == RULE]


@pytest.mark.parametrize(("table", "a", "b", "target"), NAMES)
@pytest.mark.parametrize(
    ("dialect", "said"),
    [
        ("postgres", "operator does not exist"),
        ("mysql", "error 1292"),
        ("mariadb", "`0`"),
        ("sqlite", "SQLite"),
    ],
)
def test_text_added_with_plus(table: str, a: str, b: str, target: str, dialect: str, said: str) -> None:
    schema = _schema(table, a, b, target)
    for sql in (
        f"UPDATE {table} SET {target} = {a} + ' ' + {b} WHERE {target} IS NULL;",
        f"UPDATE {table} SET {target} = {a} + {b} WHERE {target} IS NULL;",
        f"INSERT INTO {table}_copy (id, {target}) SELECT id, {a} + '-' + {b} FROM {table};",
    ):
        if "_copy" in sql:
            sql = f"CREATE TABLE {table}_copy (id bigint, {target} text);\n" + sql
        messages = _found(schema + sql, dialect)
        assert len(messages) == 1 and said in messages[0] and target in messages[0], (dialect, sql, messages)


@pytest.mark.parametrize(("table", "a", "b", "target"), NAMES)
@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
def test_numbers_dates_and_real_concatenation_are_not(
    table: str, a: str, b: str, target: str, dialect: str
) -> None:
    schema = _schema(table, a, b, target)
    for sql in (
        f"UPDATE {table} SET {target} = CONCAT({a}, ' ', {b}) WHERE {target} IS NULL;",
        f"UPDATE {table} SET qty = qty + 1 WHERE id >= 1 AND id < 1000;",
        f"UPDATE {table} SET price = price + '1.5' WHERE id >= 1 AND id < 1000;",
        f"UPDATE {table} SET due = due + 1 WHERE id >= 1 AND id < 1000;",
    ):
        assert not _found(schema + sql, dialect), (dialect, sql)
    # a number plus a text column: MySQL and SQLite add the column as a number (a varchar of digits, meant);
    # PostgreSQL has no such operator (`integer + character varying`)
    mixed = _found(schema + f"UPDATE {table} SET qty = qty + code WHERE id >= 1 AND id < 1000;", dialect)
    assert bool(mixed) is (dialect == "postgres"), mixed
    if dialect != "mysql":
        assert not _found(
            schema + f"UPDATE {table} SET {target} = {a} || ' ' || {b} WHERE {target} IS NULL;", dialect
        )


FIELDS = {
    "given": "models.CharField(max_length=40)",
    "family": "models.CharField(max_length=40)",
    "display": "models.CharField(max_length=90, null=True)",
}


@pytest.mark.parametrize("model", ["Customer", "Author"])
def test_django_f_expressions_added_with_plus(model: str) -> None:
    """Django sends `+` between F() and a str as SQL `+` (checked with Django 5.2 on PostgreSQL 15: the
    update fails with `operator does not exist: character varying + unknown`); Concat joins them."""
    imports = "from django.db.models import F, Value\nfrom django.db.models.functions import Concat"
    bad = review_migration(
        model,
        FIELDS,
        data_migration(
            model,
            f"{model}.objects.filter(display__isnull=True).update(display=F('given') + ' ' + F('family'))",
            imports=imports,
        ),
    )
    [finding] = [f for f in bad.active if f.rule == RULE]
    assert "display" in finding.message and "Concat(" in (finding.fix or "")
    good = review_migration(
        model,
        FIELDS,
        data_migration(
            model,
            f"{model}.objects.filter(display__isnull=True)"
            ".update(display=Concat(F('given'), Value(' '), F('family')))",
            imports=imports,
        ),
    )
    assert RULE not in {f.rule for f in good.active}
