"""Groups of single constants sharing a prefix (`STATUS_OPEN = "open"`, `STATUS_CLOSED = "closed"`) are the
values of the column the prefix names, in Python, Ruby, TypeScript, Java and Kotlin: a data change writing
a value outside the group is `value-not-allowed`, one inside it is quiet. A single constant, a group named
after no column of the table, and settings (`NAME_MAX_LENGTH`) are no domain."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding
from tests.conftest import review_sql
from tests.rules.test_value_not_allowed import DJANGO_MIGRATION

NAMES = [
    ("Order", "orders", "status", "open", "closed", "archived"),
    ("Shipment", "shipments", "stage", "packed", "sent", "lost"),
]


def _found(result) -> list[Finding]:  # type: ignore[no-untyped-def]
    return [f for f in result.active if f.rule == "value-not-allowed"]


DJANGO_IN_CLASS = """from django.db import models


class {model}(models.Model):
    {COLUMN}_{ONE} = "{one}"
    {COLUMN}_{TWO} = "{two}"
    {COLUMN}_CHOICES = (({COLUMN}_{ONE}, "One"), ({COLUMN}_{TWO}, "Two"))
    NOTE_MAX_LENGTH = 200

    {column} = models.CharField(max_length=10, choices={COLUMN}_CHOICES)
    note = models.TextField()
"""
DJANGO_IN_MODULE = """from django.db import models

{COLUMN}_{ONE} = "{one}"
{COLUMN}_{TWO} = "{two}"


class Customer(models.Model):
    name = models.TextField()


class {model}(models.Model):
    {column} = models.CharField(max_length=10, default={COLUMN}_{ONE})
    note = models.TextField()
"""


def _django(source: str, model: str, column: str, one: str, two: str, value: str):  # type: ignore[no-untyped-def]
    words = {"ONE": one.upper(), "TWO": two.upper(), "COLUMN": column.upper()}
    head = {"shop/models.py": source.format(model=model, column=column, one=one, two=two, **words)}
    text = DJANGO_MIGRATION.format(model=model, column=column, value=value)
    return review_sql(text, path="shop/migrations/0002_fill.py", head=head)


@pytest.mark.parametrize(("model", "table", "column", "one", "two", "bad"), NAMES)
@pytest.mark.parametrize("source", [DJANGO_IN_CLASS, DJANGO_IN_MODULE], ids=["class", "module"])
def test_django_constant_group_of_the_model(  # type: ignore[no-untyped-def]
    model: str, table: str, column: str, one: str, two: str, bad: str, source: str
) -> None:
    found = _found(_django(source, model, column, one, two, bad))
    assert len(found) == 1 and f"`shop_{model.lower()}.{column}` is written '{bad}'" in found[0].message
    # in the class, the field's `choices=` list names the constants: that list is the column's domain
    named = f"Django choices `{column.upper()}_CHOICES`" if source is DJANGO_IN_CLASS else "Python constant"
    assert f"{named}" in found[0].message and f"'{one}', '{two}'" in found[0].message
    good = _django(source, model, column, one, two, two)
    assert not _found(good)


@pytest.mark.parametrize(("model", "table", "column", "one", "two", "bad"), NAMES)
def test_groups_that_name_no_column_of_the_table_stay_quiet(  # type: ignore[no-untyped-def]
    model: str, table: str, column: str, one: str, two: str, bad: str
) -> None:
    """A group named after another column, a lone constant, a group of another model, settings."""
    other = """from django.db import models


class {model}(models.Model):
    COLOR_RED = "red"
    COLOR_BLUE = "blue"
    {COLUMN}_{ONE} = "{one}"
    {COLUMN}_MAX_LENGTH = 10
    {COLUMN}_DEFAULT_LABEL = "Nothing yet"
    {column} = models.CharField(max_length=10)
    note = models.TextField()


class Invoice(models.Model):
    {COLUMN}_{ONE} = "{one}"
    {COLUMN}_{TWO} = "{two}"
    {column} = models.CharField(max_length=10)
"""
    assert not _found(_django(other, model, column, one, two, bad))


RAILS_PATH = "db/migrate/20260101000000_fix_data.rb"


@pytest.mark.parametrize(("model", "table", "column", "one", "two", "bad"), NAMES)
def test_ruby_constant_group_of_the_model(  # type: ignore[no-untyped-def]
    model: str, table: str, column: str, one: str, two: str, bad: str
) -> None:
    source = (
        f"class {model} < ApplicationRecord\n  {column.upper()}_{one.upper()} = '{one}'.freeze\n"
        f'  {column.upper()}_{two.upper()} = "{two}"\n  TITLE_MAX = 80\nend\n'
    )
    head = {f"app/models/{model.lower()}.rb": source}

    def migration(value: str) -> str:
        return (
            "class FixData < ActiveRecord::Migration[7.1]\n  def up\n"
            f'    {model}.where(note: "x").update_all({column}: "{value}")\n  end\n\n  def down\n  end\nend\n'
        )

    found = _found(review_sql(migration(bad), path=RAILS_PATH, head=head))
    assert len(found) == 1 and f"`{table}.{column}` is written '{bad}'" in found[0].message
    assert f"Ruby constant `{column.upper()}`" in found[0].message
    assert not _found(review_sql(migration(two), path=RAILS_PATH, head=head))


SCHEMA = "CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(20), note text);\n-- migration\n"
OTHER_LANGUAGES = [
    (
        "src/models/{model}.ts",
        "export class {model} {{\n  static readonly {COLUMN}_{ONE} = '{one}';\n"
        '  static readonly {COLUMN}_{TWO} = "{two}";\n}}\n',
    ),
    (
        "src/main/java/shop/{model}.java",
        'public class {model} {{\n    public static final String {COLUMN}_{ONE} = "{one}";\n'
        '    public static final String {COLUMN}_{TWO} = "{two}";\n}}\n',
    ),
    (
        "src/main/kotlin/shop/{model}.kt",
        'class {model} {{\n    companion object {{\n        const val {COLUMN}_{ONE} = "{one}"\n'
        '        const val {COLUMN}_{TWO} = "{two}"\n    }}\n}}\n',
    ),
]


@pytest.mark.parametrize(("model", "table", "column", "one", "two", "bad"), NAMES)
@pytest.mark.parametrize(("path", "source"), OTHER_LANGUAGES, ids=["typescript", "java", "kotlin"])
def test_constant_groups_of_a_class_in_other_languages(  # type: ignore[no-untyped-def]
    model: str, table: str, column: str, one: str, two: str, bad: str, path: str, source: str
) -> None:
    words = {"ONE": one.upper(), "TWO": two.upper(), "COLUMN": column.upper()}
    head = {path.format(model=model): source.format(model=model, one=one, two=two, **words)}
    schema = SCHEMA.format(table=table, column=column)
    update = f"UPDATE {table} SET {column} = '{{}}' WHERE note = 'x';"
    found = _found(review_sql(schema + update.format(bad), head=head))
    assert len(found) == 1 and f"'{bad}'" in found[0].message, found
    assert not _found(review_sql(schema + update.format(two), head=head))
