"""A Django `update()` that reads a field across a relation fails when the migration runs.

## Why is this bad?
`Order.objects.update(customer_name=F("customer__name"))` looks like one UPDATE, but Django refuses it:
an `update()` writes one table and cannot join another, so the query raises `FieldError: Joined field
references are not permitted in this query` the moment the migration reaches it. The deploy stops there;
with `atomic = False`, or on MySQL where DDL commits at once, the operations before it stay applied and
the migration is left half done.

## Use instead
Read the related value with a sub-query, which Django writes as one UPDATE:
`update(customer_name=Subquery(Customer.objects.filter(pk=OuterRef("customer_id")).values("name")[:1]))`.
Or loop over the rows in batches, set the value from the related object and write each batch with
`bulk_update(rows, ["customer_name"], batch_size=1000)`.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import JoinedFieldUpdate, Migration
from bot.rules.context import Context

RULE = Rule(
    id="joined-field-update",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Read the related value with `Subquery(Related.objects.filter(pk=OuterRef(…)).values(…)[:1])`, "
    "or loop over the rows and write them with `bulk_update(…, batch_size=…)`.",
    bad=(
        "from django.db import migrations\nfrom django.db.models import F\n\n\n"
        "def forwards(apps, schema_editor):\n"
        '    Order = apps.get_model("shop", "Order")\n'
        '    Order.objects.update(customer_name=F("customer__name"))\n\n\n'
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        "    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n",
    ),
    good=(
        "from django.db import migrations\nfrom django.db.models import F, OuterRef, Subquery\n\n\n"
        "def forwards(apps, schema_editor):\n"
        '    Order = apps.get_model("shop", "Order")\n'
        '    Customer = apps.get_model("shop", "Customer")\n'
        '    name = Customer.objects.filter(pk=OuterRef("customer_id")).values("name")[:1]\n'
        "    Order.objects.update(customer_name=Subquery(name))\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        "    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n",
    ),
)
EXAMPLE_PATH = "shop/migrations/0002_copy_names.py"


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if isinstance(op, JoinedFieldUpdate):
            relation = op.reference.split('"')[1].split("__")[0] if '"' in op.reference else "the relation"
            yield op.finding(
                RULE,
                f"`update({op.column}={op.reference})` on `{op.table}` reads a field across `{relation}`: "
                'Django raises FieldError ("Joined field references are not permitted in this query") '
                "when the migration reaches this line, so the migration fails here.",
                blast_radius=f"No row of `{op.table}` is updated and the deploy stops at this migration; "
                "operations that ran before it in a non-atomic migration stay applied.",
                fix=f'Write `{op.column}=Subquery(Related.objects.filter(pk=OuterRef("{relation}_id"))'
                ".values(…)[:1])`, or loop over the rows in batches and write them with "
                f'`bulk_update(rows, ["{op.column}"], batch_size=1000)`.',
            )
