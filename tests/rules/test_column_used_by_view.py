"""column-used-by-view: PostgreSQL refuses to drop or retype a column a view reads (shown on the real database
below), CASCADE and Django's RemoveField drop the view silently, and SQLite refuses to drop a column a view
names."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

RULE = "column-used-by-view"
NAMES = [("items", "item_totals", "qty"), ("orders", "order_summaries", "total")]


def _schema(table: str, view: str, column: str, kind: str = "VIEW") -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} integer, note text);\n"
        f"CREATE {kind} {view} AS SELECT id, {column} * 2 AS doubled FROM {table};\n-- migration\n"
    )


def _found(sql: str, dialect: str = "postgres") -> list[tuple[str, str]]:
    return [(f.severity.value, f.message) for f in review_sql(sql, dialect=dialect).active if f.rule == RULE]


@pytest.mark.parametrize(("table", "view", "column"), NAMES)
def test_dropping_or_retyping_a_column_a_view_reads_is_refused(table: str, view: str, column: str) -> None:
    for kind in ("VIEW", "MATERIALIZED VIEW"):
        schema = _schema(table, view, column, kind)
        for sql, said in (
            (f"ALTER TABLE {table} DROP COLUMN {column};", "refuses dropping"),
            (f"ALTER TABLE {table} ALTER COLUMN {column} TYPE bigint;", "refuses changing the type of"),
            (f"ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar(20);", "refuses changing the type of"),
        ):
            [(severity, message)] = _found(schema + sql)
            assert severity == "critical" and said in message and f"`{view}`" in message, message


@pytest.mark.parametrize(("table", "view", "column"), NAMES)
def test_cascade_drops_the_view_silently(table: str, view: str, column: str) -> None:
    [(severity, message)] = _found(
        _schema(table, view, column) + f"ALTER TABLE {table} DROP COLUMN {column} CASCADE;"
    )
    assert severity == "warning" and f"also drops the view `{view}`" in message


@pytest.mark.parametrize(("table", "view", "column"), NAMES)
def test_a_view_dropped_first_another_column_or_mysql_is_fine(table: str, view: str, column: str) -> None:
    schema = _schema(table, view, column)
    for sql in (
        f"DROP VIEW {view};\nALTER TABLE {table} ALTER COLUMN {column} TYPE bigint;\n"
        f"CREATE VIEW {view} AS SELECT id, {column} * 2 AS doubled FROM {table};",
        f"ALTER TABLE {table} DROP COLUMN note;",
        f"ALTER TABLE {table} RENAME COLUMN {column} TO {column}_count;",  # views follow a rename
    ):
        assert not _found(schema + sql), sql
    mysql = schema.replace(" * 2 AS doubled", "")
    assert not _found(mysql + f"ALTER TABLE {table} DROP COLUMN {column};", "mysql")


@pytest.mark.parametrize(("table", "view", "column"), NAMES)
def test_sqlite_refuses_to_drop_a_column_a_view_names(table: str, view: str, column: str) -> None:
    [(severity, message)] = _found(
        _schema(table, view, column) + f"ALTER TABLE {table} DROP COLUMN {column};", "sqlite"
    )
    assert severity == "critical" and "SQLite refuses" in message


def test_django_remove_field_drops_the_view_with_cascade() -> None:
    base = {
        "shop/migrations/0001_initial.py": (
            "from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n"
            "    initial = True\n    dependencies = []\n    operations = [\n"
            "        migrations.CreateModel(name='Order', fields=[('id', models.BigAutoField(primary_key=True)),"
            " ('total', models.IntegerField())]),\n"
            "        migrations.RunSQL('CREATE VIEW order_totals AS SELECT id, total FROM shop_order'),\n    ]\n"
        )
    }
    text = (
        "from django.db import migrations\n\nclass Migration(migrations.Migration):\n"
        "    dependencies = [('shop', '0001_initial')]\n"
        "    operations = [migrations.RemoveField(model_name='order', name='total')]\n"
    )
    result = review_sql(text, path="shop/migrations/0002_remove_total.py", base=base)
    [finding] = [f for f in result.active if f.rule == RULE]
    assert finding.severity == "warning" and "RemoveField drops it with CASCADE" in finding.message


def test_the_databases_do_what_the_rule_says(pg) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    import psycopg

    for statement in _schema("cv_items", "cv_totals", "qty").split("\n")[:2]:
        pg.execute(statement)
    with pytest.raises(psycopg.errors.DependentObjectsStillExist):
        pg.execute("ALTER TABLE cv_items DROP COLUMN qty")
    with pytest.raises(psycopg.errors.FeatureNotSupported):
        pg.execute("ALTER TABLE cv_items ALTER COLUMN qty TYPE bigint")
    pg.execute("ALTER TABLE cv_items DROP COLUMN qty CASCADE")
    assert pg.execute("SELECT count(*) FROM pg_views WHERE viewname = 'cv_totals'").fetchone() == (0,)
    lite = sqlite3.connect(":memory:")
    lite.executescript(_schema("cv_items", "cv_totals", "qty").split("-- migration")[0])
    with pytest.raises(sqlite3.OperationalError):
        lite.execute("ALTER TABLE cv_items DROP COLUMN qty")
