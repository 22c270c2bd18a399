"""A field of an abstract Django model (a mixin with `class Meta: abstract = True`) removed with the mixin from
every concrete model that inherited it: the migration drops the column of each table, and the code the change
deletes with the mixin (its field, its methods on `self`) is what the running release still executes, as for
a field declared on the model itself. The column's name is shared by several tables (one per concrete model),
so only the mixin's place in each model's inheritance ties those lines to the tables."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Finding, Severity
from bot.review import review

NAMES = [
    ("shop", ("Order", "Invoice"), "LegacyMixin", "legacy_code"),
    ("crm", ("Contact", "Company", "Lead"), "ImportedFromMixin", "import_batch"),
]


def _initial(app: str, models: tuple[str, ...], column: str) -> str:
    created = "".join(
        f'        migrations.CreateModel(\n            name="{m}",\n            fields=[\n'
        f'                ("id", models.BigAutoField(primary_key=True)),\n'
        f'                ("name", models.CharField(max_length=20)),\n'
        f'                ("{column}", models.CharField(max_length=20, null=True)),\n            ],\n        ),\n'
        for m in models
    )
    return (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        f"    initial = True\n    operations = [\n{created}    ]\n"
    )


def _removal(app: str, models: tuple[str, ...], column: str) -> str:
    removed = "".join(
        f'        migrations.RemoveField(model_name="{m.lower()}", name="{column}"),\n' for m in models
    )
    return (
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        f'    dependencies = [("{app}", "0001_initial")]\n    operations = [\n{removed}    ]\n'
    )


def _mixin(mixin: str, column: str, meta: str = "\n    class Meta:\n        abstract = True\n") -> str:
    return (
        f"class {mixin}(models.Model):\n    {column} = models.CharField(max_length=20, null=True)\n{meta}\n"
        f'    def describe(self):\n        return f"{{self.pk}}: {{self.{column}}}"\n\n\n'
    )


def _models(models: tuple[str, ...], base: str, own: str = "") -> str:
    return "".join(
        f"class {m}({base}):\n    name = models.CharField(max_length=20)\n{own}\n\n" for m in models
    )


def _dropped(
    app: str, models: tuple[str, ...], column: str, files: dict[str, tuple[str | None, str | None]]
) -> list[Finding]:
    """The column-dropped findings of the removal, `files`: path → (base text, head text)."""
    path = f"{app}/migrations/0002_remove_{column}.py"
    shared = {f"{app}/__init__.py": "", f"{app}/migrations/0001_initial.py": _initial(app, models, column)}
    base = {**shared, **{p: b for p, (b, _) in files.items() if b is not None}}
    head = {
        **shared,
        **{p: h for p, (_, h) in files.items() if h is not None},
        path: _removal(app, models, column),
    }
    changed = [ChangedFile(path, "added", None, head[path])] + [
        ChangedFile(p, "added" if b is None else "removed" if h is None else "modified", b, h)
        for p, (b, h) in files.items()
        if b != h
    ]
    changeset = ChangeSet(
        base="base", head="head", files=tuple(changed), head_tree=MemoryTree(head), base_tree=MemoryTree(base)
    )
    return [f for f in review(changeset).active if f.rule == "column-dropped"]


HEADER = "from django.db import models\n\n\n"


@pytest.mark.parametrize(("app", "models", "mixin", "column"), NAMES)
def test_the_mixin_deleted_with_the_field_is_code_the_running_release_still_runs(
    app: str, models: tuple[str, ...], mixin: str, column: str
) -> None:
    after = HEADER + _models(models, "models.Model")
    for files in (
        # the mixin in the models' own file
        {f"{app}/models.py": (HEADER + _mixin(mixin, column) + _models(models, mixin), after)},
        # the mixin in a module of its own, deleted, which the models' file imported it from
        {
            f"{app}/models.py": (
                HEADER + f"from core.mixins import {mixin}\n\n\n" + _models(models, mixin),
                after,
            ),
            "core/mixins.py": (HEADER + _mixin(mixin, column), None),
            "core/__init__.py": ("", ""),
        },
    ):
        found = _dropped(app, models, column, files)
        assert len(found) == len(models)
        for finding in found:
            assert finding.severity is Severity.WARNING, finding.message
            assert "also removes the code that uses it" in finding.message, finding.message


@pytest.mark.parametrize(("app", "models", "mixin", "column"), NAMES)
def test_a_concrete_parent_is_no_mixin_and_code_kept_is_no_removal(
    app: str, models: tuple[str, ...], mixin: str, column: str
) -> None:
    """A concrete parent's field is a column of the parent's own table, not of its children's; and a mixin
    the change keeps (still inherited by another model) is no code the change deletes."""
    after = HEADER + _models(models, "models.Model")
    concrete = HEADER + _mixin(mixin, column, meta="") + _models(models, mixin)
    for finding in _dropped(app, models, column, {f"{app}/models.py": (concrete, after)}):
        assert finding.severity is Severity.INFO, finding.message
    kept = (
        HEADER
        + _mixin(mixin, column)
        + _models(models, "models.Model")
        + f"class Archive({mixin}):\n    pass\n"
    )
    for finding in _dropped(app, models, column, {f"{app}/models.py": (kept, kept)}):
        assert "also removes the code" not in finding.message, finding.message
