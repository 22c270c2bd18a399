"""`lossy-copy` on arithmetic: a value with a fraction (`qty * 1.1`, `price * 0.9` of a numeric price, `a / b`
where `/` keeps fractions) written into an integer column is rounded when stored, however the migration writes
it (SQL, Django `F("qty") * 1.1`, Rails `update_all("qty = qty * 1.1")`). Rounding on purpose, a whole factor
(`* 2`, `price * 100` of a `numeric(10, 2)`), or a numeric target is quiet."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [
    {"t": "orders", "Model": "Order", "n": "quantity", "money": "price", "whole": "price_cents", "exact": "weight"},
    {"t": "stock_items", "Model": "StockItem", "n": "on_hand", "money": "cost", "whole": "cost_cents", "exact": "ratio"},
]  # fmt: skip
SCHEMA = (
    "CREATE TABLE {t} (id bigint PRIMARY KEY, {n} integer, {money} numeric(10, 2), {whole} bigint, "
    "{exact} numeric(12, 4));\n"
)
BAD = ["{n} = {n} * 1.1", "{whole} = {money} * 0.9", "{n} = {n} + {money}", "{n} = ({n} - 1) * 1.25"]
GOOD = [
    "{n} = round({n} * 1.1)",
    "{n} = {n} * 2",
    "{whole} = {money} * 100",
    "{exact} = {n} * 1.1",
    "{n} = {n} * 1.0",
]


def _sql(names: dict[str, str], assignment: str, dialect: str = "postgres") -> Review:
    text = SCHEMA.format(**names) + "-- migration\n"
    text += f"UPDATE {names['t']} SET {assignment.format(**names)} WHERE id >= 1 AND id < 1000;"
    return review_sql(text, dialect=dialect)


def _rounded(result: Review) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == "lossy-copy" and "has a fraction" in f.message]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("assignment", BAD)
@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_a_fraction_written_into_an_integer_column(names, assignment, dialect) -> None:  # type: ignore[no-untyped-def]
    [finding] = _rounded(_sql(names, assignment, dialect))
    target = assignment.split(" = ")[0].format(**names)
    assert f"`{names['t']}.{target}`" in finding.message and "rounded" in finding.message
    assert "round(" in finding.fix


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("assignment", GOOD)
def test_whole_values_or_a_rounding_on_purpose_are_quiet(names, assignment) -> None:  # type: ignore[no-untyped-def]
    assert not _rounded(_sql(names, assignment))


@pytest.mark.parametrize("names", NAMES)
def test_division_keeps_its_fraction_only_where_slash_does(names) -> None:  # type: ignore[no-untyped-def]
    half = "{n} = {n} / 2"
    assert _rounded(_sql(names, half, "mysql"))  # MySQL's `/` gives 3.5 for 7 / 2, stored as 4
    assert not _rounded(_sql(names, half, "postgres"))  # an integer division: whole already
    assert not _rounded(_sql(names, half, "sqlite"))


DJANGO_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="{Model}",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("{n}", models.IntegerField()),
                ("{exact}", models.DecimalField(max_digits=12, decimal_places=4)),
            ],
            options={{"db_table": "{t}"}},
        ),
    ]
"""
DJANGO_UPDATE = """from django.db import migrations
from django.db.models import F
from django.db.models.functions import Round


def forwards(apps, schema_editor):
    {Model} = apps.get_model("shop", "{Model}")
    {Model}.objects.filter(id__gte=1, id__lt=1000).update({assignment})


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    ("assignment", "rounded"),
    [('{n}=F("{n}") * 1.1', True), ('{exact}=F("{n}") * 1.1', False), ('{n}=Round(F("{n}") * 1.1)', False)],
)
def test_django_f_expressions(names, assignment, rounded) -> None:  # type: ignore[no-untyped-def]
    text = DJANGO_UPDATE.format(**names, assignment=assignment.format(**names))
    base = {"shop/migrations/0001_initial.py": DJANGO_INITIAL.format(**names)}
    result = review_sql(text, path="shop/migrations/0002_scale.py", base=base)
    assert bool(_rounded(result)) is rounded


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    ("assignment", "rounded"), [("{n} = {n} * 1.1", True), ("{n} = ROUND({n} * 1.1)", False)]
)
def test_rails_update_all_with_a_set_string(names, assignment, rounded) -> None:  # type: ignore[no-untyped-def]
    text = (
        "class ScaleQuantities < ActiveRecord::Migration[7.1]\n  def up\n"
        f'    {names["Model"]}.where(id: 1...1000).update_all("{assignment.format(**names)}")\n'
        "  end\n\n  def down\n    raise ActiveRecord::IrreversibleMigration\n  end\nend\n"
    )
    result = review_sql(
        text,
        path="db/migrate/20260101000000_scale_quantities.rb",
        base={"db/structure.sql": SCHEMA.format(**names)},
    )
    assert bool(_rounded(result)) is rounded
