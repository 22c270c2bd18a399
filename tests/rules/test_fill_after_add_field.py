"""Django writes a new field and its fill as two migrations (AddField, then a RunPython with
`RunPython.noop` as its reverse) that ship together. Linted as a history, each file is its own change, but
the fill writes a column the migration before it in the app added: until then it held its default only, so
rolling the fill back loses nothing. A RunPython that overwrites a column an older migration added still
loses data on the way back (healthchecks' 0036_fill_profile_reports, 0088_fill_kw)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_lint_cli import lint_json, write

NAMES = [("shop", "Order", "status", "legacy"), ("billing", "Invoice", "phase", "old_state")]
INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="{model}",
            fields=[("id", models.BigAutoField(primary_key=True)), ("{old}", models.TextField(null=True))],
        )
    ]
"""
ADD = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.AddField("{lower}", "{column}", models.TextField(default=""))]
"""
FILL = """from django.db import migrations


def fill(apps, schema_editor):
    {model} = apps.get_model("{app}", "{model}")
    {model}.objects.filter({old}="a").update({column}="active")


class Migration(migrations.Migration):
    dependencies = [("{app}", "{previous}")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
"""


def _lost(tmp_path: Path, app: str, model: str, column: str, old: str, *, target: str) -> list[str]:
    names = {"app": app, "model": model, "lower": model.lower(), "column": target, "old": old}
    write(
        tmp_path,
        {
            f"{app}/migrations/0001_initial.py": INITIAL.format(**names),
            f"{app}/migrations/0002_add_{column}.py": ADD.format(**{**names, "column": column}),
            f"{app}/migrations/0003_fill.py": FILL.format(**names, previous=f"0002_add_{column}"),
        },
    )
    report = lint_json(str(tmp_path / app))
    return [f["message"] for f in report["findings"] if f["rule"] == "data-lost-on-rollback"]


@pytest.mark.parametrize(("app", "model", "column", "old"), NAMES)
def test_a_fill_of_the_field_just_added_loses_nothing(
    tmp_path: Path, app: str, model: str, column: str, old: str
) -> None:
    assert not _lost(tmp_path, app, model, column, old, target=column)


@pytest.mark.parametrize(("app", "model", "column", "old"), NAMES)
def test_an_overwrite_of_an_older_field_is_lost(
    tmp_path: Path, app: str, model: str, column: str, old: str
) -> None:
    (lost,) = _lost(tmp_path, app, model, column, old, target=old)
    assert f"{app}_{model.lower()}.{old}" in lost
