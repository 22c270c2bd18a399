"""A fill read as a fill wherever its condition is written: the rows of a filtered queryset taken in key
slices by a helper (`for ids in queryset_in_batches(qs)`), written back with `bulk_update`, a column an
earlier migration of the same pull request added, an empty string as the missing value. None of these loses
data on the way back; the same code over rows that held values does."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review
from bot.review import review

NAMES = [("order", "Order", "lines_count", "lines"), ("invoice", "Invoice", "items_total", "items")]

INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="{model}",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("{column}", models.IntegerField(null=True)),
                ("currency", models.CharField(max_length=3, default="")),
            ],
        ),
    ]
"""
ADDED = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.AddField(model_name="{lower}", name="{column}_v2", field=models.IntegerField(null=True))]
"""
FILL = """from django.db import migrations, transaction

BATCH_SIZE = 250


def fill(apps, _schema_editor):
    {model} = apps.get_model("{app}", "{model}")
    qs = {model}.objects.filter({condition}).order_by("pk")
    for ids in queryset_in_batches(qs):
        rows = {model}.objects.filter(id__in=ids).order_by("pk")
        with transaction.atomic():
            to_save = []
            for row in rows:
                row.{target} = row.{related}.count()
                to_save.append(row)
            {model}.objects.bulk_update(to_save, ["{target}"])


def queryset_in_batches(queryset):
    start_pk = 0
    while True:
        qs = queryset.filter(pk__gt=start_pk)[:BATCH_SIZE]
        pks = list(qs.values_list("pk", flat=True))
        if not pks:
            break
        yield pks
        start_pk = pks[-1]


class Migration(migrations.Migration):
    dependencies = [("{app}", "{previous}")]
    operations = [migrations.RunPython(fill, reverse_code=migrations.RunPython.noop)]
"""


def _review(app: str, model: str, column: str, related: str, condition: str, target: str = "") -> Review:
    base = {f"{app}/migrations/0001_initial.py": INITIAL.format(model=model, column=column)}
    head: dict[str, str] = {}
    previous = "0001_initial"
    if target:  # the column is added by an earlier migration of the same change
        head[f"{app}/migrations/0002_add.py"] = ADDED.format(app=app, lower=model.lower(), column=column)
        previous = "0002_add"
    text = FILL.format(
        app=app, model=model, condition=condition, target=target or column, related=related, previous=previous
    )
    head[f"{app}/migrations/0003_fill.py"] = text
    changeset = ChangeSet(  # the pull request adds every migration of `head`
        base="base",
        head="head",
        files=tuple(ChangedFile(path, "added", None, text) for path, text in head.items()),
        head_tree=MemoryTree({**base, **head}),
        base_tree=MemoryTree(base),
    )
    return review(changeset)


def _lost(result: Review) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule in ("data-lost-on-rollback", "missing-down-migration")]


@pytest.mark.parametrize(("app", "model", "column", "related"), NAMES)
def test_a_fill_of_the_null_rows_of_a_queryset_taken_in_key_slices(
    app: str, model: str, column: str, related: str
) -> None:
    fill = _review(app, model, column, related, f"{column}__isnull=True")
    assert not _lost(fill), [f.message for f in fill.active]
    overwrite = _review(app, model, column, related, f"{column}__gte=0")
    found = _lost(overwrite)
    assert len(found) == 1 and f"`{app}_{model.lower()}.{column}`" in found[0].message  # one finding, not two


@pytest.mark.parametrize(("app", "model", "column", "related"), NAMES)
def test_an_empty_string_is_a_missing_value_too(app: str, model: str, column: str, related: str) -> None:
    assert not _lost(_review(app, model, column, related, 'currency=""', target="currency"))
    assert _lost(_review(app, model, column, related, 'currency="EUR"', target="currency"))


@pytest.mark.parametrize(("app", "model", "column", "related"), NAMES)
def test_a_column_an_earlier_migration_of_the_change_added(
    app: str, model: str, column: str, related: str
) -> None:
    result = _review(app, model, column, related, f"{column}__gte=0", target=f"{column}_v2")
    assert not _lost(result), [f.message for f in result.active]


GUARDED = """from django.db import migrations


def forward(apps, schema_editor):
    {model} = apps.get_model("{app}", "{model}")
    updates = []
    rows = {model}.objects.filter(id__gte=1, id__lt=1000).order_by("id")
    for index, row in enumerate(rows):
{body}
    {model}.objects.bulk_update(updates, ["{column}"])


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
"""
GUARD = "        if row.{column} is None:\n            row.{column} = index\n            updates.append(row)"
NO_GUARD = "        row.{column} = index\n        updates.append(row)"


@pytest.mark.parametrize(("app", "model", "column", "related"), NAMES)
def test_a_loop_that_fills_only_the_rows_holding_none(
    app: str, model: str, column: str, related: str
) -> None:
    base = {f"{app}/migrations/0001_initial.py": INITIAL.format(model=model, column=column)}

    def result(body: str) -> Review:
        text = GUARDED.format(app=app, model=model, column=column, body=body.format(column=column))
        head = {f"{app}/migrations/0002_fill.py": text}
        changeset = ChangeSet(
            base="base",
            head="head",
            files=tuple(ChangedFile(path, "added", None, t) for path, t in head.items()),
            head_tree=MemoryTree({**base, **head}),
            base_tree=MemoryTree(base),
        )
        return review(changeset)

    filled = result(GUARD)
    assert not _lost(filled), [f.message for f in filled.active]
    assert not [f for f in filled.active if f.rule == "unbatched-data-change" and "every row in" in f.message]
    overwritten = _lost(result(NO_GUARD))
    assert len(overwritten) == 1 and f"`{app}_{model.lower()}.{column}`" in overwritten[0].message
