"""Django's query expressions in RunPython data migrations (`Subquery`, `OuterRef`, `Exists`, `F`, `Coalesce`)
read as the SQL they send, so the rules that read a data change's expressions judge them like SQL:
`update(name=Subquery(…[:1]))` writes NULL where no row matches."""

from __future__ import annotations

import pytest

from bot.frameworks import django
from bot.model.changeset import MemoryTree
from bot.model.findings import Finding, Severity
from bot.model.migration import DataUpdate
from tests.conftest import review_sql

NAMES = [
    {"Parent": "Customer", "parent": "customer", "Child": "Order", "value": "name", "app": "shop"},
    {"Parent": "Team", "parent": "team", "Child": "Player", "value": "colour", "app": "league"},
]
INITIAL = """from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="{Parent}",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("{value}", models.CharField(max_length=100)),
            ],
        ),
        migrations.CreateModel(
            name="{Child}",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("{parent}", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, to="{app}.{parent}")),
                ("owner", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="{app}.{parent}")),
                ("{parent}_{value}", models.CharField(max_length=100, null=True)),
                ("required_{value}", models.CharField(max_length=100)),
            ],
        ),
    ]
"""
MIGRATION = """from django.db import migrations
from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce


def forwards(apps, schema_editor):
    {Parent} = apps.get_model("{app}", "{Parent}")
    {Child} = apps.get_model("{app}", "{Child}")
    {body}


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""
LOOKUP = '{Parent}.objects.filter(id=OuterRef("{key}")).values("{value}")[:1]'


def _review(names: dict[str, str], body: str, key: str = "{parent}_id"):  # type: ignore[no-untyped-def]
    lookup = LOOKUP.format(**{**names, "key": key.format(**names)})
    text = MIGRATION.format(**names, body=body.format(**names, lookup=lookup))
    base = {f"{names['app']}/migrations/0001_initial.py": INITIAL.format(**names)}
    return review_sql(text, path=f"{names['app']}/migrations/0002_fill.py", base=base)


def _found(result) -> list[Finding]:  # type: ignore[no-untyped-def]
    return [f for f in result.active if f.rule == "null-from-subquery"]


@pytest.mark.parametrize("names", NAMES)
def test_subquery_without_a_guard_writes_null(names: dict[str, str]) -> None:
    bad = _found(_review(names, "{Child}.objects.update({parent}_{value}=Subquery({lookup}))"))
    table = f"{names['app']}_{names['Child'].lower()}"
    assert len(bad) == 1 and bad[0].severity is Severity.WARNING
    assert f"`{table}.{names['parent']}_{names['value']}` is set from the sub-query" in bad[0].message
    assert f"without a matching `{names['app']}_{names['parent']}` row" in bad[0].message
    required = _found(
        _review(names, "{Child}.objects.filter(id__gt=0).update(required_{value}=Subquery({lookup}))")
    )
    assert len(required) == 1 and required[0].severity is Severity.CRITICAL


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "body",
    [
        "{Child}.objects.filter({parent}__isnull=False).update({parent}_{value}=Subquery({lookup}))",
        "{Child}.objects.filter(Exists({Parent}.objects.filter(id=OuterRef('{parent}_id'))))"
        ".update({parent}_{value}=Subquery({lookup}))",
        "{Child}.objects.update({parent}_{value}=Coalesce(Subquery({lookup}), F('{parent}_{value}')))",
        "{Child}.objects.filter({parent}_{value}__isnull=True).update({parent}_{value}=Subquery({lookup}))",
    ],
    ids=["key-not-null", "exists", "coalesce", "only-empty-rows"],
)
def test_guards_that_keep_the_value(names: dict[str, str], body: str) -> None:
    assert not _found(_review(names, body))


@pytest.mark.parametrize("names", NAMES)
def test_a_not_null_foreign_key_always_matches(names: dict[str, str]) -> None:
    """`OuterRef("owner")` is the column `owner_id`, a NOT NULL key to the sub-query's table."""
    assert not _found(
        _review(names, "{Child}.objects.update({parent}_{value}=Subquery({lookup}))", key="owner")
    )


@pytest.mark.parametrize("names", NAMES)
def test_the_update_reads_as_its_sql(names: dict[str, str]) -> None:
    """The statement the rules read: sub-query aliases like Django's, fields as their columns."""
    body = "{Child}.objects.filter({parent}__isnull=False).update({parent}_{value}=Subquery({lookup}))"
    lookup = LOOKUP.format(**{**names, "key": "owner"})
    text = MIGRATION.format(**names, body=body.format(**names, lookup=lookup))
    app = names["app"]
    tree = MemoryTree({f"{app}/migrations/0001_initial.py": INITIAL.format(**names)})
    migration = django.parse(f"{app}/migrations/0002_fill.py", text, tree, "postgres")
    update = next(op for op in migration.up if isinstance(op, DataUpdate))
    parent, column = f"{app}_{names['parent']}", f"{names['parent']}_{names['value']}"
    assert update.assignments == (
        (
            column,
            f"(SELECT U0.{names['value']} FROM {parent} AS U0 WHERE U0.id = {app}_{names['Child'].lower()}.owner_id "
            "LIMIT 1)",
        ),
    )
    assert update.where == f"{names['parent']}_id IS NOT NULL"
    assert update.sql.startswith(f"{names['Child']}.objects.filter(")


