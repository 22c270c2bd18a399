"""unbatched-data-change: the NULL fill a framework runs before SET NOT NULL (Django's AlterField with a
default, Rails' `change_column_null … false, default`) after an earlier migration of the change filled the
column finds only the rows written since: not a change of the table (healthchecks' fill_notification_code, then
AlterField to NOT NULL)."""

from __future__ import annotations

import pytest

from .migration_set import findings

RULE = "unbatched-data-change"
DJANGO = [("api", "Notification", "code"), ("billing", "Invoice", "reference")]


def _initial(model: str, field: str) -> str:
    return (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n"
        f'    operations = [migrations.CreateModel(name="{model}", fields=[("id", models.BigAutoField('
        f'primary_key=True)), ("{field}", models.CharField(max_length=40, null=True))])]\n'
    )


def _fill(app: str, model: str, field: str) -> str:
    return (
        "import uuid\n\nfrom django.db import migrations\n\n\ndef fill(apps, schema_editor):\n"
        f'    {model} = apps.get_model("{app}", "{model}")\n'
        f"    for row in {model}.objects.filter({field}=None):\n"
        f"        row.{field} = uuid.uuid4().hex\n        row.save()\n\n\n"
        "class Migration(migrations.Migration):\n"
        f'    dependencies = [("{app}", "0001_initial")]\n'
        "    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]\n"
    )


def _required(app: str, model: str, field: str, after: str) -> str:
    return (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        f'    dependencies = [("{app}", "{after}")]\n'
        f'    operations = [migrations.AlterField(model_name="{model.lower()}", name="{field}", '
        'field=models.CharField(max_length=40, default="none"))]\n'
    )


@pytest.mark.parametrize(("app", "model", "field"), DJANGO)
def test_django_alter_field_after_a_fill_in_the_change(app: str, model: str, field: str) -> None:
    folder = f"{app}/migrations"
    base = {f"{folder}/__init__.py": "", f"{folder}/0001_initial.py": _initial(model, field)}
    required = f"{folder}/0003_required.py"
    filled = findings(
        base,
        {
            f"{folder}/0002_fill.py": _fill(app, model, field),
            required: _required(app, model, field, "0002_fill"),
        },
        rule=RULE,
    )
    assert not [f for f in filled if f.location.path == required], [f.message for f in filled]
    # without the fill, Django's UPDATE … WHERE … IS NULL changes every NULL row of the table at once
    alone = findings(base, {required: _required(app, model, field, "0001_initial")}, rule=RULE)
    assert [f for f in alone if f.location.path == required and f"{field} IS NULL" in f.message]


RAILS = [("members", "Member", "region"), ("shipments", "Shipment", "carrier")]


@pytest.mark.parametrize(("table", "model", "column"), RAILS)
def test_rails_change_column_null_after_a_backfill_in_the_change(table: str, model: str, column: str) -> None:
    base = {"db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n"}
    backfill = (
        "class Backfill < ActiveRecord::Migration[7.1]\n  disable_ddl_transaction!\n\n"
        f"  class {model} < ApplicationRecord; end\n\n  def up\n"
        f"    {model}.where({column}: nil).in_batches(of: 1000).update_all({column}: 'unknown')\n  end\n\n"
        "  def down; end\nend\n"
    )
    required = (
        "class Required < ActiveRecord::Migration[7.1]\n  def change\n"
        f"    change_column_null :{table}, :{column}, false, 'unknown'\n  end\nend\n"
    )
    path = "db/migrate/20260102000000_required.rb"
    filled = findings(base, {"db/migrate/20260101000000_backfill.rb": backfill, path: required}, rule=RULE)
    assert not [f for f in filled if f.location.path == path], [f.message for f in filled]
    alone = findings(base, {path: required}, rule=RULE)
    assert [f for f in alone if f.location.path == path]
