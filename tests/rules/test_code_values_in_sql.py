"""A value a Rails migration computes in Ruby (`where(state: legacy)`, `update_all(plan: next_plan)`, a range
`first_id...last_id`) is unknown to the review: it is said as such ("…"), and no generated statement (the
rollback plan's, the validation queries) carries the Ruby name as if it were a column. A literal is used as
it is written."""

from __future__ import annotations

import re

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [("User", "users", "state", "legacy_states"), ("Ticket", "tickets", "stage", "stale_stage")]
MIGRATION = """class MoveRows < ActiveRecord::Migration[7.1]
  class {model} < ActiveRecord::Base
  end

  def up
    {model}.where({column}: {value}).update_all(plan: {plan})
  end

  def down
  end
end
"""


def _review(model: str, table: str, column: str, value: str, plan: str) -> Review:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(20), plan varchar(20));\n"
    text = MIGRATION.format(model=model, column=column, value=value, plan=plan)
    return review_sql(text, path="db/migrate/20260101000000_move_rows.rb", base={"db/structure.sql": schema})


def _generated(result: Review) -> list[str]:
    return [s.command or "" for s in result.rollback_plan] + [q.sql for q in result.verification_queries]


@pytest.mark.parametrize(("model", "table", "column", "local"), NAMES)
def test_a_ruby_value_is_unknown_not_pasted(model: str, table: str, column: str, local: str) -> None:
    result = _review(model, table, column, local, "next_plan")
    for text in _generated(result):
        assert not re.search(rf"\b({local}|next_plan|interp_value)\b", text), text
    for finding in result.active:  # the code may be quoted as code, never rendered as SQL
        assert f"{column} = {local}" not in finding.message and "interp_value" not in finding.message
    unbatched = [f for f in result.active if f.rule == "unbatched-data-change"]
    assert unbatched and f"`{column} = …`" in unbatched[0].message, [f.message for f in unbatched]


@pytest.mark.parametrize(("model", "table", "column", "local"), NAMES)
def test_a_literal_is_used_as_written(model: str, table: str, column: str, local: str) -> None:
    result = _review(model, table, column, "'archived'", "'free'")
    saves = [s.command or "" for s in result.rollback_plan if s.text.startswith("Before deploying")]
    assert any(f"WHERE {column} = 'archived'" in c for c in saves), saves


PER_PASS = """class MergeRows < ActiveRecord::Migration[7.1]
  class {model} < ActiveRecord::Base
  end

  def up
    duplicates.{iteration} do |key, rows|
      {model}.where({column}: {value}).update_all(plan: 'merged')
    end
  end

  def down
  end
end
"""


@pytest.mark.parametrize("iteration", ["each", "map"])
@pytest.mark.parametrize(("model", "table", "column", "local"), NAMES)
def test_a_change_per_pass_of_an_iteration(
    model: str, table: str, column: str, local: str, iteration: str
) -> None:
    """Rows chosen by a value each pass computes: each statement changes that pass's rows, not the table.
    The same statement with a literal condition changes every matching row on each pass."""
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(20), plan varchar(20));\n"

    def unbatched(value: str) -> list[str]:
        text = PER_PASS.format(model=model, column=column, value=value, iteration=iteration)
        result = review_sql(
            text, path="db/migrate/20260101000000_merge_rows.rb", base={"db/structure.sql": schema}
        )
        return [f.message for f in result.active if f.rule == "unbatched-data-change"]

    assert not unbatched("rows.map(&:id)")
    assert unbatched("'stale'")


DJANGO_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="{model}",
            fields=[("id", models.BigAutoField(primary_key=True)), ("{column}", models.CharField(max_length=20, null=True))],
            options={{"db_table": "{table}"}},
        ),
    ]
"""
DJANGO = """from django.db import migrations


def forwards(apps, schema_editor):
    {model} = apps.get_model("shop", "{model}")
    {local} = set()
    for row in {model}.objects.filter(id__gte=1, id__lt=1000).iterator():
        {local}.update([row.id])
    {model}.objects.filter({column}={value}, id__in={local}).update({column}="merged")


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""


@pytest.mark.parametrize(("model", "table", "column", "local"), NAMES)
def test_a_python_value_is_unknown_and_a_set_update_writes_no_row(
    model: str, table: str, column: str, local: str
) -> None:
    """`filter(state=state_to_merge, id__in=ids)`: the values are the code's, said as unknown; a local named
    like the column (`state=state`) is not the column. A loop that fills a Python set writes no row."""
    base = {"shop/migrations/0001_initial.py": DJANGO_INITIAL.format(model=model, table=table, column=column)}

    def result(value: str) -> Review:
        text = DJANGO.format(model=model, column=column, local=local, value=value)
        return review_sql(text, path="shop/migrations/0002_merge.py", base=base)

    for value in (column, f"{column}_to_merge"):
        found = result(value)
        for text in _generated(found):
            assert not re.search(rf"\b({local}|{column}_to_merge|interp_value)\b", text), text
            assert f"{column} = {column}" not in text, text
        lost = [f for f in found.active if f.rule == "data-lost-on-rollback"]
        assert len(lost) == 1 and f"`{table}.{column}`" in lost[0].message, [f.message for f in lost]
        assert "overwritten" not in lost[0].message  # one change: the loop over the rows writes none
    literal = result("'stale'")
    saves = [s.command or "" for s in literal.rollback_plan if s.text.startswith("Before deploying")]
    assert saves and all(local not in c for c in saves), saves


JSON_CHANGE = """from django.db import migrations


def forwards(apps, schema_editor):
    {model} = apps.get_model("shop", "{model}")
    {model}.objects.filter(id__lt=1000).update({column}={{"k": {{"w": None}}}})


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""


@pytest.mark.parametrize(("model", "table", "column", "local"), NAMES)
def test_a_json_document_written_out_is_its_literal(model: str, table: str, column: str, local: str) -> None:
    """`update(styles={"button": {…}})` writes that JSON document: its SQL literal, not Python source."""
    base = {"shop/migrations/0001_initial.py": DJANGO_INITIAL.format(model=model, table=table, column=column)}
    result = review_sql(
        JSON_CHANGE.format(model=model, column=column), path="shop/migrations/0002_json.py", base=base
    )
    document = '\'{"k": {"w": null}}\''  # fits the column's varchar(20): a query can compare it
    queries = [q.sql for q in result.verification_queries]
    assert any(document in q for q in queries), queries
    assert not any("None" in q for q in queries)
