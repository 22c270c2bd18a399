"""statements-after-exclusive-lock: the SQL one framework operation runs (Django's AddField of a foreign key:
the column, its constraint, its index) shares one line; the finding names the earlier statement that holds
the lock rather than pointing at its own line."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

RULE = "statements-after-exclusive-lock"


@pytest.mark.parametrize(("model", "parent"), [("order", "customer"), ("ticket", "queue")])
def test_an_add_field_with_a_foreign_key_names_the_statement_that_holds_the_lock(
    model: str, parent: str
) -> None:
    initial = (
        "from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    initial = True\n"
        "    dependencies = []\n    operations = [\n"
        f"        migrations.CreateModel(name='{parent.capitalize()}', fields=[('id', models.BigAutoField(primary_key=True))]),\n"
        f"        migrations.CreateModel(name='{model.capitalize()}', fields=[('id', models.BigAutoField(primary_key=True))]),\n"
        "    ]\n"
    )
    change = (
        "import django.db.models.deletion\nfrom django.db import migrations, models\n\n"
        "class Migration(migrations.Migration):\n    dependencies = [('shop', '0001_initial')]\n"
        f"    operations = [migrations.AddField(model_name='{model}', name='{parent}', field=models.ForeignKey("
        f"null=True, on_delete=django.db.models.deletion.SET_NULL, to='shop.{parent}'))]\n"
    )
    result = review_sql(
        change, path="shop/migrations/0002_change.py", base={"shop/migrations/0001_initial.py": initial}
    )
    found = [f.message for f in result.active if f.rule == RULE]
    assert found and all(
        "by this operation's earlier `ALTER TABLE" in m and "by line" not in m for m in found
    ), found
    # two statements of plain SQL: the line of the one that holds the lock
    sql = (
        f"CREATE TABLE shop_{parent} (id bigint PRIMARY KEY);\nCREATE TABLE shop_{model} (id bigint PRIMARY KEY, {parent}_id bigint);\n-- migration\n"
        f"SET lock_timeout = '5s';\nBEGIN;\nALTER TABLE shop_{model} ADD COLUMN note text;\n"
        f"ALTER TABLE shop_{model} ADD CONSTRAINT fk FOREIGN KEY ({parent}_id) REFERENCES shop_{parent} (id);\nCOMMIT;"
    )
    found = [f.message for f in review_sql(sql).active if f.rule == RULE]
    assert found and "by line 3" in found[0], found
