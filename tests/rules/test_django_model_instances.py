"""A RunPython that fetches one row (`.first()`, `.get()`) and deletes or saves it changes that row, not the
whole table; Django's own models are written where Django keeps them (`django_content_type`)."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

MIGRATION = """from django.db import migrations


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    {Model} = apps.get_model("{app}", "{Model}")
    old = ContentType.objects.filter(app_label="{app}", model="legacy{lower}").{fetch}()
    if old:
        {Model}.objects.filter(kind_id=old.id, id__lt=1000).update(kind_id=None)
        old.delete()
    ContentType.objects.filter(app_label="{old_app}", model="{lower}").update(app_label="{app}")


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""
INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="{Model}",
            fields=[("id", models.BigAutoField(primary_key=True)), ("kind_id", models.IntegerField(null=True))],
        ),
    ]
"""


@pytest.mark.parametrize(
    ("app", "Model", "old_app"), [("users", "Account", "auth"), ("vpn", "Tunnel", "ipam")]
)
@pytest.mark.parametrize("fetch", ["first", "last"])
def test_one_row_fetched_then_deleted(app: str, Model: str, old_app: str, fetch: str) -> None:
    words = {"app": app, "Model": Model, "lower": Model.lower(), "old_app": old_app, "fetch": fetch}
    base = {f"{app}/migrations/0001_initial.py": INITIAL.format(**words)}
    result = review_sql(MIGRATION.format(**words), path=f"{app}/migrations/0002_types.py", base=base)
    every_row = [
        f for f in result.active if f.rule == "unbatched-data-change" and "every row in" in f.message
    ]
    assert not every_row, every_row
    lost = [f.message for f in result.active if f.rule == "data-lost-on-rollback"]
    assert len(lost) == 1, lost  # one RunPython function: one finding naming every table it changes
    tables = set(lost[0].split("`")[1::2])
    assert "django_content_type.app_label" in tables and not any("contenttypes_" in t for t in tables), tables
