"""money-as-float: amounts of money declared with a binary floating-point type."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

RULE = "money-as-float"


def _found(sql: str, **kw: Any) -> list[Any]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("CREATE TABLE invoices (id bigint PRIMARY KEY, amount_due double precision, currency text);", None),
        (
            "CREATE TABLE products (id bigint PRIMARY KEY, name text);\n-- migration\n"
            "ALTER TABLE products ADD COLUMN sale_price real;",
            None,
        ),
        ("CREATE TABLE payouts (id bigint PRIMARY KEY, total FLOAT NOT NULL);", "mysql"),
        (
            "CREATE TABLE staff (id bigint PRIMARY KEY, salary numeric(10,2));\n-- migration\n"
            "ALTER TABLE staff ALTER COLUMN salary TYPE double precision;",
            None,
        ),
    ],
)
def test_money_in_a_float_column_is_found(sql, dialect) -> None:  # type: ignore[no-untyped-def]
    (finding,) = _found(sql, dialect=dialect)
    assert "numeric(12, 2)" in finding.fix


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE invoices (id bigint PRIMARY KEY, amount_due numeric(12, 2), currency text);",
        "CREATE TABLE products (id bigint PRIMARY KEY, price_cents bigint, discount_rate double precision);",
        # an amount that is not money: no currency, no payment table
        "CREATE TABLE recipe_ingredients (id bigint PRIMARY KEY, amount double precision, unit text);",
        "CREATE TABLE rides (id bigint PRIMARY KEY, total_distance real);",
        "CREATE TABLE fx (id bigint PRIMARY KEY, price_ratio double precision);",
    ],
)
def test_exact_types_and_numbers_that_are_not_money_are_quiet(sql) -> None:  # type: ignore[no-untyped-def]
    assert not _found(sql)


@pytest.mark.parametrize("field", ["fee", "unit_price"])
def test_django_and_rails_forms(field) -> None:  # type: ignore[no-untyped-def]
    django = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        "    initial = True\n    operations = [\n        migrations.CreateModel(\n"
        '            name="Charge",\n            fields=[\n'
        '                ("id", models.BigAutoField(primary_key=True)),\n'
        f'                ("{field}", models.FloatField()),\n            ],\n        )\n    ]\n'
    )
    assert _found(django, path="billing/migrations/0001_initial.py")
    rails = (
        "class CreateCharges < ActiveRecord::Migration[7.1]\n  def change\n    create_table :charges do |t|\n"
        f"      t.float :{field}\n    end\n  end\nend\n"
    )
    assert _found(rails, path="db/migrate/20240101000000_create_charges.rb")
    assert not _found(
        rails.replace("t.float", "t.decimal"), path="db/migrate/20240101000000_create_charges.rb"
    )


def test_what_it_says_happens_on_postgresql(pg) -> None:  # type: ignore[no-untyped-def]
    pg.execute("CREATE TABLE lines (id int, price double precision, exact numeric(12, 2))")
    pg.execute("INSERT INTO lines SELECT g, 0.1, 0.1 FROM generate_series(1, 10) g")
    (floating, exact) = pg.execute("SELECT sum(price) = 1.0, sum(exact) = 1.0 FROM lines").fetchone()
    assert floating is False and exact is True
