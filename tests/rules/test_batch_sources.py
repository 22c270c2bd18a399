"""unbatched-data-change: a batch bounded by an UPDATE's derived table or by a CTE the WHERE picks rows from
is a batch; a LIMIT 1 lookup inside them is not. Django's `cursor.execute(sql, [BATCH])` is read with its
parameters as values the code fills in."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

SCHEMA = (
    "CREATE TABLE items (id bigint PRIMARY KEY, owner_id bigint, owner_copy bigint);\n"
    "CREATE TABLE owners (id bigint PRIMARY KEY, region text);\n-- migration\n"
)


def _unbatched(sql: str, **kw: object) -> list[object]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "unbatched-data-change"]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "batched",
    [
        "UPDATE items i SET owner_copy = t.owner_id FROM (SELECT id, owner_id FROM items WHERE owner_copy IS NULL "
        "LIMIT 1000) t WHERE i.id = t.id;",
        "WITH batch AS (SELECT id FROM items WHERE owner_copy IS NULL LIMIT 1000)\n"
        "UPDATE items SET owner_copy = owner_id WHERE id IN (SELECT id FROM batch);",
    ],
)
def test_a_limit_in_the_rows_source_bounds_the_statement(batched) -> None:  # type: ignore[no-untyped-def]
    assert not _unbatched(SCHEMA + batched)


@pytest.mark.parametrize(
    "whole",
    [
        "UPDATE items i SET owner_copy = t.owner_id FROM (SELECT items.id, o.id AS owner_id FROM items, "
        "LATERAL (SELECT id FROM owners WHERE owners.id = items.owner_id LIMIT 1) o) t WHERE i.id = t.id;",
        "WITH one AS (SELECT id FROM owners ORDER BY id LIMIT 1)\nUPDATE items SET owner_copy = one.id FROM one;",
    ],
)
def test_a_lookup_limited_to_one_row_bounds_nothing(whole) -> None:  # type: ignore[no-untyped-def]
    assert _unbatched(SCHEMA + whole)


@pytest.mark.parametrize(("app", "table"), [("shop", "items"), ("billing", "invoices")])
def test_django_cursor_execute_with_parameters_is_read(app, table) -> None:  # type: ignore[no-untyped-def]
    model = table[:-1].title()
    initial = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        "    initial = True\n    operations = [\n        migrations.CreateModel(\n"
        f'            name="{model}",\n            fields=[("id", models.BigAutoField(primary_key=True)), '
        '("copy", models.BigIntegerField(null=True)), ("source", models.BigIntegerField(null=True))],\n'
        "        )\n    ]\n"
    )
    data = (
        "from django.db import connection, migrations\n\nBATCH = 500\n\n\n"
        "def forwards(apps, schema_editor):\n    with connection.cursor() as cursor:\n"
        "        cursor.execute(\n"
        f'            "UPDATE {app}_{table[:-1]} t SET copy = s.source FROM (SELECT id, source FROM {app}_{table[:-1]} '
        'WHERE copy IS NULL LIMIT %s) s WHERE t.id = s.id",\n'
        "            [BATCH],\n        )\n\n\n"
        "class Migration(migrations.Migration):\n"
        f'    dependencies = [("{app}", "0001_initial")]\n'
        "    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n"
    )
    result = review_sql(
        data, path=f"{app}/migrations/0002_copy.py", base={f"{app}/migrations/0001_initial.py": initial}
    )
    rules = {f.rule for f in result.active}
    assert "unparsed-statement" not in rules and "unbatched-data-change" not in rules, rules
