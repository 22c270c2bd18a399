"""unbatched-data-change: a Django `RunPython` that loops over a queryset and writes each row inside the
transaction of an atomic migration commits no row before the migration ends."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

RULE = "unbatched-data-change"
NAMES = [
    {"app": "api", "model": "Check", "table": "api_check", "column": "badge_key", "other": "name"},
    {
        "app": "billing",
        "model": "Invoice",
        "table": "billing_invoice",
        "column": "reference",
        "other": "note",
    },
]


def _initial(n: dict[str, str]) -> str:
    return (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n"
        f'    operations = [migrations.CreateModel(name="{n["model"]}", fields=[("id", models.BigAutoField('
        f'primary_key=True)), ("{n["column"]}", models.CharField(max_length=64, null=True)), '
        f'("{n["other"]}", models.CharField(max_length=64, null=True))])]\n'
    )


# each pass writes its row: one statement per row
EACH = [
    "    for row in {model}.objects.filter({column}=None):\n"
    "        row.{column} = uuid.uuid4().hex\n        row.save(update_fields=['{column}'])\n",
    "    for row in {model}.objects.exclude({other}=None):\n"
    "        {model}.objects.filter(id=row.id).update({column}=row.{other}.upper())\n",
]
# the rows collected and written together, or one statement for all of them
TOGETHER = [
    "    rows = []\n    for row in {model}.objects.filter({column}=None):\n"
    "        row.{column} = uuid.uuid4().hex\n        rows.append(row)\n"
    "    {model}.objects.bulk_update(rows, ['{column}'], batch_size=1000)\n",
    "    {model}.objects.filter({column}=None).update({column}='x')\n",
]


def _fill(n: dict[str, str], body: str, atomic: bool = True) -> str:
    flag = "" if atomic else "    atomic = False\n"
    return (
        "import uuid\n\nfrom django.db import migrations\n\n\ndef fill(apps, schema_editor):\n"
        f'    {n["model"]} = apps.get_model("{n["app"]}", "{n["model"]}")\n'
        + body.format(**n)
        + "\n\nclass Migration(migrations.Migration):\n"
        + flag
        + f'    dependencies = [("{n["app"]}", "0001_initial")]\n'
        "    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]\n"
    )


def _findings(n: dict[str, str], text: str) -> list[Any]:
    folder = f"{n['app']}/migrations"
    result = review_sql(
        text,
        path=f"{folder}/0002_fill.py",
        base={f"{folder}/0001_initial.py": _initial(n), f"{folder}/__init__.py": ""},
        dialect="postgres",
    )
    return [f for f in result.active if f.rule == RULE]


@pytest.mark.parametrize("n", NAMES)
@pytest.mark.parametrize("body", EACH)
def test_a_loop_that_writes_each_row_inside_the_migrations_transaction(n: dict[str, str], body: str) -> None:
    (finding,) = _findings(n, _fill(n, body))
    assert finding.severity.value == "warning"
    assert f"`UPDATE {n['table']}` runs once for each row of `{n['model']}.objects" in finding.message
    assert "inside the transaction Django runs the migration in" in finding.message
    assert "atomic = False" in finding.fix
    # a migration with `atomic = False`: each row's statement commits on its own
    assert not _findings(n, _fill(n, body, atomic=False))


@pytest.mark.parametrize("n", NAMES)
@pytest.mark.parametrize("body", TOGETHER)
def test_rows_written_together_are_not_a_row_by_row_loop(n: dict[str, str], body: str) -> None:
    assert not any("for each row" in f.message for f in _findings(n, _fill(n, body)))
