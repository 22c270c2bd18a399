"""`current-model-in-migration`: a Django migration that imports the application's model classes instead of
`apps.get_model()` is named (and its data change is still read on the model's table); importing choices or
constants from the models module, or using the historical model, is quiet. A Rails migration that saves
records through a model of `app/models/` it does not define itself is named too."""

from __future__ import annotations

from typing import Any

import pytest

from bot.model.findings import Severity
from tests.conftest import review_sql
from tests.rules.django_app import review_migration

MODELS = [("Order", "total"), ("Invoice", "amount")]
FIELDS = {"status": 'models.CharField(max_length=20, default="open")'}

_MIGRATION = """from django.db import migrations
{imports}


def forwards(apps, schema_editor):
{body}


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""


def _review(model: str, column: str, imports: str, body: str):  # type: ignore[no-untyped-def]
    fields = {**FIELDS, column: "models.DecimalField(max_digits=10, decimal_places=2, null=True)"}
    return review_migration(model, fields, _MIGRATION.format(imports=imports, body=body))


@pytest.mark.parametrize(("model", "column"), MODELS)
@pytest.mark.parametrize(
    "imports",
    [
        "from shop.models import {model}",
        "from ..models import {model}",
        "from shop.models import {model} as Current",
    ],
)
def test_the_applications_model_imported_in_a_migration_is_named(
    model: str, column: str, imports: str
) -> None:
    name = "Current" if " as " in imports else model
    body = f"    for row in {name}.objects.filter({column}__isnull=True):\n        row.{column} = 0\n        row.save()\n"
    result = _review(model, column, imports.format(model=model), body)
    [finding] = [f for f in result.active if f.rule == "current-model-in-migration"]
    assert f"`{name}`" in finding.message and "signals" in finding.message
    assert finding.line == 2
    # the data change is read on the model's table, never approved unread
    assert result.approval != "APPROVED"


@pytest.mark.parametrize(("model", "column"), MODELS)
def test_an_update_through_the_imported_model_is_read_as_sql(model: str, column: str) -> None:
    body = f"    {model}.objects.update({column}=None)\n"
    result = _review(model, column, f"from shop.models import {model}", body)
    rules = {f.rule for f in result.active}
    assert "current-model-in-migration" in rules and "unbatched-data-change" in rules


@pytest.mark.parametrize(("model", "column"), MODELS)
def test_the_historical_model_or_imported_choices_are_quiet(model: str, column: str) -> None:
    historical = f'    {model} = apps.get_model("shop", "{model}")\n    {model}.objects.filter(id__lt=100).update({column}=0)\n'
    assert not [
        f for f in _review(model, column, "", historical).active if f.rule == "current-model-in-migration"
    ]
    choices = f"    Status = {model}Status\n    print(Status.OPEN)\n"
    quiet = _review(model, column, f"from shop.models import {model}Status, STATUS_CHOICES", choices)
    assert not [f for f in quiet.active if f.rule == "current-model-in-migration"]


@pytest.mark.parametrize(
    ("package", "model", "table"), [("app.models", "User", "users"), ("shop.db.models", "Order", "orders")]
)
def test_an_alembic_revision_that_queries_the_applications_model(
    package: str, model: str, table: str
) -> None:
    """`from app.models import User` queried in a revision selects every column today's model declares: the
    same trap as Django's current models. Types and enums imported from the application are no models."""
    from tests.conftest import review_sql

    def found(body: str, imports: str) -> list[str]:
        text = (
            'revision = "002"\ndown_revision = "001"\n\nfrom alembic import op\nimport sqlalchemy as sa\n'
            f"from sqlalchemy.orm import Session\n{imports}\n\n\ndef upgrade():\n{body}\n\n\ndef downgrade():\n    pass\n"
        )
        base = {"db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, plan varchar(20));\n"}
        result = review_sql(text, path="alembic/versions/002_plans.py", base=base)
        return [f.message for f in result.active if f.rule == "current-model-in-migration"]

    query = (
        "    session = Session(bind=op.get_bind())\n"
        f"    for row in session.query({model}).filter({model}.plan.is_(None)):\n        row.plan = 'free'\n"
        "    session.commit()\n"
    )
    [message] = found(query, f"from {package} import {model}")
    assert f"`{model}` from `{package}`" in message and "defined in the revision" in message
    own = (
        f"    rows = sa.table('{table}', sa.column('plan', sa.String))\n"
        "    op.execute(rows.update().where(rows.c.plan.is_(None)).values(plan='free'))\n"
    )
    assert not found(own, "")
    typed = f"    op.add_column('{table}', sa.Column('kind', PlanKind(), nullable=True))\n"
    assert not found(typed, f"from {package} import PlanKind")


RAILS_NAMES = [
    {"model": "Alert", "table": "alerts", "column": "token", "file": "alert"},
    {"model": "ArticleText", "table": "article_texts", "column": "content", "file": "article_text"},
]


def _rails_review(names: dict[str, str], body: str, own: bool = False, model_file: bool = True) -> list[Any]:
    head = f"  class {names['model']} < ApplicationRecord; end\n\n" if own else ""
    text = (
        f"class Backfill{names['model']} < ActiveRecord::Migration[7.1]\n{head}  def up\n"
        + body.format(**names)
        + "  end\n\n  def down\n  end\nend\n"
    )
    base = {
        "db/structure.sql": f"CREATE TABLE {names['table']} (id bigint PRIMARY KEY, {names['column']} text);\n",
    }
    if model_file:
        base[f"app/models/{names['file']}.rb"] = (
            f"class {names['model']} < ApplicationRecord\n  before_validation :fill_{names['column']}\nend\n"
        )
    result = review_sql(text, path=f"db/migrate/20260101000000_backfill_{names['table']}.rb", base=base)
    return [f for f in result.active if f.rule == "current-model-in-migration"]


RAILS_SAVES = [
    "    {model}.where({column}: nil).find_each(&:save!)\n",
    "    {model}.where({column}: nil).find_each do |row|\n      row.save!(validate: false)\n    end\n",
    "    {model}.where({column}: nil).each {{ |row| row.update!({column}: 'x') }}\n",
]


@pytest.mark.parametrize("names", RAILS_NAMES)
@pytest.mark.parametrize("body", RAILS_SAVES)
def test_a_rails_migration_saving_through_the_applications_model(names: dict[str, str], body: str) -> None:
    (finding,) = _rails_review(names, body)
    assert finding.severity is Severity.WARNING
    assert f"`{names['model']}` (`app/models/{names['file']}.rb`)" in finding.message
    assert f'self.table_name = "{names["table"]}"' in finding.fix
    # a model the migration defines itself has no callbacks of today's code
    assert not _rails_review(names, body, own=True)
    # a class with no file under app/models (a gem's, an engine's) is not judged
    assert not _rails_review(names, body, model_file=False)


@pytest.mark.parametrize("names", RAILS_NAMES)
def test_a_rails_bulk_write_through_the_applications_model_runs_no_callbacks(names: dict[str, str]) -> None:
    assert not _rails_review(names, "    {model}.where({column}: nil).update_all({column}: 'x')\n")
    assert not _rails_review(names, "    {model}.where({column}: nil).in_batches.delete_all\n")
