"""edit-discarded: a Django RunPython loop that takes an edited copy of a row's text as a statement
(`row.email.strip()`, `row.body.replace("\\x00", "")`) and drops it saves the row unchanged: Python's strings
never change in place."""

from __future__ import annotations

from typing import Any

import pytest

from .migration_set import findings

RULE = "edit-discarded"
NAMES = [
    {"app": "accounts", "model": "Profile", "table": "accounts_profile", "field": "email", "edit": "strip()"},
    {"app": "api", "model": "Ping", "table": "api_ping", "field": "body", "edit": 'replace("\\x00", "")'},
]


def _initial(n: dict[str, str], field_type: str) -> str:
    return (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n"
        f'    operations = [migrations.CreateModel(name="{n["model"]}", fields=[("id", models.BigAutoField('
        f'primary_key=True)), ("{n["field"]}", {field_type})])]\n'
    )


def _clean(n: dict[str, str], statement: str) -> str:
    return (
        "from django.db import migrations\n\n\ndef clean(apps, schema_editor):\n"
        f'    {n["model"]} = apps.get_model("{n["app"]}", "{n["model"]}")\n'
        f"    for row in {n['model']}.objects.exclude({n['field']}=None):\n"
        f"        {statement.format(**n)}\n        row.save()\n\n\n"
        "class Migration(migrations.Migration):\n"
        f'    dependencies = [("{n["app"]}", "0001_initial")]\n'
        "    operations = [migrations.RunPython(clean, migrations.RunPython.noop)]\n"
    )


def _found(n: dict[str, str], statement: str, field_type: str = "models.TextField(null=True)") -> list[Any]:
    folder = f"{n['app']}/migrations"
    base = {f"{folder}/__init__.py": "", f"{folder}/0001_initial.py": _initial(n, field_type)}
    return findings(base, {f"{folder}/0002_clean.py": _clean(n, statement)}, rule=RULE)


@pytest.mark.parametrize("n", NAMES)
def test_a_copy_dropped_in_a_loop_over_rows(n: dict[str, str]) -> None:
    (finding,) = _found(n, "row.{field}.{edit}")
    assert finding.location.line == 7 and f"`{n['table']}.{n['field']}`" in finding.message
    assert "the save at line 8" in finding.message and f"row.{n['field']} = row.{n['field']}." in finding.fix


@pytest.mark.parametrize("n", NAMES)
def test_a_copy_kept_or_a_column_of_no_text_is_quiet(n: dict[str, str]) -> None:
    assert not _found(n, "row.{field} = row.{field}.{edit}")
    assert not _found(n, "print(row.{field}.{edit})")
    assert not _found(n, "row.{field}.{edit}", field_type="models.JSONField(null=True)")
