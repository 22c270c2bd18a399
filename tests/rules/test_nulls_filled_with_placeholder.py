"""nulls-filled-with-placeholder: a constant written into a column's NULLs just before it becomes NOT NULL
turns "never known" into a value; quiet for the column's default, booleans, new columns and real backfills."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql
from tests.rules.django_app import data_migration, review_migration

RULE = "nulls-filled-with-placeholder"
NAMES = [("accounts", "country", "'unknown'", "region"), ("sensors", "reading", "0", "calibrated")]


def _schema(table: str, column: str, value: str, other: str, default: str = "") -> str:
    kind = "text" if value.startswith("'") else "integer"
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} {kind}{default}, {other} {kind}, flag boolean);\n"
        "-- migration\n"
    )


def _found(sql: str, dialect: str = "postgres") -> list[str]:
    return [f.message for f in review_sql(sql, dialect=dialect).active if f.rule == RULE]


@pytest.mark.parametrize(("table", "column", "value", "other"), NAMES)
def test_a_placeholder_written_into_nulls_before_not_null(
    table: str, column: str, value: str, other: str
) -> None:
    schema = _schema(table, column, value, other)
    not_null = f"ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL;"
    for fill in (
        f"UPDATE {table} SET {column} = {value} WHERE {column} IS NULL;",
        f"UPDATE {table} SET {column} = COALESCE({column}, {value});",
        f"UPDATE {table} SET {column} = {value} WHERE {column} IS NULL AND id >= 1 AND id < 1000;",
    ):
        messages = _found(schema + fill + "\n" + not_null)
        assert len(messages) == 1 and f"`{table}.{column}` are filled with {value}" in messages[0], (
            fill,
            messages,
        )
    number = _found(schema + f"UPDATE {table} SET {column} = {value} WHERE {column} IS NULL;\n{not_null}")[0]
    assert ("sum and average" in number) is (not value.startswith("'"))
    kind = "text" if value.startswith("'") else "int"
    mysql = f"UPDATE {table} SET {column} = {value} WHERE {column} IS NULL;\nALTER TABLE {table} MODIFY {column} {kind} NOT NULL;"
    assert _found(schema + mysql, dialect="mysql")


@pytest.mark.parametrize(("table", "column", "value", "other"), NAMES)
def test_defaults_booleans_new_columns_and_real_backfills_are_not(
    table: str, column: str, value: str, other: str
) -> None:
    schema = _schema(table, column, value, other)
    not_null = f"ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL;"
    fill = f"UPDATE {table} SET {column} = {value} WHERE {column} IS NULL;\n"
    for sql in (
        # no NOT NULL after it: a fill, not a placeholder for the constraint
        fill,
        # the column's default: new rows get it too
        fill + f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {value};\n" + not_null,
        # a real backfill from another column
        f"UPDATE {table} SET {column} = {other} WHERE {column} IS NULL;\n" + not_null,
        # the empty string: text's own "nothing" (pypi/warehouse a8ebe73ccaf2 fills `environment` so)
        f"UPDATE {table} SET {other} = '' WHERE {other} IS NULL;\nALTER TABLE {table} ALTER COLUMN {other} SET NOT NULL;"
        if value.startswith("'")
        else fill,
        # a boolean flag
        f"UPDATE {table} SET flag = false WHERE flag IS NULL;\nALTER TABLE {table} ALTER COLUMN flag SET NOT NULL;",
        # a column the migration adds
        f"ALTER TABLE {table} ADD COLUMN {column}_v2 text;\n"
        f"UPDATE {table} SET {column}_v2 = 'x' WHERE {column}_v2 IS NULL;\n"
        f"ALTER TABLE {table} ALTER COLUMN {column}_v2 SET NOT NULL;",
    ):
        assert not _found(schema + sql), sql
    defaulted = _schema(table, column, value, other, default=f" DEFAULT {value}")
    assert not _found(defaulted + fill + not_null)


FIELDS = {"nickname": "models.CharField(max_length=40, null=True)"}


@pytest.mark.parametrize("model", ["Member", "Player"])
def test_django_fill_then_alter_field(model: str) -> None:
    """A RunPython that fills the NULLs, then an AlterField to null=False in the same migration."""
    text = data_migration(
        model, f"{model}.objects.filter(nickname__isnull=True).update(nickname='anonymous')"
    )
    text = text.replace(
        "operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]",
        "operations = [\n        migrations.RunPython(forwards, migrations.RunPython.noop),\n"
        f'        migrations.AlterField(model_name="{model.lower()}", name="nickname", '
        "field=models.CharField(max_length=40)),\n    ]",
    ).replace("from django.db import migrations", "from django.db import migrations, models")
    result = review_migration(model, FIELDS, text)
    [finding] = [f for f in result.active if f.rule == RULE]
    assert "'anonymous'" in finding.message


@pytest.mark.parametrize(("table", "column"), [("users", "country"), ("devices", "platform")])
def test_rails_change_column_null_with_a_fill_value(table: str, column: str) -> None:
    """`change_column_null :users, :country, false, "unknown"` writes the value into the NULLs first."""
    schema = {"db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(20));\n"}

    def found(args: str) -> list[str]:
        text = (
            "class Fill < ActiveRecord::Migration[7.1]\n  def change\n"
            f"    change_column_null :{table}, :{column}, false{args}\n  end\nend\n"
        )
        result = review_sql(text, path="db/migrate/20260101000000_fill.rb", base=schema)
        return [f.message for f in result.active if f.rule == RULE]

    assert len(found(', "unknown"')) == 1
    assert not found("")
