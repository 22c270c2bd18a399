"""A Django queryset filtered across a foreign key (`Line.objects.filter(order__status="stale")`) chooses its
rows with the sub-select Django sends (`order_id IN (SELECT id FROM orders WHERE status = 'stale')`): the
review's snapshot and queries use that condition, never the lookup's Python spelling as if it were a column."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [
    {"app": "shop", "parent": "Order", "child": "Line", "fk": "order", "status": "status", "note": "note"},
    {
        "app": "crm",
        "parent": "Account",
        "child": "Contact",
        "fk": "account",
        "status": "tier",
        "note": "memo",
    },
]
INITIAL = """from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="{parent}",
            fields=[("id", models.BigAutoField(primary_key=True)), ("{status}", models.CharField(max_length=20))],
        ),
        migrations.CreateModel(
            name="{child}",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("{note}", models.TextField(null=True)),
                ("{fk}", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="{app}.{parent_lower}")),
            ],
        ),
    ]
"""
CHANGE = """from django.db import migrations


def forwards(apps, schema_editor):
    {child} = apps.get_model("{app}", "{child}")
    {child}.objects.filter({fk}__{status}="stale").update({note}="archived")


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""


def _review(names: dict[str, str]) -> Review:
    initial = INITIAL.format(parent_lower=names["parent"].lower(), **names)
    return review_sql(
        CHANGE.format(**names),
        path=f"{names['app']}/migrations/0002_change.py",
        base={f"{names['app']}/migrations/0001_initial.py": initial},
    )


@pytest.mark.parametrize("names", NAMES)
def test_a_lookup_across_a_foreign_key(names: dict[str, str]) -> None:
    result = _review(names)
    app, child, parent = names["app"], names["child"].lower(), names["parent"].lower()
    condition = f"{names['fk']}_id IN (SELECT id FROM {app}_{parent} WHERE {names['status']} = 'stale')"
    saves = [s.command or "" for s in result.rollback_plan if s.text.startswith("Before deploying")]
    assert saves == [
        f"CREATE TABLE {app}_{child}_{names['note']}_backup AS SELECT id, {names['note']} FROM {app}_{child} WHERE {condition};"
    ], saves
    for finding in result.active:
        assert f"{names['fk']}__{names['status']}" not in finding.message, finding.message


ANNOTATED = """from django.db import migrations
from django.db.models.functions import Trim


def forwards(apps, schema_editor):
    {child} = apps.get_model("{app}", "{child}")
    {child}.objects.annotate(trimmed=Trim("{note}"), other={other}).filter(trimmed="", other=1).update({note}=None)


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""


@pytest.mark.parametrize("names", NAMES)
def test_a_filter_on_an_annotation(names: dict[str, str]) -> None:
    """`annotate(trimmed=Trim("note")).filter(trimmed="")` is `trim(note) = ''`; an annotation the review
    cannot write is the code's value, never a column named after the alias."""
    initial = INITIAL.format(parent_lower=names["parent"].lower(), **names)
    text = ANNOTATED.format(other="Func(F('id'), function='ABS')", **names)
    result = review_sql(
        text,
        path=f"{names['app']}/migrations/0002_change.py",
        base={f"{names['app']}/migrations/0001_initial.py": initial},
    )
    table = f"{names['app']}_{names['child'].lower()}"
    unbatched = [f for f in result.active if f.rule == "unbatched-data-change"]
    assert unbatched and f"trim({names['note']}) = ''" in unbatched[0].message, [f.message for f in unbatched]
    for text in [f.message for f in result.active] + [s.command or "" for s in result.rollback_plan]:
        assert "trimmed" not in text and "other = 1" not in text, text
    saves = [s.command or "" for s in result.rollback_plan if s.text.startswith("Before deploying")]
    assert saves and all(f"FROM {table}" in c for c in saves), saves
