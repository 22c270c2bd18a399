"""`type-change-without-using`: a PostgreSQL type change with no automatic cast and no USING fails on every
database; checked against PostgreSQL itself, and read from SQL, Rails, Alembic and Django."""

from __future__ import annotations

from typing import Any

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

FAILING = [
    ("varchar(10)", "integer"),
    ("text", "boolean"),
    ("integer", "boolean"),
    ("text", "uuid"),
    ("varchar(30)", "date"),
    ("boolean", "integer"),
    ("text", "jsonb"),
]
CONVERTING = [
    ("varchar(10)", "text"),
    ("integer", "bigint"),
    ("bigint", "numeric(20, 0)"),
    ("timestamp", "timestamptz"),
    ("json", "jsonb"),
    ("integer", "text"),
    ("uuid", "varchar(36)"),
]
NAMES = [("users", "zip"), ("devices", "serial_no")]


def _found(result: Review) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == "type-change-without-using"]


def _sql(table: str, column: str, old: str, new: str, using: str = "") -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} {old});\n-- migration\n"
        f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {new}{using};"
    )


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize(("old", "new"), FAILING)
def test_no_automatic_cast_fails_and_postgres_agrees(
    pg: Any, table: str, column: str, old: str, new: str
) -> None:
    (finding,) = _found(review_sql(_sql(table, column, old, new)))
    assert f"`{table}.{column}` changes from `" in finding.message and "without USING" in finding.message
    pg.execute(
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} {old})"
    )  # empty: it fails all the same
    with pytest.raises(Exception, match="cannot be cast automatically"):
        pg.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {new}")


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize(("old", "new"), CONVERTING)
def test_an_automatic_cast_converts_and_postgres_agrees(
    pg: Any, table: str, column: str, old: str, new: str
) -> None:
    assert not _found(review_sql(_sql(table, column, old, new)))
    pg.execute(f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} {old})")
    pg.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {new}")


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize(("old", "new"), FAILING[:3])
def test_a_using_clause_or_another_database_is_quiet(table: str, column: str, old: str, new: str) -> None:
    assert not _found(review_sql(_sql(table, column, old, new, f" USING {column}::{new}")))
    mysql = _sql(table, column, old, new).replace(f"ALTER COLUMN {column} TYPE", f"MODIFY COLUMN {column}")
    assert not _found(review_sql(mysql, dialect="mysql"))


def test_a_domain_is_not_judged(pg: Any) -> None:
    """A domain over the column's type takes its values as they are (an enum does not: see
    test_quoted_type_names)."""
    schema = (
        "CREATE DOMAIN mood AS text CHECK (VALUE IN ('ok', 'sad'));\n"
        "CREATE TABLE people (id bigint PRIMARY KEY, mood text);\n"
    )
    sql = schema + "-- migration\nALTER TABLE people ALTER COLUMN mood TYPE mood;"
    assert not _found(review_sql(sql))
    pg.execute(schema)
    pg.execute("ALTER TABLE people ALTER COLUMN mood TYPE mood")


SCHEMA_RB = (
    'ActiveRecord::Schema[7.1].define(version: 1) do\n  create_table "{table}" do |t|\n'
    '    t.string "{column}", limit: 10\n  end\nend\n'
)


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize(
    ("options", "expected"), [("", 1), (', using: "{column}::integer"', 0), (", cast_as: :integer", 0)]
)
def test_rails_change_column(table: str, column: str, options: str, expected: int) -> None:
    body = (
        f"  def change\n    change_column :{table}, :{column}, :integer{options.format(column=column)}\n  end"
    )
    result = review_sql(
        f"class Change < ActiveRecord::Migration[7.1]\n{body}\nend\n",
        path="db/migrate/20260101000000_change.rb",
        base={"db/schema.rb": SCHEMA_RB.format(table=table, column=column)},
    )
    assert len(_found(result)) == expected


ALEMBIC = (
    'revision = "b2"\ndown_revision = "a1"\n\nimport sqlalchemy as sa\nfrom alembic import op\n\n\n'
    'def upgrade():\n    op.alter_column("{table}", "{column}", type_=sa.Integer(){extra})\n\n\n'
    'def downgrade():\n    op.alter_column("{table}", "{column}", type_=sa.String(10))\n'
)
ALEMBIC_BASE = (
    'revision = "a1"\ndown_revision = None\n\nimport sqlalchemy as sa\nfrom alembic import op\n\n\n'
    'def upgrade():\n    op.create_table("{table}", sa.Column("id", sa.BigInteger(), primary_key=True), '
    'sa.Column("{column}", sa.String(10)))\n'
)


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize(("extra", "expected"), [("", 1), (', postgresql_using="{column}::integer"', 0)])
def test_alembic_alter_column(table: str, column: str, extra: str, expected: int) -> None:
    result = review_sql(
        ALEMBIC.format(table=table, column=column, extra=extra.format(column=column)),
        path="alembic/versions/b2_change.py",
        base={"alembic/versions/a1_create.py": ALEMBIC_BASE.format(table=table, column=column)},
    )
    assert len(_found(result)) == expected


DJANGO_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [migrations.CreateModel(name="Device", fields=[("id", models.BigAutoField(primary_key=True)), ("serial_no", models.CharField(max_length=10))])]
"""
DJANGO_ALTER = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.AlterField(model_name="device", name="serial_no", field=models.IntegerField())]
"""


def test_django_alter_field_writes_its_own_using() -> None:
    result = review_sql(
        DJANGO_ALTER,
        path="shop/migrations/0002_alter.py",
        base={"shop/migrations/0001_initial.py": DJANGO_INITIAL},
    )
    assert not _found(result)
