"""A data change is written as a unit of code (a Django `RunPython` function, a Rails `def up`): when its down
migration restores nothing, the review says so once for the unit, naming every table and column it changes,
and the rollback plan still saves each table before the deploy."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [
    {"app": "builder", "models": ("Heading", "Button", "Link"), "column": "styles", "key": "alignment"},
    {"app": "shop", "models": ("Order", "Invoice", "Refund"), "column": "meta", "key": "currency"},
]

INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
{models}    ]
"""
MODEL = """        migrations.CreateModel(
            name="{model}",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("{column}", models.JSONField(default=dict)),
                ("{key}", models.CharField(max_length=20, default="left")),
            ],
        ),
"""


def _initial(names: dict) -> str:  # type: ignore[type-arg]
    return INITIAL.format(
        models="".join(
            MODEL.format(model=m, column=names["column"], key=names["key"]) for m in names["models"]
        )
    )


def _function(name: str, names: dict, restore: bool = False) -> str:  # type: ignore[type-arg]
    """Three models changed three ways: a dict written through a subscript of the row's attribute, a dict
    changed by a method of the attribute, the rows collected in a list rebuilt for each model and written by
    `bulk_update`; and an `update()` of the third."""
    first, second, third = names["models"]
    column, key = names["column"], names["key"]
    value = "{}" if restore else '{"moved": True}'
    return f'''def {name}(apps, schema_editor):
    {first} = apps.get_model("{names["app"]}", "{first}")
    {second} = apps.get_model("{names["app"]}", "{second}")
    {third} = apps.get_model("{names["app"]}", "{third}")
    rows = []
    for row in {first}.objects.all():
        if row.{key} != "left":
            row.{column}.setdefault("typography", {{}})["{key}"] = row.{key}
            rows.append(row)
    {first}.objects.bulk_update(rows, ["{column}"], batch_size=100)

    rows = []
    for row in {second}.objects.all():
        if "button" not in row.{column}:
            row.{column}["button"] = {{}}
        rows.append(row)
    {second}.objects.bulk_update(rows, ["{column}"], batch_size=100)

    {third}.objects.filter(id__gte=1, id__lt=1000, {key}="right").update({column}={value})


'''


def _migration(names: dict, *, reverse: bool, functions: int = 1) -> str:  # type: ignore[type-arg]
    body = "from django.db import migrations\n\n\n"
    ops = []
    for n in range(functions):
        body += _function(f"move_{names['column']}_{n}", names)
        back = "migrations.RunPython.noop"
        if reverse:
            body += _function(f"restore_{names['column']}_{n}", names, restore=True)
            back = f"restore_{names['column']}_{n}"
        ops.append(f"migrations.RunPython(move_{names['column']}_{n}, {back})")
    return (
        body
        + "class Migration(migrations.Migration):\n"
        + f'    dependencies = [("{names["app"]}", "0001_initial")]\n'
        + f"    operations = [{', '.join(ops)}]\n"
    )


def _review(names: dict, **kwargs: object) -> Review:  # type: ignore[type-arg]
    app = names["app"]
    return review_sql(
        _migration(names, **kwargs),  # type: ignore[arg-type]
        path=f"{app}/migrations/0002_move.py",
        base={f"{app}/migrations/0001_initial.py": _initial(names)},
    )


def _lost(result: Review) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == "data-lost-on-rollback"]


@pytest.mark.parametrize("names", NAMES)
def test_one_finding_per_function_naming_every_table(names: dict) -> None:  # type: ignore[type-arg]
    result = _review(names, reverse=False)
    lost = _lost(result)
    assert len(lost) == 1, [f.message for f in lost]
    tables = [f"{names['app']}_{m.lower()}" for m in names["models"]]
    message = lost[0].message
    assert f"`move_{names['column']}_0`" in message
    for table in tables:
        assert f"`{table}.{names['column']}`" in message, message
        assert f"`{table}`" in lost[0].blast_radius
    saves = [s.command for s in result.rollback_plan if s.text.startswith("Before deploying")]
    for table in tables:  # one snapshot per table, each keeping the column the change overwrites
        assert any(f"FROM {table}" in c and names["column"] in c for c in saves), (table, saves)


@pytest.mark.parametrize("names", NAMES)
def test_one_finding_for_each_function(names: dict) -> None:  # type: ignore[type-arg]
    lost = _lost(_review(names, reverse=False, functions=2))
    assert len(lost) == 2, [f.message for f in lost]
    for n, finding in enumerate(lost):
        assert f"`move_{names['column']}_{n}`" in finding.message


@pytest.mark.parametrize("names", NAMES)
def test_a_reverse_function_that_writes_the_tables_back(names: dict) -> None:  # type: ignore[type-arg]
    assert not _lost(_review(names, reverse=True))


RAILS = """class MoveData < ActiveRecord::Migration[7.1]
  class {first} < ActiveRecord::Base
    self.table_name = '{t1}'
  end

  class {second} < ActiveRecord::Base
    self.table_name = '{t2}'
  end

  def up
    {first}.where(id: 1...1000, {column}: 'active').update_all({column}: 'archived')
    {second}.where(id: 1...1000).delete_all
  end

  def down
{back}  end
end
"""


@pytest.mark.parametrize("names", NAMES)
def test_a_rails_up_method_is_one_unit(names: dict) -> None:  # type: ignore[type-arg]
    first, second, _ = names["models"]
    t1, t2 = f"{first.lower()}s", f"{second.lower()}s"
    schema = (
        f"CREATE TABLE {t1} (id bigint PRIMARY KEY, {names['key']} varchar(20));\n"
        f"CREATE TABLE {t2} (id bigint PRIMARY KEY, {names['key']} varchar(20));\n"
    )

    def result(back: str) -> Review:
        text = RAILS.format(first=first, second=second, t1=t1, t2=t2, column=names["key"], back=back)
        return review_sql(
            text, path="db/migrate/20260101000000_move_data.rb", base={"db/structure.sql": schema}
        )

    lost = _lost(result("    say 'nothing to do'\n"))
    assert len(lost) == 1, [f.message for f in lost]
    assert f"`{t1}.{names['key']}` overwritten" in lost[0].message
    assert f"rows of `{t2}` deleted" in lost[0].message
    restored = (
        f"    execute \"UPDATE {t1} SET {names['key']} = 'left' WHERE id >= 1 AND id < 1000\"\n"
        f'    execute "INSERT INTO {t2} (id) SELECT id FROM {t1} WHERE id >= 1 AND id < 1000"\n'
    )
    assert not _lost(result(restored))
