"""`data-lost-on-rollback` on a merge of values: an up that maps several old values to one (`WHERE status IN
('cancelled', 'refunded')`) and a down that writes one of them back to every merged row loses the others,
although the down writes the table. A down that restores one value the up renamed, or restores from a saved
copy, is quiet."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [
    {"t": "orders", "c": "status", "a": "cancelled", "b": "refunded", "to": "closed", "Model": "Order"},
    {"t": "tickets", "c": "state", "a": "wontfix", "b": "duplicate", "to": "rejected", "Model": "Ticket"},
]
SCHEMA = "CREATE TABLE {t} (id bigint PRIMARY KEY, {c} varchar(20) NOT NULL);\n"
UP = "UPDATE {t} SET {c} = '{to}' WHERE {c} IN ('{a}', '{b}') AND id >= 1 AND id < 1000"
UP_ONE = "UPDATE {t} SET {c} = '{to}' WHERE {c} = '{a}' AND id >= 1 AND id < 1000"
DOWN = "UPDATE {t} SET {c} = '{a}' WHERE {c} = '{to}' AND id >= 1 AND id < 1000"


def _goose(up: str, down: str) -> tuple[str, str]:
    return "db/migrations/002_merge.sql", f"-- +goose Up\n{up};\n-- +goose Down\n{down};\n"


def _rails(up: str, down: str) -> tuple[str, str]:
    return "db/migrate/20260101000000_merge.rb", (
        f'class Merge < ActiveRecord::Migration[7.1]\n  def up\n    execute "{up}"\n  end\n\n'
        f'  def down\n    execute "{down}"\n  end\nend\n'
    )


def _alembic(up: str, down: str) -> tuple[str, str]:
    return "alembic/versions/b2_merge.py", (
        'revision = "b2"\ndown_revision = "a1"\n\nfrom alembic import op\n\n\n'
        f'def upgrade():\n    op.execute("{up}")\n\n\ndef downgrade():\n    op.execute("{down}")\n'
    )


def _review(names: dict[str, str], framework, up: str, down: str) -> Review:  # type: ignore[no-untyped-def]
    path, text = framework(up.format(**names), down.format(**names))
    return review_sql(text, path=path, base={"db/structure.sql": SCHEMA.format(**names)})


def _merges(result: Review) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == "data-lost-on-rollback" and "merges" in f.message]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", [_goose, _rails, _alembic])
def test_a_merge_written_back_as_one_value(names, framework) -> None:  # type: ignore[no-untyped-def]
    [finding] = _merges(_review(names, framework, UP, DOWN))
    assert f"rows that held '{names['b']}' hold '{names['a']}'" in finding.message
    assert f"CREATE TABLE {names['t']}_{names['c']}_backup" in finding.fix
    assert not _merges(_review(names, framework, UP_ONE, DOWN))  # one value renamed: the down restores it


@pytest.mark.parametrize("names", NAMES)
def test_a_down_that_restores_from_a_saved_copy_is_quiet(names) -> None:  # type: ignore[no-untyped-def]
    up = "CREATE TABLE {t}_{c}_backup AS SELECT id, {c} FROM {t} WHERE {c} IN ('{a}', '{b}');\n" + UP
    down = "UPDATE {t} SET {c} = b.{c} FROM {t}_{c}_backup b WHERE b.id = {t}.id"
    assert not _merges(_review(names, _goose, up, down))


CASE_UP = (
    "UPDATE {t} SET {c} = CASE WHEN {c} IN ('{a}', '{b}') THEN '{to}' WHEN {c} = 'new' THEN 'open' "
    "ELSE {c} END WHERE id >= 1 AND id < 1000"
)
CASE_UP_SIMPLE = (
    "UPDATE {t} SET {c} = CASE {c} WHEN '{a}' THEN '{to}' WHEN '{b}' THEN '{to}' ELSE {c} END "
    "WHERE id >= 1 AND id < 1000"
)
CASE_RENAME = (
    "UPDATE {t} SET {c} = CASE {c} WHEN '{a}' THEN '{to}' WHEN '{b}' THEN 'other' ELSE {c} END "
    "WHERE id >= 1 AND id < 1000"
)
CASE_DOWN = (
    "UPDATE {t} SET {c} = CASE {c} WHEN '{to}' THEN '{a}' WHEN 'open' THEN 'new' WHEN 'other' THEN '{b}' "
    "ELSE {c} END WHERE id >= 1 AND id < 1000"
)


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", [_goose, _rails, _alembic])
@pytest.mark.parametrize("up", [CASE_UP, CASE_UP_SIMPLE])
@pytest.mark.parametrize("down", [CASE_DOWN, DOWN])
def test_a_case_that_merges_values_written_back_as_one(names, framework, up, down) -> None:  # type: ignore[no-untyped-def]
    [finding] = _merges(_review(names, framework, up, down))
    assert (
        f"CASE merges '{names['a']}', '{names['b']}' of `{names['t']}.{names['c']}` into '{names['to']}'"
        in (finding.message)
    )
    assert f"rows that held '{names['b']}' hold '{names['a']}'" in finding.message
    assert f"WHERE {names['c']} IN ('{names['a']}', '{names['b']}')" in finding.fix
    # each old value to its own new one, mapped back one by one: nothing is merged
    assert not _merges(_review(names, framework, CASE_RENAME, CASE_DOWN))


@pytest.mark.parametrize("names", NAMES)
def test_a_down_that_leaves_the_merged_value_keeps_every_row_merged(names) -> None:  # type: ignore[no-untyped-def]
    down = "UPDATE {t} SET {c} = CASE {c} WHEN 'open' THEN 'new' ELSE {c} END WHERE id >= 1 AND id < 1000"
    [finding] = _merges(_review(names, _goose, CASE_UP, down))
    assert f"does not map '{names['to']}' back" in finding.message
    assert f"rows that held '{names['a']}', '{names['b']}' hold '{names['to']}'" in finding.message


DJANGO_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="{Model}",
            fields=[("id", models.BigAutoField(primary_key=True)), ("{c}", models.CharField(max_length=20))],
            options={{"db_table": "{t}"}},
        ),
    ]
"""
DJANGO_MERGE = """from django.db import migrations
from django.db.models import Case, F, Value, When


def forwards(apps, schema_editor):
    {Model} = apps.get_model("shop", "{Model}")
    {Model}.objects.filter(id__gte=1, id__lt=1000).update(
        {c}=Case(When({c}__in=["{a}", "{b}"], then=Value("{to}")), default=F("{c}"))
    )


def backwards(apps, schema_editor):
    {Model} = apps.get_model("shop", "{Model}")
    {back}


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
"""


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    ("back", "merged"),
    [
        ('{Model}.objects.filter({c}="{to}", id__gte=1, id__lt=1000).update({c}="{a}")', True),
        (
            '{Model}.objects.filter(id__gte=1, id__lt=1000).update({c}=Case(When({c}="{to}", then=Value("{a}")), '
            'default=F("{c}")))',
            True,
        ),
        ("pass", False),  # writes nothing back: the overwrite itself is reported, not a merge
    ],
)
def test_django_case_when_merge(names, back, merged) -> None:  # type: ignore[no-untyped-def]
    text = DJANGO_MERGE.format(**names, back=back.format(**names))
    base = {"shop/migrations/0001_initial.py": DJANGO_INITIAL.format(**names)}
    result = review_sql(text, path="shop/migrations/0002_merge.py", base=base)
    assert bool(_merges(result)) is merged
    if merged:
        assert f"rows that held '{names['b']}' hold '{names['a']}'" in _merges(result)[0].message


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "down",
    [
        '{Model}.where({c}: "{to}").update_all({c}: "{a}")',
        "{Model}.update_all(\"{c} = CASE {c} WHEN '{to}' THEN '{a}' ELSE {c} END\")",
    ],
)
def test_rails_update_all_with_a_case_string(names, down) -> None:  # type: ignore[no-untyped-def]
    up = "{Model}.update_all(\"{c} = CASE WHEN {c} IN ('{a}', '{b}') THEN '{to}' ELSE {c} END\")"
    text = (
        "class Merge < ActiveRecord::Migration[7.1]\n"
        f"  def up\n    {up.format(**names)}\n  end\n\n  def down\n    {down.format(**names)}\n  end\nend\n"
    )
    result = review_sql(
        text, path="db/migrate/20260101000000_merge.rb", base={"db/structure.sql": SCHEMA.format(**names)}
    )
    [finding] = _merges(result)
    assert finding.location.line == 3
    assert f"rows that held '{names['b']}' hold '{names['a']}'" in finding.message
