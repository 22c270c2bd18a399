"""column-dropped: a drop beside an add of the same type reads as a rename written as drop and add; the hint
names the framework's own way to rename."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

DJANGO_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="{model}",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("{old}", models.CharField(max_length=200)),
            ],
        )
    ]
"""
DJANGO_CHANGE = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]
    operations = [
        migrations.RemoveField(model_name="{lower}", name="{old}"),
        migrations.AddField(model_name="{lower}", name="{new}", field=models.CharField(max_length=200, null=True)),
    ]
"""
RAILS_CHANGE = """class Rename{model} < ActiveRecord::Migration[7.1]
  def change
    remove_column :{table}, :{old}, :string
    add_column :{table}, :{new}, :string
  end
end
"""


def _hint(result) -> str:  # type: ignore[no-untyped-def]
    (finding,) = [f for f in result.active if f.rule == "column-dropped"]
    return str(finding.message)


@pytest.mark.parametrize(
    ("model", "old", "new"), [("Author", "name", "full_name"), ("BookSeries", "title", "label")]
)
def test_django_hint_is_rename_field(model, old, new) -> None:  # type: ignore[no-untyped-def]
    lower = model.lower()
    result = review_sql(
        DJANGO_CHANGE.format(lower=lower, old=old, new=new),
        path="library/migrations/0002_change.py",
        base={"library/migrations/0001_initial.py": DJANGO_INITIAL.format(model=model, old=old)},
    )
    assert f'migrations.RenameField(model_name="{lower}", old_name="{old}", new_name="{new}")' in _hint(
        result
    )


@pytest.mark.parametrize(
    ("table", "old", "new"), [("authors", "name", "full_name"), ("series", "title", "label")]
)
def test_rails_hint_is_rename_column(table, old, new) -> None:  # type: ignore[no-untyped-def]
    result = review_sql(
        RAILS_CHANGE.format(model=table.capitalize(), table=table, old=old, new=new),
        path=f"db/migrate/20240102000000_rename_{table}.rb",
        base={"db/migrations/000.sql": f"CREATE TABLE {table} (id bigserial PRIMARY KEY, {old} varchar);"},
    )
    assert f"rename_column :{table}, :{old}, :{new}" in _hint(result)
    sql = review_sql(
        f"CREATE TABLE {table} (id bigserial PRIMARY KEY, {old} varchar);\n-- migration\n"
        f"ALTER TABLE {table} DROP COLUMN {old};\nALTER TABLE {table} ADD COLUMN {new} varchar;"
    )
    assert f"RENAME COLUMN {old} TO {new}" in _hint(sql)
