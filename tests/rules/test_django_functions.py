"""Django's database functions in a RunPython `update()` (`Cast`, `Func`, `Round`, `Coalesce`, `Concat`,
`Upper`, …) read as the SQL they send, so the rules that judge a SQL expression judge them: NULL propagated
through arithmetic under `Round`, a raw `Func(function="CONCAT")` on MySQL, a `Cast` that rounds decimals away
or cuts strings. Django's own `Concat` skips NULL parts on every database: it is no NULL propagation."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [
    {"Model": "Invoice", "amount": "total", "whole": "total_whole", "code": "reference", "short": "ref3",
     "first": "first_name", "last": "last_name", "full": "full_name", "qty": "quantity"},
    {"Model": "Listing", "amount": "price", "whole": "price_rounded", "code": "sku", "short": "sku_prefix",
     "first": "given", "last": "family", "full": "display", "qty": "units"},
]  # fmt: skip
INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="{Model}",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("{amount}", models.DecimalField(max_digits=7, decimal_places=2)),
                ("{whole}", models.IntegerField(null=True)),
                ("{code}", models.CharField(max_length=20)),
                ("{short}", models.CharField(max_length=3, null=True)),
                ("{first}", models.CharField(max_length=20, null=True)),
                ("{last}", models.CharField(max_length=20, null=True)),
                ("{full}", models.CharField(max_length=50, null=True)),
                ("{qty}", models.IntegerField(null=True)),
            ],
        )
    ]
"""
DATA = """from django.db import migrations, models
from django.db.models import ExpressionWrapper, F, Func, Value
from django.db.models.functions import Cast, Coalesce, Concat, Left, Round, Upper


def forwards(apps, schema_editor):
    {Model} = apps.get_model("shop", "{Model}")
    {Model}.objects.filter(id__lt=1000).update({body})


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""


def _review(names: dict[str, str], body: str, dialect: str | None = None) -> Review:
    return review_sql(
        DATA.format(Model=names["Model"], body=body.format(**names)),
        path="shop/migrations/0002_fill.py",
        base={"shop/migrations/0001_initial.py": INITIAL.format(**names)},
        dialect=dialect,
    )


def _found(result: Review, rule: str) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == rule]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("dialect", [None, "mysql"])
def test_arithmetic_on_a_nullable_field_under_a_function(names, dialect) -> None:  # type: ignore[no-untyped-def]
    [finding] = _found(
        _review(names, "{whole}=Round(F('{amount}') * F('{qty}'))", dialect), "null-propagation"
    )
    assert f"`{names['qty']}` is NULL" in finding.message and "ROUND(" in finding.message
    for good in (
        "{whole}=Round(F('{amount}') * Coalesce(F('{qty}'), 0))",
        "{whole}=ExpressionWrapper(Round(F('{amount}') * Coalesce('{qty}', Value(1))), output_field=models.IntegerField())",
    ):
        assert not _found(_review(names, good, dialect), "null-propagation"), good


@pytest.mark.parametrize("names", NAMES)
def test_a_raw_concat_func_on_mysql_propagates_null_djangos_concat_does_not(names) -> None:  # type: ignore[no-untyped-def]
    raw = "{full}=Func(F('{first}'), Value(' '), F('{last}'), function='CONCAT')"
    [finding] = _found(_review(names, raw, "mysql"), "null-propagation")
    assert f"`{names['first']}` or `{names['last']}`" in finding.message
    assert not _found(_review(names, raw), "null-propagation")  # PostgreSQL's concat() skips NULLs
    for dialect in (None, "mysql"):
        django_concat = _review(names, "{full}=Concat(F('{first}'), Value(' '), F('{last}'))", dialect)
        assert not _found(django_concat, "null-propagation")
    upper = _review(names, "{full}=Func(F('{first}'), function='UPPER')")
    assert not _found(upper, "null-propagation") and not _found(upper, "unread-data-change")


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("dialect", [None, "mysql"])
def test_a_cast_that_loses_data(names, dialect) -> None:  # type: ignore[no-untyped-def]
    [rounded] = _found(
        _review(names, "{whole}=Cast(F('{amount}'), models.IntegerField())", dialect), "lossy-copy"
    )
    assert f".{names['amount']}` (decimal(7, 2))" in rounded.message and "rounded away" in rounded.message
    assert "CAST(" in rounded.message
    [cut] = _found(
        _review(names, "{short}=Cast('{code}', output_field=models.CharField(max_length=3))", dialect),
        "lossy-copy",
    )
    assert "longer than 3 characters" in cut.message
    for good in (
        "{whole}=Cast(Round(F('{amount}')), models.IntegerField())",
        "{short}=Left('{code}', 3)",
        "{full}=Cast(F('{first}'), models.CharField(max_length=50))",
        "{full}=Upper('{first}')",
    ):
        assert not _found(_review(names, good, dialect), "lossy-copy"), good


LOOP = """from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import Cast, Coalesce, Concat, Round


def forwards(apps, schema_editor):
    {Model} = apps.get_model("shop", "{Model}")
    rows = list({Model}.objects.filter(id__lt=1000))
    for row in rows:
        row.{target} = {value}
    {Model}.objects.bulk_update(rows, ["{target}"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    ("target", "value", "rule"),
    [
        ("{whole}", "Cast(F('{amount}'), models.IntegerField())", "lossy-copy"),
        ("{amount}", "F('{amount}') * 100000", "value-does-not-fit"),
        ("{whole}", "Round(F('{amount}') * F('{qty}'))", "null-propagation"),
        ("{whole}", "Cast(Round(F('{amount}')), models.IntegerField())", ""),
        ("{whole}", "Round(F('{amount}') * Coalesce(F('{qty}'), 0))", ""),
    ],
)
def test_expressions_set_on_each_row_and_written_with_bulk_update(names, target, value, rule) -> None:  # type: ignore[no-untyped-def]
    text = LOOP.format(Model=names["Model"], target=target.format(**names), value=value.format(**names))
    result = review_sql(
        text,
        path="shop/migrations/0002_fill.py",
        base={"shop/migrations/0001_initial.py": INITIAL.format(**names)},
    )
    data = {"lossy-copy", "value-does-not-fit", "null-propagation"}
    found = {f.rule for f in result.active} & data
    assert found == ({rule} if rule else set()), [f.message for f in result.active]
    # the loop and its bulk_update are one change of the rows, not two
    assert len([f for f in result.active if f.rule == "data-lost-on-rollback"]) == 1
    assert "2 times" not in next(f.message for f in result.active if f.rule == "data-lost-on-rollback")
