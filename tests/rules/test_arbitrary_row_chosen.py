"""arbitrary-row-chosen: DISTINCT ON, window functions and LIMIT 1 sub-queries that keep one row of several
without an order that says which."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

NAMES = [
    ("users", "email", "created_at", "profiles", "user_email"),
    ("devices", "serial", "registered_at", "readings", "device_serial"),
]


def _schema(t: str, key: str, at: str, other: str, ref: str) -> str:
    return (
        f"CREATE TABLE {t} (id bigint PRIMARY KEY, {key} text, name text, {at} timestamptz);\n"
        f"CREATE TABLE {other} (id bigint PRIMARY KEY, {ref} text, label text);\n"
    )


def _found(sql: str, **kw: Any) -> list[Any]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "arbitrary-row-chosen"]


BAD = [
    "CREATE TABLE {t}_once AS SELECT DISTINCT ON ({key}) id, {key}, name FROM {t};",
    "CREATE TABLE {t}_once AS SELECT DISTINCT ON ({key}) id, {key}, name FROM {t} ORDER BY {key};",
    "DELETE FROM {t} WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY {key}) AS rn FROM {t}) d WHERE rn > 1);",
    "UPDATE {other} o SET label = (SELECT u.name FROM {t} u WHERE u.{key} = o.{ref} LIMIT 1);",
]
GOOD = [
    "CREATE TABLE {t}_once AS SELECT DISTINCT ON ({key}) id, {key}, name FROM {t} ORDER BY {key}, {at} DESC, id;",
    "DELETE FROM {t} WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY {key} ORDER BY {at}, id) AS rn FROM {t}) d WHERE rn > 1);",
    "UPDATE {other} o SET label = (SELECT u.name FROM {t} u WHERE u.{key} = o.{ref} ORDER BY u.{at} DESC LIMIT 1);",
    # a key pins the row: LIMIT 1 changes nothing
    "UPDATE {other} o SET label = (SELECT u.name FROM {t} u WHERE u.id = o.id LIMIT 1);",
    # a constant lookup, not one per outer row
    "UPDATE {other} SET label = (SELECT name FROM {t} WHERE {key} = 'default' LIMIT 1);",
    # counting over a partition does not depend on the order of its rows
    "CREATE TABLE {t}_counts AS SELECT {key}, count(*) OVER (PARTITION BY {key}) AS n FROM {t};",
]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("statement", BAD)
def test_one_row_of_several_kept_without_an_order(names, statement) -> None:  # type: ignore[no-untyped-def]
    t, key, at, other, ref = names
    sql = _schema(*names) + "-- migration\n" + statement.format(t=t, key=key, at=at, other=other, ref=ref)
    (finding,) = _found(sql)
    assert "ORDER BY" in finding.message


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("statement", GOOD)
def test_an_order_that_says_which_row_wins_is_quiet(names, statement) -> None:  # type: ignore[no-untyped-def]
    t, key, at, other, ref = names
    sql = _schema(*names) + "-- migration\n" + statement.format(t=t, key=key, at=at, other=other, ref=ref)
    assert not _found(sql)


def test_a_unique_column_pins_the_row_of_a_correlated_lookup() -> None:
    sql = (
        "CREATE TABLE plans (id bigint PRIMARY KEY, code text UNIQUE, name text);\n"
        "CREATE TABLE accounts (id bigint PRIMARY KEY, plan_code text, plan_name text);\n-- migration\n"
        "UPDATE accounts a SET plan_name = (SELECT p.name FROM plans p WHERE p.code = a.plan_code LIMIT 1);"
    )
    assert not _found(sql)


def test_the_same_reading_in_a_django_runsql() -> None:
    text = (
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        '    operations = [migrations.RunSQL("DELETE FROM shop_customer WHERE id IN (SELECT id FROM '
        '(SELECT id, row_number() OVER (PARTITION BY email) AS rn FROM shop_customer) d WHERE rn > 1)", '
        "migrations.RunSQL.noop)]\n"
    )
    base = {"db/structure.sql": "CREATE TABLE shop_customer (id bigint PRIMARY KEY, email text);\n"}
    assert _found(text, path="shop/migrations/0002_dedupe.py", base=base)


@pytest.mark.parametrize(("t", "key", "at", "other", "ref"), NAMES)
@pytest.mark.parametrize("dialect", ["mysql", "mariadb", "sqlite"])
@pytest.mark.parametrize(
    ("kept", "arbitrary"),
    [
        ("SELECT id FROM {t} GROUP BY {key}", True),
        ("SELECT id AS keep_id FROM {t} GROUP BY {key}", True),
        ("SELECT MIN(id) AS id FROM {t} GROUP BY {key}", False),
        ("SELECT id FROM {t} GROUP BY id, {key}", False),
    ],
)
def test_a_bare_column_of_a_grouped_select(t, key, at, other, ref, dialect, kept, arbitrary) -> None:  # type: ignore[no-untyped-def]
    schema = f"CREATE TABLE {t} (id bigint PRIMARY KEY, {key} varchar(64), name varchar(64));\n-- migration\n"
    select = kept.format(t=t, key=key)
    column = "keep_id" if "keep_id" in select else "id"
    sql = schema + f"DELETE FROM {t} WHERE id NOT IN (SELECT {column} FROM ({select}) k);"
    found = _found(sql, dialect=dialect)
    assert bool(found) is arbitrary
    assert not found or "neither groups by nor aggregates" in found[0].message
