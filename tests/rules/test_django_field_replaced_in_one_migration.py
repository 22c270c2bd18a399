"""A Django field replaced in one migration (paperless-ngx 1a6f32534): AddField `created_date`, a RunPython loop
that builds rows and writes the new field with `bulk_update(rows, ["created_date"])`, RemoveField `created`,
RenameField `created_date` to `created`, AlterField to NOT NULL with a default.

The loop writes only the field the migration adds, so the way back loses no value it wrote
(data-lost-on-rollback said it overwrote rows of the table); and the NULL fill Django's AlterField runs
before SET NOT NULL finds the field the loop filled under its new name (unbatched-data-change said it
changed every NULL row)."""

from __future__ import annotations

import pytest

from tests.rules.django_app import review_migration

NAMES = [("Document", "created", "created_date"), ("Invoice", "issued", "issued_on")]

_MIGRATION = """import datetime

from django.db import migrations, models
from django.db.models.functions import TruncDate


def copy(apps, schema_editor):
    {model} = apps.get_model("shop", "{model}")
    rows = []
    for item in {model}.objects.annotate(day=TruncDate("{old}")).values("id", "day").iterator(chunk_size=500):
        rows.append({model}(id=item["id"], {written}=item["day"]))
        if len(rows) >= 500:
            {model}.objects.bulk_update(rows, ["{written}"])
            rows.clear()
    if rows:
        {model}.objects.bulk_update(rows, ["{written}"])


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AddField(model_name="{lower}", name="{new}", field=models.DateField(null=True)),
        migrations.RunPython(copy, reverse_code=migrations.RunPython.noop),
        migrations.RemoveField(model_name="{lower}", name="{old}"),
        migrations.RenameField(model_name="{lower}", old_name="{new}", new_name="{old}"),
        migrations.AlterField(
            model_name="{lower}", name="{old}", field=models.DateField(default=datetime.date.today)
        ),
    ]
"""


def _rules(model: str, old: str, new: str, written: str) -> dict[str, list[str]]:
    fields = {old: "models.DateTimeField()", "note": "models.TextField(null=True)"}
    text = _MIGRATION.format(model=model, lower=model.lower(), old=old, new=new, written=written)
    found: dict[str, list[str]] = {}
    for finding in review_migration(model, fields, text).active:
        found.setdefault(finding.rule, []).append(finding.message)
    return found


@pytest.mark.parametrize(("model", "old", "new"), NAMES)
def test_a_loop_that_writes_only_the_added_field_loses_nothing_on_the_way_back(
    model: str, old: str, new: str
) -> None:
    assert "data-lost-on-rollback" not in _rules(model, old, new, new)
    # the same loop writing a field the table had before overwrites its values
    [lost] = _rules(model, old, new, "note")["data-lost-on-rollback"]
    assert "note" in lost


@pytest.mark.parametrize(("model", "old", "new"), NAMES)
def test_the_null_fill_after_a_rename_finds_the_field_the_loop_filled(model: str, old: str, new: str) -> None:
    assert not [m for m in _rules(model, old, new, new).get("unbatched-data-change", []) if "IS NULL" in m]
    # a loop that filled another field leaves every NULL row to the fill
    unfilled = _rules(model, old, new, "note").get("unbatched-data-change", [])
    assert [m for m in unfilled if f"{old} IS NULL" in m]
