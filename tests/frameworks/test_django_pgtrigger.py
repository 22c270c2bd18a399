"""django-pgtrigger's migration operations are read as the triggers they create and drop on the model's table,
not as operations the review cannot read."""

from __future__ import annotations

import pytest

from tests.rules.django_app import review_migration

_MIGRATION = """import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        pgtrigger.migrations.RemoveTrigger(model_name="{model_lower}", name="insert_insert"),
        pgtrigger.migrations.AddTrigger(
            model_name="{model_lower}",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "{table}event" ("id") VALUES (NEW."id"); RETURN NULL;',
                    hash="abc",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_1",
                    table="{table}",
                    when="AFTER",
                ),
            ),
        ),
    ]
"""


@pytest.mark.parametrize(("model", "table"), [("Engagement", "shop_engagement"), ("Invoice", "shop_invoice")])
def test_pgtrigger_operations_are_triggers_on_the_models_table(model: str, table: str) -> None:
    text = _MIGRATION.format(model_lower=model.lower(), table=table)
    result = review_migration(model, {"name": "models.TextField()"}, text)
    rules = {f.rule for f in result.active}
    assert "unparsed-statement" not in rules
    locks = [f for f in result.active if f.rule == "missing-lock-timeout"]
    assert locks and all(f"`{table}`" in f.message for f in locks)
