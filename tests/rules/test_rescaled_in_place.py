"""A column converted in place: the old code writes the old unit meanwhile, and a re-run converts twice."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql

NAMES = [
    {"table": "products", "model": "Product", "app": "shop", "amount": "price", "at": "starts_at"},
    {"table": "rides", "model": "Ride", "app": "fleet", "amount": "distance", "at": "picked_up_at"},
]
SCHEMA = (
    "CREATE TABLE {table} (id bigint PRIMARY KEY, {amount} numeric(14, 2), {at} timestamptz,"
    " converted boolean NOT NULL DEFAULT false, position integer);\n"
)


def _found(names: dict[str, str], text: str, path: str = "db/migrations/0002_convert.sql") -> list[Finding]:
    base = {"db/migrations/0001_init.sql": SCHEMA.format(**names)}
    result = review_sql(text.format(**names), path=path, base=base)
    return [f for f in result.active if f.rule == "rescaled-in-place"]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "value",
    ["{amount} * 100", "100 * {amount}", "round({amount} * 1000)", "({amount} / 1.609)::numeric(14, 2)"],
)
def test_a_column_rescaled_in_place(names: dict[str, str], value: str) -> None:
    [found] = _found(
        names, f"BEGIN;\nUPDATE {{table}} SET {{amount}} = {value} WHERE id >= 1 AND id < 1000;\nCOMMIT;\n"
    )
    assert found.severity is Severity.WARNING and f"`{names['table']}.{names['amount']}`" in found.message
    assert "second time" not in found.message  # one transaction: a failure undoes all of it


@pytest.mark.parametrize("names", NAMES)
def test_a_time_shifted_in_place_and_a_conversion_outside_a_transaction(names: dict[str, str]) -> None:
    [found] = _found(
        names, "UPDATE {table} SET {at} = {at} + interval '1 hour';\nUPDATE {table} SET converted = true;\n"
    )
    assert f"`{names['at']}`" in found.message and "second time" in found.message


@pytest.mark.parametrize("names", NAMES)
def test_what_is_no_conversion_in_place(names: dict[str, str]) -> None:
    quiet = [
        # into a new column, filled once
        "ALTER TABLE {table} ADD COLUMN {amount}_cents bigint;\n"
        "UPDATE {table} SET {amount}_cents = {amount} * 100 WHERE {amount}_cents IS NULL;",
        # each converted row marked by the same statement
        "UPDATE {table} SET {amount} = {amount} * 100, converted = true WHERE NOT converted;",
        # a fix of the rows whose value was entered wrong
        "UPDATE {table} SET {amount} = {amount} / 100 WHERE {amount} > 100000;",
        # no change of unit
        "UPDATE {table} SET {amount} = {amount} * 1;",
        "UPDATE {table} SET {amount} = {amount} + 1;",
        "UPDATE {table} SET {amount} = 100 / {amount};",
        # a sort key spread out to leave gaps
        "UPDATE {table} SET position = position * 10;",
        # a table the change creates
        "CREATE TABLE {table}_copy (id bigint PRIMARY KEY, {amount} numeric);\n"
        "UPDATE {table}_copy SET {amount} = {amount} * 100;",
    ]
    for text in quiet:
        assert not _found(names, text), text


@pytest.mark.parametrize("names", NAMES)
def test_rescaled_through_rails_in_batches_and_the_django_orm(names: dict[str, str]) -> None:
    rails = (
        "class Convert < ActiveRecord::Migration[7.1]\n  disable_ddl_transaction!\n\n  def up\n"
        "    {model}.in_batches(of: 500) do |batch|\n      batch.update_all('{amount} = {amount} * 100')\n    end\n"
        "  end\n\n  def down\n  end\nend\n"
    )
    [found] = _found(names, rails, path="db/migrate/20260101000000_convert.rb")
    assert "second time" in found.message
    django = (
        "from django.db import migrations\nfrom django.db.models import F\n\n\n"
        "def forwards(apps, schema_editor):\n"
        "    apps.get_model('{app}', '{model}').objects.update({amount}=F('{amount}') * 100)\n\n\n"
        "class Migration(migrations.Migration):\n    dependencies = []\n"
        "    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n"
    )
    table = f"{names['app']}_{names['model'].lower()}"  # the table Django names for the model
    [found] = _found(
        {**names, "table": table}, django, path="{app}/migrations/0002_convert.py".format(**names)
    )
    assert f"`{table}.{names['amount']}`" in found.message
