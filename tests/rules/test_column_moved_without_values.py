"""column-dropped: a column dropped while the same migration creates a table that points at its table and has
a column of its name (teable moved `users.provider` to a new `account` table, keyed by `user_id`): the values
look meant to move, and are lost unless the migration copies them first."""

from __future__ import annotations

import pytest

from bot.model.findings import Severity
from tests.conftest import review_sql

NAMES = [("users", "provider", "account", "user_id"), ("orders", "carrier", "shipment", "order_id")]


def _sql(table: str, column: str, new: str, key: str, copy: str = "", references: bool = True) -> str:
    inline = references and table == "users"  # the other name set: the key added after, as Prisma writes it
    fk = f" REFERENCES {table}(id)" if inline else ""
    later = (
        f"ALTER TABLE {new} ADD CONSTRAINT {new}_{key}_fkey FOREIGN KEY ({key}) REFERENCES {table}(id);\n"
        if references and not inline
        else ""
    )
    return (
        f"CREATE TABLE {table} (id text PRIMARY KEY, email text, {column} text);\n-- migration\n"
        f"CREATE TABLE {new} (id text PRIMARY KEY, {key} text NOT NULL{fk}, {column} text NOT NULL);\n"
        + later
        + copy
        + f"ALTER TABLE {table} DROP COLUMN {column};\n"
    )


def _dropped(sql: str):  # type: ignore[no-untyped-def]
    return next(f for f in review_sql(sql).active if f.rule == "column-dropped")


@pytest.mark.parametrize(("table", "column", "new", "key"), NAMES)
def test_a_column_moved_to_a_new_table_without_its_values(
    table: str, column: str, new: str, key: str
) -> None:
    finding = _dropped(_sql(table, column, new, key))
    assert finding.severity is Severity.CRITICAL
    assert f"creates `{new}`, which points at `{table}` and has a `{column}` column too" in finding.message


@pytest.mark.parametrize(("table", "column", "new", "key"), NAMES)
def test_values_copied_first_or_a_table_unrelated_are_no_move(
    table: str, column: str, new: str, key: str
) -> None:
    copy = f"INSERT INTO {new} (id, {key}, {column}) SELECT id, id, {column} FROM {table} WHERE {column} IS NOT NULL;\n"
    copied = _dropped(_sql(table, column, new, key, copy=copy))
    assert "meant to move" not in copied.message and copied.severity is not Severity.CRITICAL
    unrelated = _dropped(_sql(table, column, new, key, references=False))
    assert "meant to move" not in unrelated.message and unrelated.severity is not Severity.CRITICAL


DJANGO_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="{Model}",
            fields=[("id", models.AutoField(primary_key=True)), ("{column}", models.IntegerField(default=0))],
        ),
    ]
"""
DJANGO_MOVE = """from django.db import migrations, models
import django.db.models.deletion


def forwards(apps, schema_editor):
    {Model} = apps.get_model("{app}", "{Model}")
    {New} = apps.get_model("{app}", "{New}")
    for row in {Model}.objects.all():
        {New}.objects.create({key}=row, {column}={value})


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [
        migrations.CreateModel(
            name="{New}",
            fields=[
                ("id", models.AutoField(primary_key=True)),
                ("{column}", models.IntegerField(default=0)),
                ("{key}", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="{app}.{lower}")),
            ],
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(model_name="{lower}", name="{column}"),
    ]
"""


@pytest.mark.parametrize(
    ("app", "model", "new", "column", "key"),
    [
        ("products", "ZendeskTopic", "ZendeskTopicConfiguration", "display_order", "zendesk_topic"),
        ("shop", "Order", "Shipment", "carrier_rank", "order"),
    ],
)
def test_a_django_run_python_that_copies_the_rows_values_is_a_move_with_values(
    app: str, model: str, new: str, column: str, key: str
) -> None:
    """Kitsune's 0031 creates `ZendeskTopicConfiguration` and fills it with `objects.create(…,
    display_order=topic.display_order)` before removing the field: said to copy nothing (critical)."""
    first, path = f"{app}/migrations/0001_initial.py", f"{app}/migrations/0002_move.py"
    base = {first: DJANGO_INITIAL.format(Model=model, column=column)}
    names = {"app": app, "Model": model, "New": new, "column": column, "key": key, "lower": model.lower()}
    copied = review_sql(DJANGO_MOVE.format(**names, value=f"row.{column}"), path=path, base=base)
    finding = next(f for f in copied.active if f.rule == "column-dropped")
    assert "meant to move" not in finding.message and finding.severity is not Severity.CRITICAL
    constant = review_sql(DJANGO_MOVE.format(**names, value="0"), path=path, base=base)
    finding = next(f for f in constant.active if f.rule == "column-dropped")
    assert "meant to move" in finding.message and finding.severity is Severity.CRITICAL


@pytest.mark.parametrize(
    ("first", "second", "column", "new"),
    [("duplication_rule", "suppression_rule", "name", "signal"), ("sellers", "buyers", "label", "deal")],
)
def test_a_column_dropped_from_two_tables_the_new_one_points_at_has_no_one_source(
    first: str, second: str, column: str, new: str
) -> None:
    """dispatch's 01aa49ca0470 creates `signal`, which points at `duplication_rule` and `suppression_rule`,
    while it drops `name` from both: a `name` of its own, not the values of either moved."""
    sql = (
        f"CREATE TABLE {first} (id int PRIMARY KEY, {column} text);\n"
        f"CREATE TABLE {second} (id int PRIMARY KEY, {column} text);\n-- migration\n"
        f"CREATE TABLE {new} (id int PRIMARY KEY, {column} text, {first}_id int REFERENCES {first}(id), "
        f"{second}_id int REFERENCES {second}(id));\n"
        f"ALTER TABLE {first} DROP COLUMN {column};\nALTER TABLE {second} DROP COLUMN {column};\n"
    )
    found = [f for f in review_sql(sql).active if f.rule == "column-dropped"]
    assert len(found) == 2 and not [f for f in found if "meant to move" in f.message], found
    # one of them dropped alone still reads as a move
    alone = sql.replace(f"ALTER TABLE {second} DROP COLUMN {column};\n", "")
    assert "meant to move" in _dropped(alone).message
