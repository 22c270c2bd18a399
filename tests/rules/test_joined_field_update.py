"""A Django `update()` whose value reads a field across a relation (`F("customer__name")`) fails with
FieldError when the migration runs: a critical finding at its line, with the sub-query or batched loop to
write instead. A sub-query, a loop with `bulk_update`, and an `F()` of the model's own field are fine."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql

RULE = "joined-field-update"
NAMES = [
    ("shop", "Order", "Customer", "customer", "name"),
    ("library", "Loan", "Member", "borrower", "email"),
]
MIGRATION = """from django.db import migrations
from django.db.models import F, OuterRef, Subquery


def forwards(apps, schema_editor):
    {Child} = apps.get_model("{app}", "{Child}")
    {Parent} = apps.get_model("{app}", "{Parent}")
{body}


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""
INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="{Parent}",
            fields=[("id", models.BigAutoField(primary_key=True)), ("{value}", models.TextField())],
        ),
        migrations.CreateModel(
            name="{Child}",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("{key}", models.ForeignKey(on_delete=models.CASCADE, to="{app}.{parent}")),
                ("{key}_{value}", models.TextField(null=True)),
            ],
        ),
    ]
"""


def _found(result) -> list[Finding]:  # type: ignore[no-untyped-def]
    return [f for f in result.active if f.rule == RULE]


def _review(names: tuple[str, ...], body: str):  # type: ignore[no-untyped-def]
    app, child, parent, key, value = names
    words = {
        "app": app,
        "Child": child,
        "Parent": parent,
        "parent": parent.lower(),
        "key": key,
        "value": value,
    }
    base = {f"{app}/migrations/0001_initial.py": INITIAL.format(**words)}
    text = MIGRATION.format(body=body.format(**words), **words)
    return review_sql(text, path=f"{app}/migrations/0002_copy.py", base=base)


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "body",
    [
        "    {Child}.objects.update({key}_{value}=F('{key}__{value}'))",
        "    {Child}.objects.filter({key}_{value}__isnull=True).update(\n        {key}_{value}=F('{key}__{value}'),\n    )",
    ],
    ids=["one-line", "filtered"],
)
def test_a_joined_reference_fails_the_migration(names: tuple[str, ...], body: str) -> None:
    app, child, _, key, value = names
    result = _review(names, body)
    found = _found(result)
    assert len(found) == 1 and found[0].severity is Severity.CRITICAL
    assert f'`update({key}_{value}=F("{key}__{value}"))` on `{app}_{child.lower()}`' in found[0].message
    assert "FieldError" in found[0].message and found[0].line == 8
    assert "Subquery" in found[0].fix and "bulk_update" in found[0].fix and "OuterRef" in found[0].fix
    assert result.approval == "BLOCKED" and not [f for f in result.active if f.rule == "unparsed-statement"]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "body",
    [
        "    name = {Parent}.objects.filter(pk=OuterRef('{key}_id')).values('{value}')[:1]\n"
        "    {Child}.objects.update({key}_{value}=Subquery(name))",
        "    rows = []\n    for row in {Child}.objects.select_related('{key}').iterator(chunk_size=500):\n"
        "        row.{key}_{value} = row.{key}.{value}\n        rows.append(row)\n"
        "    {Child}.objects.bulk_update(rows, ['{key}_{value}'], batch_size=500)",
        "    {Child}.objects.update({key}_{value}=F('{key}_{value}'))",
    ],
    ids=["subquery", "bulk-update", "own-field"],
)
def test_subqueries_loops_and_own_fields_are_fine(names: tuple[str, ...], body: str) -> None:
    assert not _found(_review(names, body))
