"""Django builds an index for each ForeignKey (and `db_index=True` field) of a model it creates, as it does
for one it adds: no foreign-key-without-index, unless the field says `db_index=False`."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.CreateModel(name="{Parent}", fields=[("id", models.BigAutoField(primary_key=True))])]
"""
NEW = """from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [
        migrations.CreateModel(
            name="{Child}",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("{parent}", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="{app}.{parent}"{extra})),
            ],
        ),
    ]
"""
NAMES = [
    {"app": "shop", "Parent": "Customer", "parent": "customer", "Child": "Order"},
    {"app": "desk", "Parent": "Queue", "parent": "queue", "Child": "Ticket"},
]


def _found(names: dict[str, str], extra: str) -> list[str]:
    base = {f"{names['app']}/migrations/0001_initial.py": INITIAL.format(**names)}
    text = NEW.format(**names, extra=extra)
    result = review_sql(text, path=f"{names['app']}/migrations/0002_child.py", base=base)
    return [f.message for f in result.findings if f.rule == "foreign-key-without-index"]


@pytest.mark.parametrize("names", NAMES)
def test_a_created_models_foreign_key_has_djangos_index(names: dict[str, str]) -> None:
    assert not _found(names, "")
    unindexed = _found(names, ", db_index=False")
    assert unindexed and f"{names['parent']}_id" in unindexed[0]
