"""Django's `exclude(field=None)` leaves out the rows whose field is NULL (`NOT (field IS NULL)`), unlike
`exclude(field=value)`, which keeps them (`NOT (field = value AND field IS NOT NULL)`): the rows a data change
reaches, and the validation queries that count them, follow it."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [
    {"app": "api", "model": "Ping", "table": "api_ping", "source": "body", "target": "body_raw"},
    {"app": "shop", "model": "Order", "table": "shop_order", "source": "note", "target": "note_text"},
]


def _initial(n: dict[str, str]) -> str:
    return (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n"
        f'    operations = [migrations.CreateModel(name="{n["model"]}", fields=[("id", models.BigAutoField('
        f'primary_key=True)), ("{n["source"]}", models.TextField(null=True, blank=True)), '
        f'("{n["target"]}", models.TextField(null=True))])]\n'
    )


def _move(n: dict[str, str], chain: str) -> str:
    return (
        "from django.db import migrations\n\n\ndef move(apps, schema_editor):\n"
        f'    {n["model"]} = apps.get_model("{n["app"]}", "{n["model"]}")\n'
        f'    {n["model"]}.objects{chain}.update({n["target"]}="moved")\n\n\n'
        "class Migration(migrations.Migration):\n"
        f'    dependencies = [("{n["app"]}", "0001_initial")]\n'
        "    operations = [migrations.RunPython(move, migrations.RunPython.noop)]\n"
    )


def _queries(n: dict[str, str], chain: str) -> list[str]:
    folder = f"{n['app']}/migrations"
    result = review_sql(
        _move(n, chain),
        path=f"{folder}/0002_move.py",
        base={f"{folder}/0001_initial.py": _initial(n), f"{folder}/__init__.py": ""},
        dialect="postgres",
    )
    return [q.sql for q in result.verification_queries if n["table"] in q.sql]


@pytest.mark.parametrize("n", NAMES)
def test_exclude_none_leaves_the_null_rows_out(n: dict[str, str]) -> None:
    column = n["source"]
    queries = _queries(n, f'.exclude({column}="").exclude({column}=None)')
    assert queries and all(f"NOT ({column} IS NULL)" in q for q in queries), queries
    assert not any(f"{column} IS NULL AND {column} IS NOT NULL" in q for q in queries), queries
    # a value other than None: the NULL rows stay in, as Django writes it
    kept = _queries(n, f'.exclude({column}="")')
    assert kept and all(f"NOT ({column} = '' AND {column} IS NOT NULL)" in q for q in kept), kept