@pytest.mark.parametrize("names", NAMES)
def test_f_across_a_relation_in_update_is_refused_by_django(names: dict[str, str]) -> None:
    """Django raises FieldError for a joined F() in update(): the review says so, at its line."""
    result = _review(names, "{Child}.objects.update({parent}_{value}=F('{parent}__{value}'))")
    refused = [f for f in result.active if "FieldError" in f.message]
    assert len(refused) == 1 and f'F("{names["parent"]}__{names["value"]}")' in refused[0].message
    assert refused[0].location.line == 9
    fine = _review(names, "{Child}.objects.update({parent}_{value}=F('required_{value}'))")
    assert not [f for f in fine.active if "FieldError" in f.message or f.rule == "unparsed-statement"]


@pytest.mark.parametrize("names", NAMES)
def test_querysets_held_in_variables_and_models_looped_over(names: dict[str, str]) -> None:
    """`subquery = Parent.objects.filter(pk=OuterRef(…))` then `Subquery(subquery.values(…)[:1])`, once per
    model of a tuple of `apps.get_model(…)`: each model's update read as SQL. Through the NOT NULL key
    `owner` every row has its match; through the nullable key, rows without one get NULL."""
    body = (
        "subquery = {Parent}.objects.filter(pk=OuterRef('{key}'))\n"
        "    for model in (apps.get_model('{app}', '{Child}'),):\n"
        "        model.objects.update({parent}_{value}=Subquery(subquery.values('{value}')[:1]))"
    )
    assert not _found(_review(names, body.replace("{key}", "owner_id")))
    found = _found(_review(names, body.replace("{key}", "{parent}_id")))
    assert len(found) == 1 and f"`{names['app']}_{names['parent']}` row" in found[0].message


@pytest.mark.parametrize("names", NAMES)
def test_a_condition_on_a_value_known_at_run_time(names: dict[str, str]) -> None:
    """`filter(owner=owner)` with `owner` computed by the code: the statement is still read; its condition
    is kept as the code says it (no parameter pasted into the plan's queries)."""
    body = (
        "owner = {Parent}.objects.first()\n"
        "    {Child}.objects.filter(owner=owner).update({parent}_{value}=Subquery({lookup}))"
    )
    result = _review(names, body)
    assert len(_found(result)) == 1
    assert "$1" not in str(result) and "?" not in "".join(q.sql for q in result.verification_queries)


@pytest.mark.parametrize("names", NAMES)
def test_a_reverse_relation_is_no_column(names: dict[str, str]) -> None:
    """`Parent.objects.filter(children=OuterRef("id"))` joins through a reverse relation: not read as a
    column `children` of the parent's table (the statement is left to the code reading, no finding)."""
    body = (
        "{Child}.objects.update({parent}_{value}=Subquery("
        "{Parent}.objects.filter({child}s=OuterRef('id')).values('{value}')[:1]))"
    ).replace("{child}", names["Child"].lower())
    result = _review(names, body)
    assert not _found(result)
    assert "U0." + names["Child"].lower() not in str(result)


@pytest.mark.parametrize("names", NAMES)
def test_ids_computed_by_the_code(names: dict[str, str]) -> None:
    """`filter(pk__in=ids)` with `ids` computed at run time: the update is read, its sub-query judged."""
    body = (
        "ids = list({Child}.objects.values_list('pk', flat=True)[:100])\n"
        "    {Child}.objects.filter(pk__in=ids).update({parent}_{value}=Subquery({lookup}))"
    )
    assert len(_found(_review(names, body))) == 1


@pytest.mark.parametrize("names", NAMES)
def test_ids_selected_by_a_queryset_with_a_match(names: dict[str, str]) -> None:
    """`ids = Child.objects.filter(Exists(…match…)).values_list("pk", flat=True)[:BATCH]` then
    `filter(pk__in=ids).update(…=Subquery(…))`: only rows with a match are written (saleor's batches)."""
    body = (
        "while True:\n"
        "        ids = {Child}.objects.filter(\n"
        "            Exists({Parent}.objects.filter(id=OuterRef('{parent}_id'))), {parent}_{value}__isnull=True\n"
        "        ).values_list('pk', flat=True)[:BATCH_SIZE]\n"
        "        if not ids:\n            break\n"
        "        {Child}.objects.filter(pk__in=ids).update({parent}_{value}=Subquery({lookup}))"
    )
    assert not _found(_review(names, "BATCH_SIZE = 500\n    " + body))
    unguarded = body.replace("Exists({Parent}.objects.filter(id=OuterRef('{parent}_id'))), ", "")
    assert len(_found(_review(names, unguarded))) == 1
