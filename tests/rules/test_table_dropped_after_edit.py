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


RENAME = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [('{app}', '0002_{lower}'){extra}]
    operations = [migrations.RenameModel(old_name='{model}', new_name='{new}')]
"""


@pytest.mark.parametrize(
    ("app", "model", "new"), [("accounts_mfa", "KoboMFAMethod", "MfaMethod"), ("shop", "Cart", "Basket")]
)
def test_a_table_an_edited_applied_migration_renames_to_is_an_existing_one(
    app: str, model: str, new: str
) -> None:
    """kpi edited 0001 (which creates the model's table) and 0003 (which renames the model, a dependency on the
    removed `trench` app taken out) and deleted the renamed model in a new 0009: the drop gave no finding."""
    folder, lower = f"{app}/migrations/", model.lower()
    create, rename, drop = f"{folder}0002_{lower}.py", f"{folder}0003_rename.py", f"{folder}0004_delete.py"
    created = DJANGO_CREATE.format(
        app=app, model=model, imports="\n\ndef path(row, name):\n    return name\n", upload="path"
    )
    base = {
        f"{folder}0001_initial.py": INITIAL,
        f"{folder}__init__.py": "",
        create: created.replace("upload_to=path", "upload_to=path, max_length=100"),
        rename: RENAME.format(app=app, lower=lower, model=model, new=new, extra=", ('trench', '0003_auto')"),
    }
    edited = {create: created, rename: RENAME.format(app=app, lower=lower, model=model, new=new, extra="")}
    remove = f"from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [('{app}', '0003_rename')]\n    operations = [migrations.DeleteModel(name='{new}')]\n"
    head = {**base, **edited, drop: remove}
    files = (
        ChangedFile(create, "modified", base[create], edited[create]),
        ChangedFile(rename, "modified", base[rename], edited[rename]),
        ChangedFile(drop, "added", None, remove),
    )
    found = review(ChangeSet("b", "h", files, MemoryTree(head), MemoryTree(base)), dialect="postgres").active
    assert [(f.path, f"`{app}_{new.lower()}`" in f.message) for f in found if f.rule == "table-dropped"] == [
        (drop, True)
    ]


SQUASH = """from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [('{app}', '0001_initial'), ('{app}', '0002_{lower}')]
    dependencies = []{extra}

    operations = [
        migrations.CreateModel(name='{model}', fields=[('id', models.AutoField(primary_key=True))]),
    ]
"""


@pytest.mark.parametrize(
    ("app", "old", "model"),
    [("accounts_mfa", "KoboMFAMethod", "MfaMethod"), ("billing", "Export", "LedgerExport")],
)
def test_a_table_an_edited_squash_of_applied_migrations_creates_is_an_existing_one(
    app: str, old: str, model: str
) -> None:
    """kpi edited `0003_rename_kobo_mfa_method_model` and `0001_squashed_0004_…` (a squash of applied migrations,
    which databases record as applied without running it, and which creates `MfaMethod` directly), and deleted
    `MfaMethod` in a new 0009: the table counted as one the change creates, and its drop gave no finding."""
    folder, lower = f"{app}/migrations/", model.lower()
    rename, squash, drop = (
        f"{folder}0002_{lower}.py",
        f"{folder}0001_squashed_0002_{lower}.py",
        f"{folder}0003_delete.py",
    )
    base = {
        f"{folder}__init__.py": "",
        f"{folder}0001_initial.py": SQUASH.format(app=app, lower=lower, model=old, extra="").replace(
            f"    replaces = [('{app}', '0001_initial'), ('{app}', '0002_{lower}')]\n", ""
        ),
        rename: RENAME.format(
            app=app, lower="x", model=old, new=model, extra=", ('trench', '0003_auto')"
        ).replace("0002_x", "0001_initial"),
        squash: SQUASH.format(app=app, lower=lower, model=model, extra=""),
    }
    edited = {
        rename: base[rename].replace(", ('trench', '0003_auto')", ""),
        squash: SQUASH.format(app=app, lower=lower, model=model, extra="\n    initial = True"),
    }
    remove = f"from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [('{app}', '0002_{lower}')]\n    operations = [migrations.DeleteModel(name='{model}')]\n"
    head = {**base, **edited, drop: remove}
    files = (
        ChangedFile(rename, "modified", base[rename], edited[rename]),
        ChangedFile(squash, "modified", base[squash], edited[squash]),
        ChangedFile(drop, "added", None, remove),
    )
    found = review(ChangeSet("b", "h", files, MemoryTree(head), MemoryTree(base)), dialect="postgres").active
    assert [(f.path, f"`{app}_{lower}`" in f.message) for f in found if f.rule == "table-dropped"] == [
        (drop, True)
    ]
