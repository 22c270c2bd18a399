"""A table the repository's own schema shows to hold one row (a CHECK holding its key to one value, a unique
index on a constant, or a settings table its migrations create with one row) is not assumed large: a lock on it
is a warning, and the finding says why. A table merely named `settings`, or seeded with one row under another
name, is still assumed large."""

from __future__ import annotations

from typing import Any

import psycopg
import pymysql
import pytest

from bot.model.config import Config
from tests.conftest import review_sql

ALTER = "ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar(10);"
SCHEMAS = {
    "check-on-key": "CREATE TABLE {table} (id integer PRIMARY KEY CHECK (id = 1), {column} text);\n",
    "boolean-key": (
        "CREATE TABLE {table} (lock boolean PRIMARY KEY DEFAULT true, {column} text, CONSTRAINT {table}_one "
        "CHECK (lock));\n"
    ),
    "unique-constant": (
        "CREATE TABLE {table} (id bigserial PRIMARY KEY, {column} text);\n"
        "CREATE UNIQUE INDEX {table}_one ON {table} ((true));\n"
    ),
}
NAMES = [("site", "title"), ("instance", "domain")]


def _rewrite(sql: str, config: Config | None = None) -> tuple[str, str]:
    [finding] = [f for f in review_sql(sql, config=config).active if f.rule == "type-change-rewrite"]
    return finding.severity.value, finding.blast_radius


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize("schema", list(SCHEMAS), ids=list(SCHEMAS))
def test_a_table_its_schema_holds_to_one_row_is_not_assumed_large(
    table: str, column: str, schema: str, pg: Any
) -> None:
    created = SCHEMAS[schema].format(table=table, column=column)
    severity, blast = _rewrite(created + "-- migration\n" + ALTER.format(table=table, column=column))
    assert severity == "warning" and f"`{table}` (one row:" in blast, blast
    # the database itself refuses a second row
    pg.execute(created)
    pg.execute(
        f"INSERT INTO {table} ({column}) VALUES ('a')"
        if schema != "check-on-key"
        else f"INSERT INTO {table} (id, {column}) VALUES (1, 'a')"
    )
    with pytest.raises((psycopg.errors.UniqueViolation, psycopg.errors.CheckViolation)):
        pg.execute(
            f"INSERT INTO {table} ({column}) VALUES ('b')"
            if schema != "check-on-key"
            else f"INSERT INTO {table} (id, {column}) VALUES (2, 'b')"
        )


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_check_on_a_column_that_is_not_the_key_is_no_evidence(table: str, column: str) -> None:
    created = (
        f"CREATE TABLE {table} (id bigserial PRIMARY KEY, kind integer CHECK (kind = 1), {column} text);\n"
    )
    severity, blast = _rewrite(created + "-- migration\n" + ALTER.format(table=table, column=column))
    assert severity == "critical" and "assumed large" in blast


@pytest.mark.parametrize(("table", "column"), [("site_settings", "title"), ("configuration", "domain")])
def test_a_settings_table_created_with_one_row_is_small(table: str, column: str) -> None:
    created = (
        f"CREATE TABLE {table} (id bigserial PRIMARY KEY, {column} text);\n"
        f"INSERT INTO {table} ({column}) VALUES ('first');\n"
    )
    severity, blast = _rewrite(created + "-- migration\n" + ALTER.format(table=table, column=column))
    assert severity == "warning" and "its migrations insert one row" in blast, blast
    # more rows: a table that grows
    grown = created + f"INSERT INTO {table} ({column}) VALUES ('second');\n"
    assert _rewrite(grown + "-- migration\n" + ALTER.format(table=table, column=column))[0] == "critical"
    # named as settings, without rows from the migrations: no evidence
    bare = f"CREATE TABLE {table} (id bigserial PRIMARY KEY, {column} text);\n"
    assert _rewrite(bare + "-- migration\n" + ALTER.format(table=table, column=column))[0] == "critical"


@pytest.mark.parametrize(("table", "column"), [("users", "login"), ("orders", "state")])
def test_one_seeded_row_in_another_table_is_no_evidence(table: str, column: str) -> None:
    created = (
        f"CREATE TABLE {table} (id bigserial PRIMARY KEY, {column} text);\n"
        f"INSERT INTO {table} ({column}) VALUES ('first');\n"
    )
    severity, blast = _rewrite(created + "-- migration\n" + ALTER.format(table=table, column=column))
    assert severity == "critical" and "assumed large" in blast


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_the_configuration_still_decides(table: str, column: str) -> None:
    created = SCHEMAS["check-on-key"].format(table=table, column=column)
    config = Config(large_tables=(table,))
    severity, blast = _rewrite(created + "-- migration\n" + ALTER.format(table=table, column=column), config)
    assert severity == "critical" and "listed as large" in blast


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_mariadb_check_on_the_key(table: str, column: str, mariadb: Any) -> None:
    created = f"CREATE TABLE {table} (id tinyint PRIMARY KEY CHECK (id = 1), {column} varchar(40));\n"
    change = f"ALTER TABLE {table} MODIFY {column} varchar(400);"
    found = [
        f
        for f in review_sql(created + "-- migration\n" + change, dialect="mariadb").active
        if f.rule == "type-change-rewrite"
    ]
    assert found and all(f.severity.value != "critical" for f in found), found
    assert f"`{table}` (one row:" in found[0].blast_radius
    with mariadb.cursor() as cursor:
        cursor.execute(created)
        cursor.execute(f"INSERT INTO {table} (id, {column}) VALUES (1, 'a')")
        with pytest.raises(pymysql.err.OperationalError):  # 4025: CONSTRAINT … failed
            cursor.execute(f"INSERT INTO {table} (id, {column}) VALUES (2, 'b')")


def _django(model: str, field: str) -> str:
    return (
        "from django.db import migrations, models\n\n\n"
        "def create_the_row(apps, schema_editor):\n"
        f"    apps.get_model('core', '{model}').objects.create()\n\n\n"
        "class Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n"
        "    operations = [\n"
        f"        migrations.CreateModel(name='{model}', fields=[\n"
        "            ('id', models.AutoField(primary_key=True)),\n"
        f"            ('{field}', models.CharField(max_length=200, default='x')),\n"
        "        ]),\n"
        "        migrations.RunPython(create_the_row, migrations.RunPython.noop),\n    ]\n"
    )


@pytest.mark.parametrize(
    ("model", "field", "one"),
    [
        ("ApplicationConfiguration", "title", True),
        ("SiteSettings", "theme", True),
        ("Ticket", "title", False),
    ],
)
def test_a_django_settings_model_created_with_its_one_row(model: str, field: str, one: bool) -> None:
    """A Django migration that creates a settings model and its one row (`objects.create()` in `RunPython`,
    the singleton pattern): a later change of a column locks one row."""
    change = (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n    dependencies = [('core', '0001_initial')]\n"
        f"    operations = [\n        migrations.AlterField(model_name='{model.lower()}', name='{field}', "
        "field=models.IntegerField(default=0)),\n    ]\n"
    )
    result = review_sql(
        change,
        path="core/migrations/0002_change.py",
        base={"core/migrations/0001_initial.py": _django(model, field), "core/__init__.py": ""},
    )
    [found] = [f for f in result.active if f.rule == "type-change-rewrite"]
    if one:
        assert found.severity.value == "warning" and "its migrations insert one row" in found.blast_radius
    else:
        assert found.severity.value == "critical" and "assumed large" in found.blast_radius
