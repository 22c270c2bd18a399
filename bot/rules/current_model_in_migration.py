"""A migration uses the application's current models instead of the historical ones.

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

Rails: a migration that saves, creates or destroys records through the application's model
(`Notification.where(guid: nil).find_each(&:save!)`, `app/models/notification.rb`) runs that model's
validations and callbacks as they are on the day the migration runs, not as they were when it was written: a
validation added later fails the migration on old rows, a callback sends mail or enqueues jobs for every row,
and a renamed or removed class breaks it on a fresh database. Define a bare model in the migration
(`class Notification < ActiveRecord::Base; self.table_name = "notifications"; end`, as the Rails guides advise)
and write with `update_all` / `update_columns`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import CurrentModelImport, DataDelete, DataInsert, DataUpdate, Migration, RunCode
from bot.references.inflection import underscore
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
    if migration.framework == "rails":
        yield from _rails(migration, context)
        return
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


_RUBY_MODEL = re.compile(r"^\s*((?:[A-Z]\w*::)*[A-Z]\w*)\s*\.")
# the writes that go through a record's validations and callbacks (not `update_all`, `update_columns`)
_CALLBACK_WRITES = re.compile(
    r"[.&:](?:save!?|update!?|update_attributes!?|update_attribute|create!?|destroy!?|destroy_all|"
    r"find_or_create_by!?|first_or_create!?|toggle!)(?![\w!?])"
)
_OWN_CLASS = re.compile(r"^\s*class\s+((?:[A-Z]\w*::)*[A-Z]\w*)\s*<", re.M)


def _rails(migration: Migration, context: Context) -> Iterator[Finding]:
    """Records saved, created or destroyed through a model of `app/models/` the migration does not define."""
    own = {name.split("::")[-1] for name in _OWN_CLASS.findall(context.tree.read(migration.path) or "")}
    root = migration.path.split("db/migrate/", 1)[0] if "db/migrate/" in migration.path else ""
    seen: set[str] = set()
    for op in migration.up:
        if not isinstance(op, DataUpdate | DataDelete | DataInsert | RunCode):
            continue
        found = _RUBY_MODEL.match(op.sql)
        if found is None or found.group(1).split("::")[-1] in own or found.group(1) in seen:
            continue
        model = found.group(1)
        path = f"{root}app/models/{'/'.join(underscore(part) for part in model.split('::'))}.rb"
        if not _CALLBACK_WRITES.search(op.sql) or context.tree.read(path) is None:
            continue
        seen.add(model)
        yield op.finding(
            RULE,
            f"The migration saves records through the application's current model `{model}` (`{path}`), not a "
            "model of its own: that model's validations and callbacks, as they are on the day the migration "
            "runs, apply to every record it writes.",
            blast_radius="A validation added to the model later fails this migration on old rows, its callbacks "
            "(mail, jobs, counters, search indexing) run for every record, and renaming or removing the class "
            "breaks the migration on a fresh database.",
            fix=f"Define a bare model in the migration (`class {model.split('::')[-1]} < ActiveRecord::Base; "
            f'self.table_name = "{getattr(op, "table", "") or "…"}"; end`) and write with `update_all` or '
            "`update_columns`, or run the backfill as a task that is meant to use today's model.",
        )
