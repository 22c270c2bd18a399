"""A table an applied migration created, dropped by a new migration of a change that also edits the applied
one: the table exists on every database, so the drop is reviewed as any other. Akvo RSR's "Remove IATI
import feature" edited 0047 (an import of a deleted module made a local function) and dropped the five tables
0047 and 0032 created in 0219: no table-dropped finding was given, as if the change had created them."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Finding
from bot.review import review

DJANGO_CREATE = """from django.db import migrations, models
{imports}

class Migration(migrations.Migration):
    dependencies = [('{app}', '0001_initial')]

    operations = [
        migrations.CreateModel(
            name='{model}',
            fields=[
                ('id', models.AutoField(primary_key=True)),
                ('source', models.FileField(upload_to={upload})),
            ],
        ),
    ]
"""
DJANGO_DROP = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [('{app}', '0002_{lower}')]

    operations = [
        migrations.DeleteModel(name='{model}'),
    ]
"""
INITIAL = """from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = []
"""


def _dropped(app: str, model: str, *, edited: bool, created_new: bool = False) -> list[Finding]:
    folder = f"{app}/migrations/"
    lower = model.lower()
    before = DJANGO_CREATE.format(
        app=app, model=model, imports=f"import {app}.models.{lower}\n", upload=f"{app}.models.{lower}.path"
    )
    after = DJANGO_CREATE.format(
        app=app, model=model, imports="\n\ndef path(row, name):\n    return name\n", upload="path"
    )
    create, drop = f"{folder}0002_{lower}.py", f"{folder}0003_delete_{lower}.py"
    base = {f"{folder}0001_initial.py": INITIAL, f"{folder}__init__.py": ""}
    if not created_new:
        base[create] = before
    head = {
        **base,
        create: after if edited else before,
        drop: DJANGO_DROP.format(app=app, model=model, lower=lower),
    }
    files = [ChangedFile(drop, "added", None, head[drop])]
    if created_new:
        files.append(ChangedFile(create, "added", None, after))
    elif edited:
        files.append(ChangedFile(create, "modified", before, after))
    changeset = ChangeSet("b", "h", tuple(files), MemoryTree(head), MemoryTree(base))
    return [f for f in review(changeset, dialect="postgres").active if f.rule == "table-dropped"]


@pytest.mark.parametrize(("app", "model"), [("rsr", "IatiImportJob"), ("billing", "LedgerExport")])
def test_a_table_an_edited_applied_migration_created_is_dropped_as_an_existing_one(
    app: str, model: str
) -> None:
    table = f"{app}_{model.lower()}"
    unedited = _dropped(app, model, edited=False)
    assert [f"`{table}`" in f.message for f in unedited] == [True]
    edited = _dropped(app, model, edited=True)
    assert [f"`{table}`" in f.message for f in edited] == [True]


@pytest.mark.parametrize(("app", "model"), [("rsr", "IatiImportJob"), ("billing", "LedgerExport")])
def test_a_table_the_change_creates_and_drops_is_no_drop(app: str, model: str) -> None:
    assert not _dropped(app, model, edited=False, created_new=True)
