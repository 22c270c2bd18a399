"""`value-does-not-fit` on scaled values: a column multiplied in place (`col * k`, `k * col`, `col * 100.0`),
with an offset (`col * k + c`), rounded (`ROUND(col * k)`), or another column scaled into it, overflows the
target's precision or integer range for the rows past a limit the finding states; a source whose own type
keeps every scaled value in range is quiet. Read from SQL in every framework, from Django `F()` arithmetic
and from Rails `update_all`."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql
from tests.rules.test_data_expressions import FRAMEWORKS

NAMES = [
    {"table": "invoices", "amount": "total", "count": "quantity", "Model": "Invoice"},
    {"table": "products", "amount": "price", "count": "stock", "Model": "Product"},
]
SCHEMA = (
    "CREATE TABLE {table} (id bigint PRIMARY KEY, {amount} numeric(7, 2), {count} smallint, cents integer);\n"
)


def _review(names: dict[str, str], sql: str, framework=FRAMEWORKS[0]) -> Review:  # type: ignore[no-untyped-def]
    path, text = framework(sql.format(**names))
    return review_sql(text, path=path, base={"db/structure.sql": SCHEMA.format(**names)})


def _found(result: Review) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == "value-does-not-fit"]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    ("sql", "said"),
    [
        ("UPDATE {table} SET {amount} = {amount} * 100 + 5 WHERE id < 1000;", "values of 999.95 or more"),
        ("UPDATE {table} SET {amount} = 100 * {amount} WHERE id < 1000;", "values of 1000 or more"),
        ("UPDATE {table} SET {amount} = {amount} * 100.0 WHERE id < 1000;", "values of 1000 or more"),
        ("UPDATE {table} SET {amount} = ROUND({amount} * 100) WHERE id < 1000;", "values of 1000 or more"),
        ("UPDATE {table} SET {amount} = ({amount} - 10) * 50 WHERE id < 1000;", "values of 1990 or more"),
        ("UPDATE {table} SET {amount} = {count} * 100 WHERE id < 1000;", "`{count}` of 1000 or more"),
        (
            "UPDATE {table} SET {count} = round({amount} * 10) WHERE id < 1000;",
            "`{amount}` of 3276.8 or more",
        ),
    ],
)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_scaled_value_past_the_targets_range(names, sql, said, framework) -> None:  # type: ignore[no-untyped-def]
    [finding] = _found(_review(names, sql, framework))
    assert said.format(**names) in finding.message, finding.message
    assert finding.severity.value == "warning" and "SELECT count(*)" in finding.fix


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE {table} SET {amount} = {count} * 3 WHERE id < 1000;",  # 32767 * 3 fits numeric(7, 2)
        "UPDATE {table} SET cents = {count} * 100 WHERE id < 1000;",  # 3,276,700 fits an integer
        "UPDATE {table} SET cents = round({amount} * 100) WHERE id < 1000;",  # 9,999,999 fits an integer
        "UPDATE {table} SET {amount} = {amount} / 100 + 1 WHERE id < 1000;",
        "UPDATE {table} SET {amount} = 100 - {amount} WHERE id < 1000;",
        "UPDATE {table} SET {amount} = {amount} * {count} WHERE id < 1000;",
    ],
)
@pytest.mark.parametrize("framework", FRAMEWORKS[:4])
def test_scaling_the_types_keep_in_range_is_quiet(names, sql, framework) -> None:  # type: ignore[no-untyped-def]
    assert not _found(_review(names, sql, framework))


_DJANGO_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="{Model}",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("{amount}", models.DecimalField(max_digits=7, decimal_places=2)),
                ("{count}", models.SmallIntegerField()),
                ("cents", models.IntegerField(null=True)),
            ],
        )
    ]
"""
_DJANGO_DATA = """from django.db import migrations
from django.db.models import F
from django.db.models.functions import Round


def forwards(apps, schema_editor):
    {Model} = apps.get_model("shop", "{Model}")
    {Model}.objects.filter(id__lt=1000).update({target}={value})


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    ("target", "value", "said"),
    [
        ("{amount}", "F('{amount}') * 100", "values of 1000 or more"),
        ("{amount}", "Round(F('{amount}') * 100) + 5", "values of 999.95 or more"),
        ("{amount}", "F('{count}') * 100", "`{count}` of 1000 or more"),
        ("cents", "F('{count}') * 100", ""),
        ("cents", "Round(F('{amount}') * 100)", ""),
    ],
)
def test_django_f_arithmetic(names, target, value, said) -> None:  # type: ignore[no-untyped-def]
    text = _DJANGO_DATA.format(**names, target=target.format(**names), value=value.format(**names))
    result = review_sql(
        text,
        path="shop/migrations/0002_scale.py",
        base={"shop/migrations/0001_initial.py": _DJANGO_INITIAL.format(**names)},
    )
    found = _found(result)
    if said:
        assert len(found) == 1 and said.format(**names) in found[0].message, [
            f.message for f in result.active
        ]
    else:
        assert not found


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    ("call", "said"),
    [
        ('update_all("{amount} = {amount} * 100")', "values of 1000 or more"),
        ('update_all("{amount} = 100 * {amount} + 5")', "values of 999.95 or more"),
        ('update_all("cents = ROUND({amount} * 100)")', ""),
        ('update_all("{amount} = {amount} / 100")', ""),
    ],
)
def test_rails_update_all(names, call, said) -> None:  # type: ignore[no-untyped-def]
    text = (
        "class ScalePrices < ActiveRecord::Migration[7.1]\n  def up\n"
        f"    {names['Model']}.where(id: 1...1000).{call.format(**names)}\n  end\n\n"
        "  def down\n    raise ActiveRecord::IrreversibleMigration\n  end\nend\n"
    )
    result = review_sql(
        text,
        path="db/migrate/20260101000000_scale_prices.rb",
        base={"db/structure.sql": SCHEMA.format(**names)},
    )
    found = _found(result)
    if said:
        assert len(found) == 1 and said.format(**names) in found[0].message, [
            f.message for f in result.active
        ]
    else:
        assert not found, [f.message for f in found]
