"""A Django or Alembic migration imports the application's models instead of the historical ones.

## Why is this bad?
`from shop.models import Order` in a migration gives the model as the code defines it when the migration
runs, not as it was at this point of the history. It works today; as soon as a later change adds a field
to `Order`, every fresh database (the test database, a new environment, a restore replayed from scratch)
fails at this migration, because the model selects a column that does not exist yet. The current model
also brings its custom managers (a default manager that filters rows leaves them out), its `save()` and
`delete()` overrides, and its signals: `post_save` handlers (emails, webhooks, search indexing, audit rows)
fire for every row the migration saves.

## Use instead
Get the historical model from the `apps` registry the migration is given:
`Order = apps.get_model("shop", "Order")` inside the RunPython function. It has the fields of this point
of the history, the plain manager, and no custom methods or signals.

## Framework notes
Alembic: `from app.models import User` queried in a revision (`session.query(User)`, `select(User)`,
`User.query`) has the same trap: the model selects every column today's code declares. Define the table as
the revision knows it with `sa.table("users", sa.column("plan", sa.String))` and write through `op.execute`.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import CurrentModelImport, Migration
from bot.rules.context import Context

RULE = Rule(
    id="current-model-in-migration",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.WARNING,
    help='Use the historical model: `Order = apps.get_model("shop", "Order")` inside the RunPython function.',
    bad=(
        "from django.db import migrations\n\nfrom shop.models import Order\n\n\n"
        "def forwards(apps, schema_editor):\n"
        "    Order.objects.filter(total__isnull=True, id__lt=1000).update(total=0)\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        "    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n",
    ),
    good=(
        "from django.db import migrations\n\n\n"
        "def forwards(apps, schema_editor):\n"
        '    Order = apps.get_model("shop", "Order")\n'
        "    Order.objects.filter(total__isnull=True, id__lt=1000).update(total=0)\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        "    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n",
    ),
)
EXAMPLE_PATH = "shop/migrations/0002_totals.py"
EXAMPLE_HEAD = {
    "shop/migrations/0001_initial.py": "from django.db import migrations, models\n\n\n"
    "class Migration(migrations.Migration):\n    initial = True\n    operations = [\n"
    '        migrations.CreateModel(name="Order", fields=[("id", models.BigAutoField(primary_key=True)), '
    '("total", models.IntegerField(null=True))]),\n    ]\n'
}


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, CurrentModelImport):
            continue
        names = ", ".join(f"`{n}`" for n in op.names)
        signals = (
            " It saves, creates or deletes through them, so their `save()`/`delete()` overrides and "
            "`post_save`/`post_delete` signals run for every row."
            if op.writes
            else ""
        )
        yield op.finding(
            RULE,
            f"The migration imports the application's current model{'s' if len(op.names) > 1 else ''} {names} "
            f"from `{op.module}` instead of "
            + (
                "a table defined in the revision itself."
                if migration.framework == "alembic"
                else f"the historical one `apps.get_model()` gives.{signals}"
            ),
            severity=Severity.WARNING,
            blast_radius="Once a later change adds a field to the model, every fresh database (the test database, "
            "a new environment) fails at this migration; custom managers and methods of today's model apply.",
            fix=(
                'Define the table as this revision knows it (`users = sa.table("users", sa.column("plan", '
                "sa.String))`) and write through it (`op.execute(users.update().where(…).values(…))`), then drop "
                "the import."
                if migration.framework == "alembic"
                else f'Inside the RunPython function: `{op.names[0]} = apps.get_model("<app_label>", '
                f'"{op.names[0]}")`, and drop the import.'
            ),
        )
