"""A Django `update()` whose value has a plain string where Django reads a field's name fails when it runs.

## Why is this bad?
In `When(status="new", then="open")`, `Case(…, default="unknown")` and the parts of `Coalesce`, `Concat`,
`Greatest`, `Least`, `Upper` and `Lower`, Django reads a plain string as the name of a field, not as a
value: `then="open"` means "the value of the field `open`". When the model has no such field, the query
raises `FieldError: Cannot resolve keyword 'open' into field` the moment the migration reaches it, and the
deploy stops there (with the operations before it applied, in a non-atomic migration or on MySQL). Where
the model happens to have a field of that name, the rows get that field's value instead of the text.

## Use instead
Wrap a value in `Value(…)`: `When(status="new", then=Value("open"))`, `Case(…, default=Value("unknown"))`,
`Coalesce("nickname", Value("anonymous"))`. Write `F("field")` where a field is meant, so it reads as one.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, StringAsFieldUpdate
from bot.rules.context import Context

_MIGRATION = (
    "from django.db import migrations\nfrom django.db.models import Case, Value, When\n\n\n"
    "def forwards(apps, schema_editor):\n"
    '    Order = apps.get_model("shop", "Order")\n'
    '    Order.objects.update(status=Case(When(status="new", then={then}), default="status"))\n\n\n'
    "class Migration(migrations.Migration):\n"
    '    dependencies = [("shop", "0001_initial")]\n'
    "    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n"
)
RULE = Rule(
    id="string-as-field-update",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help='Wrap the value in `Value(…)` (`then=Value("open")`); write `F("field")` where a field is meant.',
    bad=(_MIGRATION.format(then='"open"'),),
    good=(_MIGRATION.format(then='Value("open")'),),
)
EXAMPLE_PATH = "shop/migrations/0002_open_orders.py"


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if isinstance(op, StringAsFieldUpdate):
            yield op.finding(
                RULE,
                f"`{op.argument}` in the `update()` of `{op.table}.{op.column}` names a field, as Django reads a "
                f'plain string there, and the model has no field `{op.word}`: Django raises FieldError ("Cannot '
                f"resolve keyword '{op.word}' into field\") when the migration reaches this line.",
                blast_radius=f"No row of `{op.table}` is updated and the deploy stops at this migration; "
                "operations that ran before it in a non-atomic migration stay applied.",
                fix=f'Write `Value("{op.word}")` for the text, or `F("…")` for a field.',
            )


# The model the examples update, as the app's first migration creates it.
EXAMPLE_HEAD = {
    "shop/migrations/0001_initial.py": (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        "    initial = True\n    dependencies = []\n"
        "    operations = [\n"
        "        migrations.CreateModel(\n"
        '            name="Order",\n'
        '            fields=[("id", models.BigAutoField(primary_key=True)), ("status", models.CharField(max_length=20))],\n'
        "        ),\n"
        "    ]\n"
    )
}
