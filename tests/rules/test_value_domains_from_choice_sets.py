"""Classes of constants with a `CHOICES` list (NetBox's `ChoiceSet`) and constants modules whose choices
pairs name their constants (`(ORDER_STATUS_OPEN, "Open")`) are the values of the column a model field ties
them to (`choices=StatusChoices`, `choices=StatusChoices.CHOICES`, `choices=constants.STATUS_CHOICES`), even
when the field's call spans several lines: a data migration writing a value outside them is
`value-not-allowed`. Constants no field names, and choices whose values cannot all be read, are no domain."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql
from tests.rules.test_value_not_allowed import DJANGO_MIGRATION

RULE = "value-not-allowed"
# (model, column, allowed values, a value outside them)
NAMES = [
    ("Site", "status", ("planned", "active"), "retired"),
    ("Cable", "kind", ("copper", "fiber"), "radio"),
]

CHOICE_SET = """from django.utils.translation import gettext_lazy as _

from utilities.choices import ChoiceSet


class {model}{Column}Choices(ChoiceSet):
    key = "{model}.{column}"

    {COLUMN}_{ONE} = "{one}"
    {COLUMN}_{TWO} = "{two}"

    CHOICES = [
        ({COLUMN}_{ONE}, _("{One}"), "blue"),
        ({COLUMN}_{TWO}, _("{Two}"), "green"),
    ]
"""
CONSTANTS = """from django.utils.translation import pgettext_lazy

{MODEL}_{COLUMN}_{ONE} = "{one}"
{MODEL}_{COLUMN}_{TWO} = "{two}"
{MODEL}_{COLUMN}_CHOICES = (
    (None, "---"),
    ({MODEL}_{COLUMN}_{ONE}, "{One}"),
    ({MODEL}_{COLUMN}_{TWO}, pgettext_lazy("{column} of a {model}", "{Two}")),
)
"""
MODELS = """from django.db import models

from . import choices
from .choices import *


class {model}(models.Model):
    {column} = models.CharField(
        max_length=50,
        choices={choices},
        default="{one}",
    )
    note = models.TextField()
"""
TIES = {
    "choice-set": (CHOICE_SET, "{model}{Column}Choices"),
    "choice-set-list": (CHOICE_SET, "{model}{Column}Choices.CHOICES"),
    "constants-module": (CONSTANTS, "choices.{MODEL}_{COLUMN}_CHOICES"),
    "constants-imported": (CONSTANTS, "{MODEL}_{COLUMN}_CHOICES"),
}


def _found(result) -> list[Finding]:  # type: ignore[no-untyped-def]
    return [f for f in result.active if f.rule == RULE]


def _review(
    model: str, column: str, values: tuple[str, str], written: str, choices: str, models: str = MODELS
):  # type: ignore[no-untyped-def]
    one, two = values
    words = {
        "model": model,
        "MODEL": model.upper(),
        "column": column,
        "Column": column.title(),
        "COLUMN": column.upper(),
        "one": one,
        "two": two,
        "One": one.title(),
        "Two": two.title(),
        "ONE": one.upper(),
        "TWO": two.upper(),
    }
    source, tie = TIES[choices]
    head = {
        "dcim/choices.py": source.format(**words),
        "dcim/models.py": models.format(choices=tie.format(**words), **words),
    }
    text = DJANGO_MIGRATION.format(model=model, column=column, value=written).replace('"shop"', '"dcim"')
    return review_sql(text, path="dcim/migrations/0002_fill.py", head=head)


@pytest.mark.parametrize(("model", "column", "values", "bad"), NAMES)
@pytest.mark.parametrize("choices", list(TIES))
def test_a_value_outside_the_tied_choices(
    model: str, column: str, values: tuple[str, str], bad: str, choices: str
) -> None:
    found = _found(_review(model, column, values, bad, choices))
    assert len(found) == 1 and found[0].severity is Severity.CRITICAL
    assert f"`dcim_{model.lower()}.{column}` is written '{bad}'" in found[0].message
    assert all(f"'{v}'" in found[0].message for v in values) and "dcim/choices.py" in found[0].message
    assert not _found(_review(model, column, values, values[1], choices))


UNTIED = """from django.db import models

from .choices import *


class {model}(models.Model):
    {column} = models.CharField(max_length=50)
    note = models.TextField()
"""
PARTLY_KNOWN = """from django.db import models

from other.constants import LEGACY


class {model}(models.Model):
    {column} = models.CharField(max_length=50, choices={model}{Column}Options.CHOICES)
    note = models.TextField()


class {model}{Column}Options:
    {COLUMN}_{ONE} = "{one}"

    CHOICES = [({COLUMN}_{ONE}, "{One}"), (LEGACY, "Legacy")]
