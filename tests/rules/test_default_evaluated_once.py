"""Django fills a new column's existing rows by calling a Python default once: one value for every row."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql

NAMES = [("shop", "Order", "token"), ("crm", "Contact", "invite_code")]


def _found(app: str, model: str, field: str, base: str = "", imports: str = "import uuid\n") -> list[Finding]:
    initial = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n"
        "    operations = [\n"
        f'        migrations.CreateModel(name="{model}", fields=[("id", models.BigAutoField(primary_key=True))]),\n'
        "    ]\n"
    )
    text = (
        f"{imports}\nfrom django.db import migrations, models\nfrom django.utils import timezone\n\n\n"
        "class Migration(migrations.Migration):\n"
        f'    dependencies = [("{app}", "0001_initial")]\n    operations = [\n'
        f'        migrations.AddField(model_name="{model.lower()}", name="{field}", field={base}),\n    ]\n'
    )
    path = f"{app}/migrations/0002_add_{field}.py"
    result = review_sql(text, path=path, base={f"{app}/migrations/0001_initial.py": initial})
    return [f for f in result.active if f.rule == "default-evaluated-once"]


@pytest.mark.parametrize(("app", "model", "field"), NAMES)
def test_a_unique_field_with_a_python_default_fails_on_two_rows(app: str, model: str, field: str) -> None:
    [found] = _found(app, model, field, "models.UUIDField(default=uuid.uuid4, unique=True)")
    assert found.severity is Severity.CRITICAL
    assert f"`{app}_{model.lower()}.{field}`" in found.message and "`uuid.uuid4()`" in found.message
    [shared] = _found(
        app, model, field, "models.CharField(max_length=40, default=secrets.token_hex)", "import secrets\n"
    )
    assert shared.severity is Severity.WARNING and "same value" in shared.message


@pytest.mark.parametrize(("app", "model", "field"), NAMES)
def test_defaults_that_are_meant_for_every_row_or_computed_by_the_database(
    app: str, model: str, field: str
) -> None:
    quiet = [
        "models.UUIDField(null=True)",  # filled by a later RunPython, made unique after
        "models.DateTimeField(default=timezone.now)",  # one time for every existing row is what is meant
        "models.IntegerField(default=0)",
        "models.CharField(max_length=10, default='new')",
    ]
    for field_sql in quiet:
        assert not _found(app, model, field, field_sql), field_sql


_CREATE = (
    "class Create{model}s < ActiveRecord::Migration[7.1]\n  def change\n    create_table :{table} do |t|\n"
    "      t.string :email\n    end\n  end\nend\n"
)


@pytest.mark.parametrize(
    ("table", "column", "default", "severity"),
    [
        ("invites", "token", "SecureRandom.hex(16)", "critical"),
        ("api_clients", "client_uid", "SecureRandom.uuid", "critical"),
        ("reports", "generated_on", "Date.today", "warning"),
    ],
)
def test_a_rails_default_computed_by_ruby_is_one_value_for_every_row(
    table, column, default, severity
) -> None:  # type: ignore[no-untyped-def]
    model = table[:-1].title().replace("_", "")
    base = {"db/migrate/20240101000000_create.rb": _CREATE.format(model=model, table=table)}
    added = (
        f"class AddColumn < ActiveRecord::Migration[7.1]\n  def change\n"
        f"    add_column :{table}, :{column}, :string, default: {default}\n  end\nend\n"
    )
    path = "db/migrate/20240202000000_add_column.rb"
    found = [f for f in review_sql(added, path=path, base=base).active if f.rule == "default-evaluated-once"]
    assert [f.severity.value for f in found] == [severity]
    assert default in found[0].message and "every row inserted later" in found[0].message
    # a default the database computes for each row, or a literal, is quiet
    for good in ("-> { 'gen_random_uuid()' }", "''", "'pending'"):
        text = added.replace(f"default: {default}", f"default: {good}")
        assert not [
            f for f in review_sql(text, path=path, base=base).active if f.rule == "default-evaluated-once"
        ]
