"""Django generic relations: the rows a GenericRelation ties to a deleted model are those of its own content
type, never every row with the same object id."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

INITIAL = """from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True
    dependencies = [("contenttypes", "0002_remove_content_type_name")]
    operations = [
        migrations.CreateModel(
            name="{parent}",
            fields=[("id", models.BigAutoField(primary_key=True)), ("{field}", models.TextField())],
        ),
        migrations.CreateModel(
            name="{child}",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("label", models.SlugField()),
                ("{object_id}", models.PositiveIntegerField()),
                ("{content_type}", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="contenttypes.contenttype")),
            ],
        ),
    ]
"""
MODELS = """from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models


class {child}(models.Model):
    label = models.SlugField()
    {content_type} = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    {object_id} = models.PositiveIntegerField()
    target = GenericForeignKey("{content_type}", "{object_id}")


class {parent}(models.Model):
    {field} = models.TextField()
    {relation} = GenericRelation({child}{options})
"""
HISTORICAL = """from django.db import migrations


def forwards(apps, schema_editor):
    {parent} = apps.get_model("{app}", "{parent}")
    {parent}.objects.filter({field}="").delete()


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""
CURRENT = """from django.db import migrations

from {app}.models import {parent}


def forwards(apps, schema_editor):
    {parent}.objects.filter({field}="").delete()


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""
NAMES = [
    {
        "app": "shop",
        "parent": "Post",
        "field": "title",
        "child": "TaggedItem",
        "relation": "tags",
        "object_id": "object_id",
        "content_type": "content_type",
        "options": "",
    },
    {
        "app": "crm",
        "parent": "Invoice",
        "field": "memo",
        "child": "Note",
        "relation": "notes",
        "object_id": "record_id",
        "content_type": "record_type",
        "options": ', content_type_field="record_type", object_id_field="record_id"',
    },
]


def _review(names: dict[str, str], migration: str, models: str = MODELS) -> Any:
    app = names["app"]
    base = {
        f"{app}/migrations/0001_initial.py": INITIAL.format(**names),
        f"{app}/models.py": models.format(**names),
    }
    return review_sql(migration.format(**names), path=f"{app}/migrations/0002_cleanup.py", base=base)


def _content_type(names: dict[str, str]) -> str:
    return (
        f"{names['content_type']}_id = (SELECT id FROM django_content_type WHERE app_label = '{names['app']}' "
        f"AND model = '{names['parent'].lower()}')"
    )


@pytest.mark.parametrize("names", NAMES)
def test_a_historical_model_leaves_the_generic_rows_of_its_own_type(names: dict[str, str]) -> None:
    result = _review(names, HISTORICAL)
    (finding,) = [f for f in result.active if f.rule == "dependent-rows-orphaned"]
    child = f"{names['app']}_{names['child'].lower()}"
    assert f"`{child}`" in finding.blast_radius and "GenericRelation" in finding.message
    assert _content_type(names) in finding.fix and f"WHERE {names['object_id']} IN" in finding.fix
    assert not [f for f in result.active if f.rule == "cascading-delete"]  # nothing deletes them


@pytest.mark.parametrize("names", NAMES)
def test_the_current_model_deletes_only_the_rows_of_its_own_type(names: dict[str, str]) -> None:
    result = _review(names, CURRENT)
    (finding,) = [f for f in result.active if f.rule == "cascading-delete"]
    assert _content_type(names) in finding.message + finding.blast_radius
    assert not [f for f in result.active if f.rule == "dependent-rows-orphaned"]
    child = f"{names['app']}_{names['child'].lower()}"
    backups = [s.command for s in result.rollback_plan if s.command and child in s.command]
    saved = [sql for sql in backups if sql.startswith("CREATE TABLE")]
    assert saved and all(_content_type(names) in sql for sql in saved)


@pytest.mark.parametrize("names", NAMES)
def test_no_generic_relation_on_the_model_is_quiet(names: dict[str, str]) -> None:
    models = MODELS.replace("    {relation} = GenericRelation({child}{options})\n", "")
    result = _review(names, HISTORICAL, models)
    assert not [f for f in result.active if f.rule in ("dependent-rows-orphaned", "cascading-delete")]