"""


@pytest.mark.parametrize(("model", "column", "values", "bad"), NAMES)
@pytest.mark.parametrize("choices", list(TIES))
def test_constants_no_field_names_are_no_domain(
    model: str, column: str, values: tuple[str, str], bad: str, choices: str
) -> None:
    assert not _found(_review(model, column, values, bad, choices, models=UNTIED))


@pytest.mark.parametrize(("model", "column", "values", "bad"), NAMES)
def test_choices_with_a_value_that_cannot_be_read_are_no_domain(
    model: str, column: str, values: tuple[str, str], bad: str
) -> None:
    assert not _found(_review(model, column, values, bad, "choice-set", models=PARTLY_KNOWN))


SERIALIZER = """from rest_framework import serializers

from dcim.choices import *


class {model}Serializer(serializers.ModelSerializer):
    {column} = ChoiceField(choices={model}{Column}Choices, required=False)
"""
LOOPED = """from django.db import migrations

OLD_VALUE = "{old}"
NEW_VALUE = "{new}"


def correct(apps, schema_editor):
    {model} = apps.get_model("dcim", "{model}")
    {model}Template = apps.get_model("dcim", "{model}Template")

    for model in ({model}, {model}Template):
        model.objects.filter({column}=OLD_VALUE).update({column}=NEW_VALUE)


class Migration(migrations.Migration):
    dependencies = [("dcim", "0001_initial")]
    operations = [migrations.RunPython(correct, migrations.RunPython.noop)]
"""
TWO_MODELS = """from django.db import models

from .choices import *


class {model}(models.Model):
    {column} = models.CharField(max_length=50, choices={model}{Column}Choices)


class {model}Template(models.Model):
    {column} = models.CharField(
        max_length=50,
        choices={model}{Column}Choices,
    )
"""


@pytest.mark.parametrize(("model", "column", "values", "bad"), NAMES)
def test_models_of_several_words_looped_over_beside_serializers(
    model: str, column: str, values: tuple[str, str], bad: str
) -> None:
    """A serializer naming the same choices (listed first) does not hide the model's field; a model named in
    two words is its table's (`dcim_<model>template`); each model of `for model in (A, B)` is written."""
    words = {"model": model, "column": column, "Column": column.title(), "COLUMN": column.upper()}
    one, two = values
    head = {
        "dcim/api/serializers.py": SERIALIZER.format(**words),
        "dcim/choices.py": CHOICE_SET.format(
            one=one, two=two, One=one.title(), Two=two.title(), ONE=one.upper(), TWO=two.upper(), **words
        ),
        "dcim/models.py": TWO_MODELS.format(**words),
    }
    path = "dcim/migrations/0002_correct.py"
    found = _found(review_sql(LOOPED.format(old=one, new=bad, **words), path=path, head=head))
    tables = sorted(f.message.split("`")[1] for f in found)
    assert tables == [f"dcim_{model.lower()}.{column}", f"dcim_{model.lower()}template.{column}"], found
    assert not _found(review_sql(LOOPED.format(old=one, new=two, **words), path=path, head=head))


PLAIN_CLASS = """class {model}{Column}:
    {ONE} = "{one}"
    {TWO} = (
        "{two}"  # a value in parentheses is not read: the list below is no domain
    )

    CHOICES = [({ONE}, "{One}"), ({TWO}, "{Two}")]


class {model}Grade:
    {ONE} = "{one}"
    {TWO} = "{two}"

    CHOICES = [
        ({ONE}, "{One}"),
        (
            {TWO},
            "{Two}, "
            "written over two lines",
        ),
    ]
"""
PLAIN_MODELS = """from django.db import models

from .choices import {model}{Column}, {model}Grade


class {model}(models.Model):
    {column} = models.CharField(max_length=32, default={model}{Column}.{ONE}, choices={model}{Column}.CHOICES)
    grade = models.CharField(
        max_length=32,
        choices={model}Grade.CHOICES,
    )
"""


@pytest.mark.parametrize(("model", "column", "values", "bad"), NAMES)
def test_plain_classes_of_constants(model: str, column: str, values: tuple[str, str], bad: str) -> None:
    """A class without bases holding constants and their `CHOICES` (Saleor's `OrderStatus`); a value the
    reader cannot take from its constant makes that list no domain rather than a domain with a hole."""
    one, two = values
    words = {"model": model, "column": column, "Column": column.title(), "one": one, "two": two}
    words |= {"One": one.title(), "Two": two.title(), "ONE": one.upper(), "TWO": two.upper()}
    head = {"dcim/choices.py": PLAIN_CLASS.format(**words), "dcim/models.py": PLAIN_MODELS.format(**words)}
    path = "dcim/migrations/0002_fill.py"

    def review(column_written: str, value: str):  # type: ignore[no-untyped-def]
        text = DJANGO_MIGRATION.format(model=model, column=column_written, value=value).replace(
            '"shop"', '"dcim"'
        )
        return review_sql(text, path=path, head=head)

    found = _found(review("grade", bad))
    assert len(found) == 1 and f"Django choices `{model}Grade`" in found[0].message
    assert not _found(review("grade", two))
    assert not _found(review(column, bad))  # its choices could not all be read
