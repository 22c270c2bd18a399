"""table-dropped: DROP TABLE without CASCADE of a table other tables' foreign keys (or, on PostgreSQL, views)
still point at fails on PostgreSQL and MySQL (shown on both); quiet when the keys go first, with CASCADE, or
with MySQL's FOREIGN_KEY_CHECKS off."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("plans", "users", "plan_id"), ("carriers", "parcels", "carrier_id")]


def _schema(parent: str, child: str, key: str, mysql: bool = False) -> str:
    engine = " ENGINE=InnoDB" if mysql else ""
    return (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY, code varchar(20)){engine};\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {key} bigint, "
        f"CONSTRAINT {child}_{key}_fk FOREIGN KEY ({key}) REFERENCES {parent} (id)){engine};\n-- migration\n"
    )


def _refused(sql: str, dialect: str | None = None) -> list[str]:
    return [
        f.message
        for f in review_sql(sql, dialect=dialect).active
        if f.rule == "table-dropped" and "fails" in f.message
    ]


@pytest.mark.parametrize(("parent", "child", "key"), NAMES)
def test_a_table_still_referenced_cannot_be_dropped(parent: str, child: str, key: str) -> None:
    for dialect, mysql in (("postgres", False), ("mysql", True)):
        (message,) = _refused(_schema(parent, child, key, mysql) + f"DROP TABLE {parent};", dialect)
        assert f"`DROP TABLE {parent}` fails: `{child}` ({key}) still references it" in message
    view = _schema(parent, child, key).replace(
        f"{child}_{key}_fk FOREIGN KEY", f"{child}_{key}_fk_x FOREIGN KEY"
    )
    view = view.replace(
        "-- migration\n",
        f"ALTER TABLE {child} DROP CONSTRAINT {child}_{key}_fk_x;\nCREATE VIEW {parent}_codes AS SELECT code FROM {parent};\n-- migration\n",
    )
    (message,) = _refused(view + f"DROP TABLE {parent};")
    assert f"the view `{parent}_codes` reads it" in message


@pytest.mark.parametrize(("parent", "child", "key"), NAMES)
def test_keys_dropped_first_cascade_or_checks_off_are_not_refused(parent: str, child: str, key: str) -> None:
    pg = _schema(parent, child, key)
    for sql in (
        f"ALTER TABLE {child} DROP CONSTRAINT {child}_{key}_fk;\nDROP TABLE {parent};",
        f"DROP TABLE {parent} CASCADE;",
        f"DROP TABLE {child};\nDROP TABLE {parent};",
    ):
        assert not _refused(pg + sql), sql
    mysql = _schema(parent, child, key, mysql=True)
    assert not _refused(
        mysql + f"SET FOREIGN_KEY_CHECKS = 0;\nDROP TABLE {parent};\nSET FOREIGN_KEY_CHECKS = 1;", "mysql"
    )


def test_both_databases_refuse_it(pg, mariadb) -> None:  # type: ignore[no-untyped-def]
    import psycopg
    import pymysql

    for statement in _schema("dt_plans", "dt_users", "plan_id").split("\n")[:2]:
        pg.execute(statement)
    with pytest.raises(psycopg.errors.DependentObjectsStillExist):
        pg.execute("DROP TABLE dt_plans")
    cursor = mariadb.cursor()
    for statement in _schema("dt_plans", "dt_users", "plan_id", mysql=True).split("\n")[:2]:
        cursor.execute(statement.rstrip(";"))
    with pytest.raises((pymysql.err.OperationalError, pymysql.err.IntegrityError)):
        cursor.execute("DROP TABLE dt_plans")
    cursor.execute("DROP TABLE dt_users")
    cursor.execute("DROP TABLE dt_plans")


@pytest.mark.parametrize(("parent", "child", "key"), NAMES)
def test_a_key_dropped_by_the_name_a_framework_made_up_is_gone(parent: str, child: str, key: str) -> None:
    """Django names a foreign key `<table>_<column>_<digest>_fk_<target>`: dropping it by that name drops the
    table's key on that column, which the schema knew under another name."""
    schema = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {key} bigint REFERENCES {parent} (id));\n-- migration\n"
    )
    made_up = f"{child}_{key}_849ebbef_fk_{parent}_id"
    sql = f'ALTER TABLE {child} DROP CONSTRAINT IF EXISTS "{made_up}";\nDROP TABLE {parent};'
    assert not _refused(schema + sql)
    assert _refused(
        schema + f"ALTER TABLE {child} DROP CONSTRAINT IF EXISTS other_check;\nDROP TABLE {parent};"
    )


@pytest.mark.parametrize(
    ("model", "old", "new"), [("order", "country", "region"), ("ticket", "queue", "board")]
)
def test_a_django_foreign_key_pointed_at_another_model_is_a_new_key(model: str, old: str, new: str) -> None:
    initial = (
        "import django.db.models.deletion\nfrom django.db import migrations, models\n\n"
        "class Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [\n"
        f"        migrations.CreateModel(name='{old.capitalize()}', fields=[('id', models.BigAutoField(primary_key=True))]),\n"
        f"        migrations.CreateModel(name='{new.capitalize()}', fields=[('id', models.BigAutoField(primary_key=True))]),\n"
        f"        migrations.CreateModel(name='{model.capitalize()}', fields=[('id', models.BigAutoField(primary_key=True)), "
        f"('target', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, to='shop.{old}'))]),\n"
        "    ]\n"
    )

    def altered(target: str, related: str = "") -> str:
        extra = f", related_name='{related}'" if related else ""
        return (
            "import django.db.models.deletion\nfrom django.db import migrations, models\n\n"
            "class Migration(migrations.Migration):\n    dependencies = [('shop', '0001_initial')]\n"
            f"    operations = [migrations.AlterField(model_name='{model}', name='target', field=models.ForeignKey("
            f"null=True, on_delete=django.db.models.deletion.SET_NULL, to='shop.{target}'{extra}))]\n"
        )

    def rules(text: str) -> set[str]:
        result = review_sql(
            text, path="shop/migrations/0002_alter.py", base={"shop/migrations/0001_initial.py": initial}
        )
        return {f.rule for f in result.active}

    # Django drops the key to the old model and adds one to the new: validated under lock
    assert "constraint-not-valid" in rules(altered(new))
    assert "constraint-not-valid" not in rules(altered(old, related="items"))
