"""Django's `Case(When(…))`, arithmetic on `F()` and `Concat` in a RunPython `update()` read as the SQL they
send, so the rules that judge a SQL CASE judge them: a `Case` without `default` writes NULL into every row no
`When` matches, as a SQL CASE without ELSE does."""

from __future__ import annotations

import pytest

from bot.frameworks import django
from bot.model.changeset import MemoryTree
from bot.model.migration import DataUpdate
from tests.conftest import review_sql

NAMES = [
    {"Model": "Order", "app": "shop", "state": "status", "old": "new", "renamed": "open", "amount": "total"},
    {
        "Model": "Ticket",
        "app": "desk",
        "state": "phase",
        "old": "todo",
        "renamed": "queued",
        "amount": "points",
    },
]
INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="{Model}",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("{state}", models.CharField(max_length=20)),
                ("label", models.CharField(max_length=100, null=True)),
                ("{amount}", models.IntegerField(default=0)),
            ],
        ),
    ]
"""
MIGRATION = """from django.db import migrations
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce, Concat


def forwards(apps, schema_editor):
    {Model} = apps.get_model("{app}", "{Model}")
    {body}


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""


def _migration(names: dict[str, str], body: str) -> str:
    return MIGRATION.format(**names, body=body.format(**names))


def _review(names: dict[str, str], body: str):  # type: ignore[no-untyped-def]
    base = {f"{names['app']}/migrations/0001_initial.py": INITIAL.format(**names)}
    return review_sql(_migration(names, body), path=f"{names['app']}/migrations/0002_fill.py", base=base)


def _updates(names: dict[str, str], body: str) -> list[tuple[object, ...]]:
    app = names["app"]
    tree = MemoryTree({f"{app}/migrations/0001_initial.py": INITIAL.format(**names)})
    migration = django.parse(f"{app}/migrations/0002_fill.py", _migration(names, body), tree, "postgres")
    return [(op.table, op.assignments, op.where) for op in migration.up if isinstance(op, DataUpdate)]


CASE = '{state}=Case(When({state}="{old}", then=Value("{renamed}")){default})'


@pytest.mark.parametrize("names", NAMES)
def test_a_case_without_default_writes_null_into_the_other_rows(names: dict[str, str]) -> None:
    body = "{Model}.objects.update(" + CASE.replace("{default}", "") + ")"
    found = [f for f in _review(names, body).active if f.rule == "case-without-else"]
    assert len(found) == 1, found
    assert names["state"] in found[0].message


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "body",
    [
        "{Model}.objects.update(" + CASE.replace("{default}", ', default=F("{state}")') + ")",
        "{Model}.objects.update(" + CASE.replace("{default}", ', default="{state}"') + ")",
        '{Model}.objects.filter({state}="{old}").update(' + CASE.replace("{default}", "") + ")",
    ],
    ids=["default-keeps-the-value", "default-names-the-field", "only-the-matched-rows"],
)
def test_a_case_that_says_what_the_other_rows_keep(names: dict[str, str], body: str) -> None:
    assert not [f for f in _review(names, body).active if f.rule == "case-without-else"]


@pytest.mark.parametrize("names", NAMES)
def test_the_case_reads_as_its_sql(names: dict[str, str]) -> None:
    table = f"{names['app']}_{names['Model'].lower()}"
    state, old, new = names["state"], names["old"], names["renamed"]
    body = "{Model}.objects.update(" + CASE.replace("{default}", ', default=F("{state}")') + ")"
    assert _updates(names, body) == [
        (table, ((state, f"CASE WHEN {state} = '{old}' THEN '{new}' ELSE {state} END"),), None)
    ]
    amount = names["amount"]
    arithmetic = '{Model}.objects.filter({amount}__lt=10).update({amount}=F("{amount}") * 2 + 1)'
    assert _updates(names, arithmetic) == [(table, ((amount, f"{amount} * 2 + 1"),), f"{amount} < 10")]
    joined = '{Model}.objects.update(label=Concat("{state}", Value(": "), F("label")))'
    assert _updates(names, joined) == [(table, (("label", f"CONCAT_WS('', {state}, ': ', label)"),), None)]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    ("value", "sql"),
    [
        ("timezone.now()", "CURRENT_TIMESTAMP"),
        ("datetime.datetime.now(tz=datetime.UTC).date()", "CURRENT_DATE"),
        ("Now()", "CURRENT_TIMESTAMP"),
        ('Decimal("0.00")', "0.00"),
    ],
)
def test_values_python_computes_before_sending(names: dict[str, str], value: str, sql: str) -> None:
    """What Python computes once (the time, a Decimal) is one value for every row, sent as such."""
    table = f"{names['app']}_{names['Model'].lower()}"
    body = "{Model}.objects.filter(label__isnull=True).update(label=" + value + ")"
    assert _updates(names, body) == [(table, (("label", sql),), "label IS NULL")]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "value",
    [
        'Case(When({state}="{old}", then="{renamed}"), default=F("{state}"))',
        'Case(When({state}="{old}", then=Value("{renamed}")), default="unknown")',
        'Coalesce("label", "{renamed}")',
    ],
    ids=["then", "default", "coalesce"],
)
def test_a_plain_string_where_django_reads_a_field_fails_the_migration(
    names: dict[str, str], value: str
) -> None:
    body = "{Model}.objects.update({column}=" + value + ")"
    column = "label" if "Coalesce" in value else names["state"]
    found = [
        f
        for f in _review(names, body.replace("{column}", column)).active
        if f.rule == "string-as-field-update"
    ]
    assert len(found) == 1 and found[0].severity.value == "critical"
    assert "FieldError" in found[0].message and "Value(" in (found[0].fix or "")


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "value",
    [
        'Case(When({state}="{old}", then=Value("{renamed}")), default="{state}")',
        'Coalesce("label", Value("{renamed}"))',
        'Case(When({state}="{old}", then="label"), default=F("{state}"))',
    ],
    ids=["value-and-field", "coalesce-value", "then-names-a-field"],
)
def test_strings_naming_fields_and_values_in_value_pass(names: dict[str, str], value: str) -> None:
    column = "label" if "Coalesce" in value else names["state"]
    body = "{Model}.objects.update(" + column + "=" + value + ")"
    assert not [f for f in _review(names, body).active if f.rule == "string-as-field-update"]
