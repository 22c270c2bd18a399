"""applied-migration-edited: an edit that only adds an early return (`if …: return` in a RunPython function,
Rails' `return unless …`) in front of code that changes rows is a note: databases that already ran the
migration never run it again, and new installs skip only that code where the condition holds. One that skips
a schema change, or that changes anything else, is still reported as before."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql

RULE = "applied-migration-edited"

DJANGO_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="{model}",
            fields=[("id", models.AutoField(primary_key=True)), ("{column}", models.CharField(max_length=20, null=True))],
        ),
    ]
"""
DJANGO_FILL = """{imports}from django.db import migrations


def fill(apps, schema_editor):
{guard}    {model} = apps.get_model("{app}", "{model}")
    {model}.objects.filter({column}__isnull=True).update({column}="{value}")


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
"""
DJANGO_NAMES = [("shop", "Order", "status", "new"), ("wiki", "Page", "draft_title", "untitled")]


def _django(
    app: str, model: str, column: str, value: str, guard: str, imports: str = "", **kw: str
) -> list[Finding]:
    names = {"app": app, "model": model, "column": column, "value": value}
    before = DJANGO_FILL.format(imports="", guard="", **names)
    after = DJANGO_FILL.format(imports=imports, guard=guard, **names)
    for old, new in kw.items():
        after = after.replace(old, new)
    base = {f"{app}/migrations/0001_initial.py": DJANGO_INITIAL.format(model=model, column=column)}
    result = review_sql(after, path=f"{app}/migrations/0002_fill.py", base=base, previous=before)
    return [f for f in result.active if f.rule == RULE]


@pytest.mark.parametrize(("app", "model", "column", "value"), DJANGO_NAMES)
def test_an_early_return_added_to_a_run_python_function_is_a_note(
    app: str, model: str, column: str, value: str
) -> None:
    for imports, guard in (
        (
            "import swapper\n",
            f'    if swapper.is_swapped("{app}", "{model}"):\n        # new installs have no old rows\n        return\n\n',
        ),
        ("", f"    if not apps.get_model('{app}', '{model}').objects.exists():\n        return\n"),
    ):
        [finding] = _django(app, model, column, value, guard, imports)
        assert finding.severity is Severity.INFO and "early return" in finding.message, guard
        assert "never run it again" in finding.message and "check" in (finding.blast_radius or "")


@pytest.mark.parametrize(("app", "model", "column", "value"), DJANGO_NAMES)
def test_an_early_return_with_another_edit_stays_reported(
    app: str, model: str, column: str, value: str
) -> None:
    guard = f"    if not apps.get_model('{app}', '{model}').objects.exists():\n        return\n"
    [finding] = _django(
        app, model, column, value, guard, **{f'update({column}="{value}")': f'update({column}="other")'}
    )
    assert finding.severity is Severity.CRITICAL
    # a guard whose branch does more than return is an edit of the code
    busy = f"    if not apps.get_model('{app}', '{model}').objects.exists():\n        print('empty')\n        return\n"
    [finding] = _django(app, model, column, value, busy)
    assert finding.severity is not Severity.INFO


RAILS_CREATE = "class Create{Model}s < ActiveRecord::Migration[7.1]\n  def change\n    create_table :{table} do |t|\n      t.string :{column}\n    end\n  end\nend\n"
RAILS_NAMES = [("orders", "Order", "status"), ("tickets", "Ticket", "queue")]


def _rails(table: str, model: str, column: str, body: str, guard: str) -> list[Finding]:
    before = f"class Change{model}s < ActiveRecord::Migration[7.1]\n  def up\n{body}  end\n\n  def down\n  end\nend\n"
    after = before.replace("  def up\n", f"  def up\n{guard}", 1)
    base = {
        "db/migrate/20240101000000_create.rb": RAILS_CREATE.format(Model=model, table=table, column=column)
    }
    result = review_sql(after, path="db/migrate/20240201000000_change.rb", base=base, previous=before)
    return [f for f in result.active if f.rule == RULE]


@pytest.mark.parametrize(("table", "model", "column"), RAILS_NAMES)
def test_a_rails_early_return_in_front_of_row_changes_is_a_note(table: str, model: str, column: str) -> None:
    body = f"    execute \"UPDATE {table} SET {column} = 'new' WHERE {column} IS NULL\"\n"
    [finding] = _rails(table, model, column, body, f"    return unless table_exists?(:{table})\n\n")
    assert finding.severity is Severity.INFO and "early return" in finding.message


@pytest.mark.parametrize(("table", "model", "column"), RAILS_NAMES)
def test_a_rails_early_return_that_skips_a_schema_change_stays_critical(
    table: str, model: str, column: str
) -> None:
    """New installs where the condition holds would lack the column that databases which ran it have."""
    body = f"    add_column :{table}, :note, :string\n"
    [finding] = _rails(table, model, column, body, "    return if Rails.env.production?\n")
    assert finding.severity is Severity.CRITICAL
