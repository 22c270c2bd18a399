"""referenced-rows-deleted: a DELETE of rows other tables still point at, through a foreign key that refuses
it or through a column named after the table with no key at all."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

# (parent, child, child's column, the DELETE)
NAMES = [
    ("plans", "accounts", "plan_id", "DELETE FROM plans WHERE code = 'legacy';"),
    ("warehouses", "stock_items", "warehouse_id", "DELETE FROM warehouses WHERE code = 'closed-2019';"),
]


def _schema(parent: str, child: str, column: str, key: str) -> str:
    return (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY, code text NOT NULL);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {column} bigint{key});\n"
    )


def _found(sql: str, **kw: Any) -> list[Any]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "referenced-rows-deleted"]


@pytest.mark.parametrize(("parent", "child", "column", "delete"), NAMES)
def test_a_foreign_key_without_an_action_makes_the_delete_fail(pg, parent, child, column, delete) -> None:  # type: ignore[no-untyped-def]
    schema = _schema(parent, child, column, f" REFERENCES {parent} (id)")
    (finding,) = _found(f"{schema}-- migration\n{delete}")
    assert f"`{child}.{column}`" in finding.message and "fails" in finding.message
    # what it says happens, on PostgreSQL; and the count it gives finds the rows that make it fail
    pg.execute(schema)
    pg.execute(f"INSERT INTO {parent} VALUES (1, 'legacy'), (2, 'closed-2019')")
    pg.execute(f"INSERT INTO {child} VALUES (10, 1), (11, 2)")
    with pytest.raises(Exception, match="foreign key"):
        pg.execute(delete)
    count = finding.blast_radius.split("`")[-2]
    assert pg.execute(count).fetchone() == (1,)


@pytest.mark.parametrize(("parent", "child", "column", "delete"), NAMES)
def test_a_column_named_after_the_table_without_a_key_is_orphaned(parent, child, column, delete) -> None:  # type: ignore[no-untyped-def]
    (finding,) = _found(f"{_schema(parent, child, column, '')}-- migration\n{delete}")
    assert "no foreign key" in finding.message and "pointing at nothing" in finding.message


@pytest.mark.parametrize(("parent", "child", "column", "delete"), NAMES)
@pytest.mark.parametrize(
    "first",
    [
        "UPDATE {child} SET {column} = NULL WHERE {column} IN (SELECT id FROM {parent} WHERE code = 'legacy');",
        "DELETE FROM {child} WHERE {column} IN (SELECT id FROM {parent} WHERE code = 'legacy');",
    ],
)
def test_rows_moved_or_deleted_first_are_quiet(parent, child, column, delete, first) -> None:  # type: ignore[no-untyped-def]
    schema = _schema(parent, child, column, f" REFERENCES {parent} (id)")
    step = first.format(child=child, column=column, parent=parent)
    assert not _found(f"{schema}-- migration\n{step}\n{delete}")


@pytest.mark.parametrize(("parent", "child", "column", "delete"), NAMES)
def test_a_delete_of_rows_nothing_points_at_is_quiet(parent, child, column, delete) -> None:  # type: ignore[no-untyped-def]
    schema = _schema(parent, child, column, f" REFERENCES {parent} (id)")
    guarded = (
        delete.rstrip(";") + f" AND NOT EXISTS (SELECT 1 FROM {child} c WHERE c.{column} = {parent}.id);"
    )
    assert not _found(f"{schema}-- migration\n{guarded}")


@pytest.mark.parametrize(("parent", "child", "column", "delete"), NAMES)
@pytest.mark.parametrize("action", [" ON DELETE CASCADE", " ON DELETE SET NULL"])
def test_keys_that_act_on_a_delete_are_another_rule(parent, child, column, delete, action) -> None:  # type: ignore[no-untyped-def]
    schema = _schema(parent, child, column, f" REFERENCES {parent} (id){action}")
    result = review_sql(f"{schema}-- migration\n{delete}")
    assert "referenced-rows-deleted" not in {f.rule for f in result.active}
    assert "cascading-delete" in {f.rule for f in result.active}


def test_a_polymorphic_id_is_not_read_as_a_reference() -> None:
    schema = (
        "CREATE TABLE posts (id bigint PRIMARY KEY, archived boolean);\n"
        "CREATE TABLE comments (id bigint PRIMARY KEY, post_id bigint, post_type text);\n"
    )
    assert not _found(f"{schema}-- migration\nDELETE FROM posts WHERE archived;")


def test_prisma_camel_case_columns_are_read_by_their_name() -> None:
    schema = (
        'CREATE TABLE "DonationGoal" (id integer PRIMARY KEY, active boolean);\n'
        'CREATE TABLE "Donation" (id integer PRIMARY KEY, "donationGoalId" integer);\n'
    )
    sql = f'{schema}-- migration\nDELETE FROM "DonationGoal" WHERE NOT active;'
    (finding,) = _found(sql, path="prisma/migrations/20260101000000_goals/migration.sql")
    assert "`Donation.donationGoalId`" in finding.message


DJANGO = """from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(name="Plan", fields=[("id", models.BigAutoField(primary_key=True)), ("code", models.TextField())]),
        migrations.CreateModel(
            name="Account",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("plan", models.ForeignKey(on_delete=django.db.models.deletion.{action}, to="billing.plan")),
            ],
        ),
    ]
"""

DJANGO_DELETE = """from django.db import migrations


def purge(apps, schema_editor):
    apps.get_model("billing", "Plan").objects.filter(code="legacy").delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(purge, migrations.RunPython.noop)]
"""


@pytest.mark.parametrize(("action", "refused"), [("PROTECT", True), ("CASCADE", False)])
def test_django_deletes_follow_the_models_on_delete(action: str, refused: bool) -> None:
    base = {"billing/migrations/0001_initial.py": DJANGO.replace("{action}", action)}
    found = _found(DJANGO_DELETE, path="billing/migrations/0002_purge_legacy_plans.py", base=base)
    assert bool(found) is refused


def test_a_quoted_table_the_condition_reads_is_known_as_the_one_the_delete_checks() -> None:
    schema = (
        'CREATE TABLE "DonationGoal" (id integer PRIMARY KEY, active boolean);\n'
        'CREATE TABLE "Donation" (id integer PRIMARY KEY, "donationGoalId" integer REFERENCES "DonationGoal" (id));\n'
    )
    guarded = (
        'DELETE FROM "DonationGoal" g WHERE NOT g.active '
        'AND NOT EXISTS (SELECT 1 FROM "Donation" d WHERE d."donationGoalId" = g.id);'
    )
    path = "prisma/migrations/20260101000000_goals/migration.sql"
    assert not _found(f"{schema}-- migration\n{guarded}", path=path)
    unguarded = 'DELETE FROM "DonationGoal" WHERE NOT active;'
    assert _found(f"{schema}-- migration\n{unguarded}", path=path)
