"""Django multi-table inheritance: a child model's parent fields live in the parent's table. A data migration
that updates them through the child (`HeadingElement.objects.update(styles=…)`) writes the parent's table,
for the child's rows; the review names that table and column, and its rollback plan saves them once
however many children write the same column."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [
    {
        "app": "builder",
        "parent": "Element",
        "children": ("HeadingElement", "ButtonElement"),
        "shared": "styles",
        "own": "level",
    },
    {"app": "catalog", "parent": "Product", "children": ("Book", "Album"), "shared": "meta", "own": "pages"},
]

INITIAL = """from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="{parent}",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("{shared}", models.JSONField(default=dict)),
            ],
        ),
{children}    ]
"""
CHILD = """        migrations.CreateModel(
            name="{child}",
            fields=[
                (
                    "{parent_lower}_ptr",
                    models.OneToOneField(
                        auto_created=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        parent_link=True,
                        primary_key=True,
                        serialize=False,
                        to="{app}.{parent_lower}",
                    ),
                ),
                ("{own}", models.IntegerField(null=True)),
            ],
            bases=("{app}.{parent_lower}",),
        ),
"""
CHANGE = """from django.db import migrations


def forwards(apps, schema_editor):
{body}

class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""


def _review(names: dict, body: str) -> Review:  # type: ignore[type-arg]
    parent_lower = names["parent"].lower()
    children = "".join(
        CHILD.format(child=c, parent_lower=parent_lower, app=names["app"], own=names["own"])
        for c in names["children"]
    )
    initial = INITIAL.format(parent=names["parent"], shared=names["shared"], children=children)
    return review_sql(
        CHANGE.format(body=body, app=names["app"]),
        path=f"{names['app']}/migrations/0002_change.py",
        base={f"{names['app']}/migrations/0001_initial.py": initial},
    )


def _get(names: dict, child: str) -> str:  # type: ignore[type-arg]
    return f'    {child} = apps.get_model("{names["app"]}", "{child}")\n'


def _lost(result: Review) -> list:  # type: ignore[type-arg]
    """What the review says the rollback loses (every-row-overwritten speaks for an overwrite of every row)."""
    return [
        f
        for f in result.active
        if f.rule == "data-lost-on-rollback"
        or (f.rule == "every-row-overwritten" and "does not restore them" in f.message)
    ]


@pytest.mark.parametrize("names", NAMES)
def test_a_parent_field_updated_through_the_child(names: dict) -> None:  # type: ignore[type-arg]
    first, second = names["children"]
    body = _get(names, first) + _get(names, second)
    body += f'    {first}.objects.update({names["shared"]}={{"a": 1}})\n'
    body += f"    rows = []\n    for row in {second}.objects.all():\n"
    body += f'        row.{names["shared"]}["b"] = 2\n        rows.append(row)\n'
    body += f'    {second}.objects.bulk_update(rows, ["{names["shared"]}"], batch_size=100)\n'
    result = _review(names, body)
    parent_table = f"{names['app']}_{names['parent'].lower()}"
    lost = _lost(result)
    assert len(lost) == 1 and f"`{parent_table}.{names['shared']}` overwritten (lines " in lost[0].message, (
        lost
    )
    saves = [s.command or "" for s in result.rollback_plan if s.text.startswith("Before deploying")]
    assert saves == [
        f"CREATE TABLE {parent_table}_{names['shared']}_backup AS SELECT id, {names['shared']} FROM {parent_table};"
    ], saves
    for child in (first, second):
        assert f"{names['app']}_{child.lower()}.{names['shared']}" not in lost[0].message


@pytest.mark.parametrize("names", NAMES)
def test_the_child_own_field_and_a_parent_field(names: dict) -> None:  # type: ignore[type-arg]
    """One update setting both: Django sends one UPDATE per table; each is named with its own table, the
    parent's limited to the child's rows."""
    first, _ = names["children"]
    child_table = f"{names['app']}_{first.lower()}"
    parent_table = f"{names['app']}_{names['parent'].lower()}"
    body = (
        _get(names, first)
        + f"    {first}.objects.filter({names['own']}__gt=3).update({names['own']}=1, {names['shared']}={{}})\n"
    )
    result = _review(names, body)
    lost = _lost(result)
    assert len(lost) == 1, lost
    assert (
        f"`{child_table}.{names['own']}`" in lost[0].message
        and f"`{parent_table}.{names['shared']}`" in lost[0].message
    )
    saves = [s.command or "" for s in result.rollback_plan if s.text.startswith("Before deploying")]
    assert any(
        f"FROM {parent_table} WHERE id IN (SELECT {names['parent'].lower()}_ptr_id FROM {child_table} WHERE {names['own']} > 3)"
        in c
        for c in saves
    ), saves


@pytest.mark.parametrize("names", NAMES)
def test_a_child_own_field_stays_in_the_child_table(names: dict) -> None:  # type: ignore[type-arg]
    first, _ = names["children"]
    result = _review(names, _get(names, first) + f"    {first}.objects.update({names['own']}=1)\n")
    lost = _lost(result)
    assert len(lost) == 1 and f"`{names['app']}_{first.lower()}.{names['own']}`" in lost[0].message, lost
