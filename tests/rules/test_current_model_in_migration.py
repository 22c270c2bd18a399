"""`current-model-in-migration`: a Django migration that imports the application's model classes instead of
`apps.get_model()` is named (and its data change is still read on the model's table); importing choices or
constants from the models module, or using the historical model, is quiet."""

from __future__ import annotations

import pytest

from tests.rules.django_app import review_migration

MODELS = [("Order", "total"), ("Invoice", "amount")]
FIELDS = {"status": 'models.CharField(max_length=20, default="open")'}

_MIGRATION = """from django.db import migrations
{imports}


def forwards(apps, schema_editor):
{body}


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""


def _review(model: str, column: str, imports: str, body: str):  # type: ignore[no-untyped-def]
    fields = {**FIELDS, column: "models.DecimalField(max_digits=10, decimal_places=2, null=True)"}
    return review_migration(model, fields, _MIGRATION.format(imports=imports, body=body))


@pytest.mark.parametrize(("model", "column"), MODELS)
@pytest.mark.parametrize(
    "imports",
    [
        "from shop.models import {model}",
        "from ..models import {model}",
        "from shop.models import {model} as Current",
    ],
)
def test_the_applications_model_imported_in_a_migration_is_named(
    model: str, column: str, imports: str
) -> None:
    name = "Current" if " as " in imports else model
    body = f"    for row in {name}.objects.filter({column}__isnull=True):\n        row.{column} = 0\n        row.save()\n"
    result = _review(model, column, imports.format(model=model), body)
    [finding] = [f for f in result.active if f.rule == "current-model-in-migration"]
    assert f"`{name}`" in finding.message and "signals" in finding.message
    assert finding.line == 2
    # the data change is read on the model's table, never approved unread
    assert result.approval != "APPROVED"


@pytest.mark.parametrize(("model", "column"), MODELS)
def test_an_update_through_the_imported_model_is_read_as_sql(model: str, column: str) -> None:
    body = f"    {model}.objects.update({column}=None)\n"
    result = _review(model, column, f"from shop.models import {model}", body)
    rules = {f.rule for f in result.active}
    assert "current-model-in-migration" in rules and "unbatched-data-change" in rules


@pytest.mark.parametrize(("model", "column"), MODELS)
def test_the_historical_model_or_imported_choices_are_quiet(model: str, column: str) -> None:
    historical = f'    {model} = apps.get_model("shop", "{model}")\n    {model}.objects.filter(id__lt=100).update({column}=0)\n'
    assert not [
        f for f in _review(model, column, "", historical).active if f.rule == "current-model-in-migration"
    ]
    choices = f"    Status = {model}Status\n    print(Status.OPEN)\n"
    quiet = _review(model, column, f"from shop.models import {model}Status, STATUS_CHOICES", choices)
    assert not [f for f in quiet.active if f.rule == "current-model-in-migration"]
