"""The data rules of each framework's own forms, not only SQL: a bad and a good variant per framework, with
several table and column names (swapped values written through the ORM, lossy type changes written as each
framework writes a type change)."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql
from tests.rules.test_data_expressions import FRAMEWORKS

NAMES = [
    {
        "table": "users",
        "model": "User",
        "app": "accounts",
        "on": "is_visible",
        "off": "is_hidden",
        "text": "zip",
    },
    {
        "table": "posts",
        "model": "Post",
        "app": "blog",
        "on": "is_enabled",
        "off": "is_disabled",
        "text": "code",
    },
]
SCHEMA = "CREATE TABLE {table} (id bigint PRIMARY KEY, {on} boolean, {off} boolean, {text} varchar(40));\n"


def _rules(result: Review, rule: str) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == rule]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_swapped_flag_in_sql_of_every_framework(names: dict[str, str], framework) -> None:  # type: ignore[no-untyped-def]
    def review(sql: str) -> Review:
        path, text = framework(sql.format(**names))
        return review_sql(text, path=path, base={"db/structure.sql": SCHEMA.format(**names)})

    bad = "UPDATE {table} SET {on} = {off} WHERE id >= 1 AND id < 1000;"
    assert _rules(review(bad), "swapped-values")
    assert not _rules(review(bad.replace("= {off}", "= NOT {off}")), "swapped-values")


def _django_orm(names: dict[str, str], value: str) -> tuple[str, str, dict[str, str]]:
    initial = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        "    initial = True\n    dependencies = []\n    operations = [\n        migrations.CreateModel(\n"
        f"            name='{names['model']}',\n            fields=[\n"
        "                ('id', models.BigAutoField(primary_key=True, serialize=False)),\n"
        f"                ('{names['on']}', models.BooleanField(null=True)),\n"
        f"                ('{names['off']}', models.BooleanField(null=True)),\n"
        f"                ('{names['text']}', models.CharField(max_length=40)),\n            ],\n        ),\n    ]\n"
    )
    text = (
        "from django.db import migrations\nfrom django.db.models import F\n\n\n"
        "def forwards(apps, schema_editor):\n"
        f"    {names['model']} = apps.get_model('{names['app']}', '{names['model']}')\n"
        f"    {names['model']}.objects.filter(id__lt=1000).update({names['on']}={value})\n\n\n"
        "class Migration(migrations.Migration):\n"
        f"    dependencies = [('{names['app']}', '0001_initial')]\n"
        "    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n"
    )
    return (
        f"{names['app']}/migrations/0002_flags.py",
        text,
        {f"{names['app']}/migrations/0001_initial.py": initial},
    )


@pytest.mark.parametrize("names", NAMES)
def test_swapped_flag_through_the_django_orm(names: dict[str, str]) -> None:
    path, text, base = _django_orm(names, f"F('{names['off']}')")
    assert _rules(review_sql(text, path=path, base=base), "swapped-values")
    path, text, base = _django_orm(names, f"F('{names['on']}')")
    assert not _rules(review_sql(text, path=path, base=base), "swapped-values")


def _rails_orm(names: dict[str, str], assignment: str) -> str:
    return (
        "class FixFlags < ActiveRecord::Migration[7.1]\n  def up\n"
        f"    {names['model']}.where('id < 1000').update_all('{assignment}')\n  end\n\n  def down\n  end\nend\n"
    )


@pytest.mark.parametrize("names", NAMES)
def test_swapped_flag_through_rails_update_all(names: dict[str, str]) -> None:
    base = {"db/structure.sql": SCHEMA.format(**names)}
    path = "db/migrate/20260101000000_fix_flags.rb"
    bad = _rails_orm(names, f"{names['on']} = {names['off']}")
    assert _rules(review_sql(bad, path=path, base=base), "swapped-values")
    good = _rails_orm(names, f"{names['on']} = NOT {names['off']}")
    assert not _rules(review_sql(good, path=path, base=base), "swapped-values")


LOSSY = {
    "rails": (
        "db/migrate/20260101000000_change_{text}.rb",
        "class Change{Text} < ActiveRecord::Migration[7.1]\n  def up\n    change_column :{table}, :{text}, :{type}\n"
        "  end\n\n  def down\n    change_column :{table}, :{text}, :string, limit: 40\n  end\nend\n",
        {"narrow": "integer", "wide": "text"},
    ),
    "alembic": (
        "alembic/versions/b2_change_{text}.py",
        'revision = "b2"\ndown_revision = "a1"\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n'
        'def upgrade():\n    op.alter_column("{table}", "{text}", type_=sa.{type}, existing_type=sa.String(40))\n\n\n'
        'def downgrade():\n    op.alter_column("{table}", "{text}", type_=sa.String(40))\n',
        {"narrow": "Integer", "wide": "Text"},
    ),
    "sql": (
        "db/migrations/002_change_{text}.sql",
        "-- +goose Up\nALTER TABLE {table} ALTER COLUMN {text} TYPE {type} USING {text}::{type};\n"
        "-- +goose Down\nALTER TABLE {table} ALTER COLUMN {text} TYPE varchar(40);\n",
        {"narrow": "integer", "wide": "text"},
    ),
}


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", sorted(LOSSY))
def test_lossy_type_change_in_every_framework(names: dict[str, str], framework: str) -> None:
    path, template, types = LOSSY[framework]
    base = {"db/structure.sql": SCHEMA.format(**names)}

    def review(kind: str) -> Review:
        text = template.format(**names, Text=names["text"].title(), type=types[kind])
        return review_sql(text, path=path.format(**names), base=base)

    found = _rules(review("narrow"), "lossy-type-change")
    assert found and f"`{names['table']}.{names['text']}`" in found[0].message
    assert not _rules(review("wide"), "lossy-type-change")


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(("field", "lossy"), [("IntegerField()", True), ("TextField()", False)])
def test_lossy_type_change_of_a_django_field(names: dict[str, str], field: str, lossy: bool) -> None:
    _, _, base = _django_orm(names, "True")
    text = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        f"    dependencies = [('{names['app']}', '0001_initial')]\n    operations = [\n"
        f"        migrations.AlterField(model_name='{names['model'].lower()}', name='{names['text']}',"
        f" field=models.{field}),\n    ]\n"
    )
    result = review_sql(text, path=f"{names['app']}/migrations/0002_alter.py", base=base)
    found = _rules(result, "lossy-type-change")
    assert bool(found) is lossy
    if lossy:
        assert f".{names['text']}`" in found[0].message


MISNAMED = [
    {
        "table": "payments",
        "model": "Payment",
        "app": "billing",
        "new": "payment_method",
        "meant": "method",
        "other": "status",
    },
    {
        "table": "tickets",
        "model": "Ticket",
        "app": "support",
        "new": "ticket_priority",
        "meant": "priority",
        "other": "status",
    },
]
MISNAMED_SCHEMA = (
    "CREATE TABLE {table} (id bigint PRIMARY KEY, {meant} varchar(20), {other} varchar(20), {new} varchar(20),"
    " username varchar(20), display_name varchar(20), name varchar(20));\n"
)


@pytest.mark.parametrize("names", MISNAMED)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_column_filled_from_one_its_name_does_not_point_to(names: dict[str, str], framework) -> None:  # type: ignore[no-untyped-def]
    """`payment_method ← status` while `payments.method` exists: the values of the wrong column are copied."""

    def found(sql: str) -> list:  # type: ignore[type-arg]
        path, text = framework(sql.format(**names))
        return _rules(
            review_sql(text, path=path, base={"db/structure.sql": MISNAMED_SCHEMA.format(**names)}),
            "swapped-values",
        )

    [bad] = found("UPDATE {table} SET {new} = {other} WHERE id >= 1 AND id < 1000;")
    assert bad.severity.value == "warning" and f"`{names['table']}.{names['meant']}`" in bad.message
    assert not found("UPDATE {table} SET {new} = {meant} WHERE id >= 1 AND id < 1000;")
    # a source that shares a word with the target, or a target no other column's name matches, is no sign
    assert not found("UPDATE {table} SET display_name = username WHERE id >= 1 AND id < 1000;")
    assert not found("UPDATE {table} SET {other} = {meant} WHERE id >= 1 AND id < 1000;")


@pytest.mark.parametrize("names", MISNAMED[:1])
def test_a_column_filled_from_one_its_name_does_not_point_to_through_rails_update_all(
    names: dict[str, str],
) -> None:
    base = {"db/structure.sql": MISNAMED_SCHEMA.format(**names)}
    path = "db/migrate/20260101000000_backfill.rb"

    def text(source: str) -> str:
        return (
            "class Backfill < ActiveRecord::Migration[7.1]\n  def up\n"
            f"    {names['model']}.where('id < 1000').update_all('{names['new']} = {source}')\n  end\n\n"
            "  def down\n  end\nend\n"
        )

    assert _rules(review_sql(text(names["other"]), path=path, base=base), "swapped-values")
    assert not _rules(review_sql(text(names["meant"]), path=path, base=base), "swapped-values")
