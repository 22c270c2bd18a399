"""Django data migrations as projects write them: a migrations folder `MIGRATION_MODULES` renames
(`dojo/db_migrations/`), a queryset with `annotate()` held in a local and filtered with `Q(…) | Q(…)`, and a
reverse function that does nothing. Each was read as nothing at all, and the review approved silently."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [
    ("dojo", "db_migrations", "Finding", "component_name"),
    ("shop", "schema_migrations", "Item", "vendor"),
]

INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="{model}",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("{column}", models.CharField(max_length=200, null=True)),
            ],
        ),
    ]
"""
NORMALIZE = """from django.db import migrations
from django.db.models import Q
from django.db.models.functions import Trim


def normalize(apps, schema_editor):
    {model} = apps.get_model("{app}", "{model}")
    blank = {model}.objects.annotate(trimmed=Trim("{column}")).filter({condition})
    blank.update({column}={value})


def {reverse_name}(apps, schema_editor):
{reverse_body}


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RunPython(normalize, {reverse_name})]
"""


def _review(
    app: str, folder: str, model: str, column: str, condition: str, value: str, reverse: str
) -> Review:
    base = {f"{app}/{folder}/0001_initial.py": INITIAL.format(model=model, column=column)}
    text = NORMALIZE.format(
        app=app,
        model=model,
        column=column,
        condition=condition.format(column=column),
        value=value,
        reverse_name="backwards",
        reverse_body=reverse.format(model=model, app=app, column=column),
    )
    return review_sql(text, path=f"{app}/{folder}/0002_normalize.py", base=base)


NOTHING = '    """Nothing to undo."""\n    pass'
RESTORES = '    {model} = apps.get_model("{app}", "{model}")\n    {model}.objects.filter({column}="n/a").update({column}=None)'


@pytest.mark.parametrize(("app", "folder", "model", "column"), NAMES)
def test_an_annotated_queryset_in_a_local_is_read_with_its_q_filters(
    app: str, folder: str, model: str, column: str
) -> None:
    result = _review(app, folder, model, column, 'Q({column}="") | Q(trimmed="")', "None", NOTHING)
    assert [m.framework for m in result.migrations] == ["django"]
    unbatched = [f for f in result.active if f.rule == "unbatched-data-change"]
    # the annotation is the SQL it stands for, not a column named after its alias
    assert len(unbatched) == 1 and f"({column} = '' OR trim({column}) = '')" in unbatched[0].message
    assert result.approval == "BLOCKED"


@pytest.mark.parametrize(("app", "folder", "model", "column"), NAMES)
def test_a_reverse_function_that_does_nothing_is_no_way_back_for_the_data(
    app: str, folder: str, model: str, column: str
) -> None:
    def lost(reverse: str) -> list:  # type: ignore[type-arg]
        result = _review(app, folder, model, column, 'Q({column}="old") | Q(trimmed="old")', "'n/a'", reverse)
        return [f for f in result.active if f.rule == "data-lost-on-rollback"]

    found = lost(NOTHING)
    assert len(found) == 1 and "does nothing" in found[0].message
    assert not lost(RESTORES)


RELATED = """from django.db import migrations


def copy(apps, schema_editor):
    {model} = apps.get_model("{app}", "{model}")
    for row in {model}.objects.filter({column}__isnull=False):
        {related} = row.{related}
        if {related}:
            {related}.{column} = row.{column}
            {related}.save(update_fields=["{column}"])


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RunPython(copy, migrations.RunPython.noop)]
"""


@pytest.mark.parametrize(("app", "folder", "model", "column"), NAMES)
@pytest.mark.parametrize("related", ["invoice", "profile"])
def test_rows_saved_through_a_relation_of_the_loop_are_not_the_loops_table(
    app: str, folder: str, model: str, column: str, related: str
) -> None:
    base = {f"{app}/{folder}/0001_initial.py": INITIAL.format(model=model, column=column)}
    text = RELATED.format(app=app, model=model, column=column, related=related)
    result = review_sql(text, path=f"{app}/{folder}/0002_copy.py", base=base)
    unread = [f for f in result.active if f.rule == "unread-data-change"]
    assert len(unread) == 1 and f"`{related}.save()`" in unread[0].message
    table = f"{app}_{model.lower()}"
    assert not [f for f in result.active if f.rule == "data-lost-on-rollback" and table in f.message]


BULK = """from django.db import migrations


def forward(apps, schema_editor):
    {model} = apps.get_model("{app}", "{model}")
    rows = [{model}(id=pk, {column}="n/a") for pk in range(1, 100)]
    {model}.objects.bulk_update(rows, ["{column}"], batch_size=50)


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
"""


@pytest.mark.parametrize(("app", "folder", "model", "column"), NAMES)
def test_bulk_update_names_the_columns_it_writes(app: str, folder: str, model: str, column: str) -> None:
    base = {f"{app}/{folder}/0001_initial.py": INITIAL.format(model=model, column=column)}
    text = BULK.format(app=app, model=model, column=column)
    result = review_sql(text, path=f"{app}/{folder}/0002_bulk.py", base=base)
    lost = [f for f in result.active if f.rule == "data-lost-on-rollback"]
    assert len(lost) == 1 and f"`{app}_{model.lower()}.{column}`" in lost[0].message


JSON_INITIAL = INITIAL.replace("models.CharField(max_length=200, null=True)", "models.JSONField(null=True)")
EMPTIED = """from django.db import migrations


def forward(apps, schema_editor):
    {model} = apps.get_model("{app}", "{model}")
    {model}.objects.filter({condition}).update({column}=None)


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
"""


@pytest.mark.parametrize(("app", "folder", "model", "column"), NAMES)
def test_an_empty_json_document_set_to_null_loses_nothing(
    app: str, folder: str, model: str, column: str
) -> None:
    base = {f"{app}/{folder}/0001_initial.py": JSON_INITIAL.format(model=model, column=column)}

    def lost(condition: str) -> list:  # type: ignore[type-arg]
        text = EMPTIED.format(app=app, model=model, column=column, condition=condition.format(column=column))
        result = review_sql(text, path=f"{app}/{folder}/0002_empty.py", base=base)
        return [f for f in result.active if f.rule == "data-lost-on-rollback"]

    assert not lost("{column}={{}}")
    assert lost("{column}__isnull=False")
