"""A `CreateModel`'s options are the table's as much as later operations are: its `unique_together`,
`constraints` and `indexes` are built with the table, and its `db_table` names it. Each option is read on its
own, so one that is no literal (netbox's `ordering` with `CollateAsChar("_name")`, paperless-ngx's squashed
`constraints` with `models.UniqueConstraint(…)`) no longer hides the others: a unique key declared there and
dropped later was not reported, and a table named by `db_table` beside `indexes` was taken for
`<app>_<model>`."""

from __future__ import annotations

import pytest

from tests.rules.django_app import review_migration

# model, the key's two fields, an ordering that is no literal
NAMES = [
    ("Cluster", "tenant", "name", 'CollateAsChar("_name")'),
    ("CustomField", "owner", "label", 'Lower("label")'),
]

_MIGRATION = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
{operations}
    ]
"""


def _rules(model: str, first: str, second: str, options: str, operations: str) -> list[str]:
    fields = {first: "models.BigIntegerField()", second: "models.CharField(max_length=50)"}
    text = _MIGRATION.format(operations=operations)
    return [f.rule for f in review_migration(model, fields, text, options=options).active]


@pytest.mark.parametrize(("model", "first", "second", "ordering"), NAMES)
def test_unique_together_beside_an_ordering_expression(
    model: str, first: str, second: str, ordering: str
) -> None:
    options = f'{{"ordering": ("{first}", {ordering}), "unique_together": {{("{first}", "{second}")}}}}'
    lower = model.lower()
    dropped = f'        migrations.AlterUniqueTogether(name="{lower}", unique_together=set()),'
    assert "unique-key-dropped" in _rules(model, first, second, options, dropped)
    kept = f'        migrations.AlterUniqueTogether(name="{lower}", unique_together={{("{first}", "{second}")}}),'
    assert "unique-key-dropped" not in _rules(model, first, second, options, kept)


@pytest.mark.parametrize(("model", "first", "second", "ordering"), NAMES)
def test_a_unique_constraint_of_the_options(model: str, first: str, second: str, ordering: str) -> None:
    lower = model.lower()
    key = f'models.UniqueConstraint(fields=("{first}", "{second}"), name="{lower}_unique_pair")'
    options = f'{{"ordering": ("{first}",), "constraints": [{key}]}}'
    dropped = f'        migrations.RemoveConstraint(model_name="{lower}", name="{lower}_unique_pair"),'
    assert "unique-key-dropped" in _rules(model, first, second, options, dropped)
    replaced = (
        dropped
        + f'\n        migrations.AddConstraint(model_name="{lower}", constraint=models.UniqueConstraint(fields=("{second}",), name="{lower}_unique_{second}")),'
    )
    assert "unique-key-dropped" not in _rules(model, first, second, options, replaced)
    # a wider key over the options' key needs no duplicate check; a key over other columns does
    wider = f'        migrations.AddConstraint(model_name="{lower}", constraint=models.UniqueConstraint(fields=("{first}", "{second}", "id"), name="{lower}_wide")),'
    assert "unique-without-duplicate-check" not in _rules(model, first, second, options, wider)
    other = f'        migrations.AddConstraint(model_name="{lower}", constraint=models.UniqueConstraint(fields=("{second}",), name="{lower}_only")),'
    assert "unique-without-duplicate-check" in _rules(model, first, second, options, other)


@pytest.mark.parametrize(("model", "first", "second", "ordering"), NAMES)
def test_db_table_beside_an_index_of_the_options(model: str, first: str, second: str, ordering: str) -> None:
    table = f"legacy_{model.lower()}s"
    index = f'models.Index(fields=["{second}"], name="{model.lower()}_{second}_idx")'
    options = f'{{"db_table": "{table}", "ordering": ({ordering},), "indexes": [{index}]}}'
    removed = f'        migrations.RemoveField(model_name="{model.lower()}", name="{first}"),'
    fields = {first: "models.BigIntegerField()", second: "models.CharField(max_length=50)"}
    result = review_migration(model, fields, _MIGRATION.format(operations=removed), options=options)
    [dropped] = [f for f in result.active if f.rule == "column-dropped"]
    assert f"`{table}.{first}`" in dropped.message
    # the index of the options is the table's: dropping it is a drop of an existing index
    index_dropped = (
        f'        migrations.RemoveIndex(model_name="{model.lower()}", name="{model.lower()}_{second}_idx"),'
    )
    result = review_migration(model, fields, _MIGRATION.format(operations=index_dropped), options=options)
    assert any(table in f.message for f in result.active if f.rule == "non-concurrent-index-drop")
