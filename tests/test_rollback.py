"""The rollback plan: order, framework commands, restores that really bring the data back, credited patterns."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

DROP = "-- +goose Up\nALTER TABLE orders DROP COLUMN legacy_status;\n-- +goose Down\nALTER TABLE orders ADD COLUMN legacy_status text;\n"
SCHEMA = "CREATE TABLE orders (id bigint PRIMARY KEY, status text, legacy_status text);\n-- migration\n"


def test_steps_run_in_order_snapshot_revert_down_restore_verify() -> None:
    steps = review_sql(SCHEMA + DROP).rollback_plan
    texts = [s.text for s in steps]
    assert texts[0].startswith("Before deploying, save `orders.legacy_status`")
    assert (
        steps[0].command
        == "CREATE TABLE orders_legacy_status_backup AS SELECT id, legacy_status FROM orders;"
    )
    assert texts[1].startswith("Revert the application deploy")
    assert steps[2].command == "goose down"
    assert (
        "UPDATE orders SET legacy_status = b.legacy_status FROM orders_legacy_status_backup b"
        in steps[3].command
    )
    assert texts[-1].startswith("Re-run the validation queries")


def test_mysql_restore_uses_a_join() -> None:
    steps = review_sql(SCHEMA + DROP, dialect="mysql").rollback_plan
    assert any(
        s.command.startswith("UPDATE orders t JOIN orders_legacy_status_backup b ON b.id = t.id")
        for s in steps
    )


@pytest.mark.parametrize(
    ("path", "command"),
    [
        ("db/migrate/000002_x.up.sql", 'migrate -path <dir> -database "$DATABASE_URL" down 1'),
        ("db/migrations/20260101000000_x.sql", "dbmate rollback"),
    ],
)
def test_framework_commands(path: str, command: str) -> None:
    sql = "-- migrate:up\nALTER TABLE t ADD COLUMN c text;\n-- migrate:down\nALTER TABLE t DROP COLUMN IF EXISTS c;\n"
    if path.endswith(".up.sql"):
        sql = "ALTER TABLE t ADD COLUMN c text;\n"
        base = {path.replace(".up.sql", ".down.sql"): "ALTER TABLE t DROP COLUMN IF EXISTS c;\n"}
    else:
        base = {}
    steps = review_sql(sql, path=path, head=base).rollback_plan
    assert command in [s.command for s in steps]


def test_a_snapshot_the_migration_takes_itself_is_not_asked_for_again() -> None:
    sql = (
        "-- +goose Up\nCREATE TABLE orders_legacy_status_backup AS SELECT id, legacy_status FROM orders;\n"
        "ALTER TABLE orders DROP COLUMN legacy_status;\n-- +goose Down\nALTER TABLE orders ADD COLUMN legacy_status text;\n"
    )
    assert not any(s.text.startswith("Before deploying") for s in review_sql(SCHEMA + sql).rollback_plan)


def test_feature_flag_and_dual_write_are_credited() -> None:
    description = (
        "Behind the feature flag `order_state_v2`. The app dual-writes status and state_id during the deploy."
    )
    result = review_sql(SCHEMA + DROP, description=description)
    assert result.rollback_plan[1].text.startswith("Turn the feature flag `order_state_v2` off")
    assert any(n.startswith("Dual-write") for n in result.notes)
    assert any("order_state_v2" in n for n in result.notes)


def test_expand_step_is_credited() -> None:
    sql = (
        "-- +goose Up\nALTER TABLE orders ADD COLUMN state text;\n"
        "UPDATE orders SET state = lower(status) WHERE id >= 1 AND id < 1000;\n-- +goose Down\n"
        "ALTER TABLE orders DROP COLUMN IF EXISTS state;\n"
    )
    assert any(n.startswith("Expand/contract") for n in review_sql(SCHEMA + sql).notes)


def _restore_round_trip(execute: Any, fetch: Any, dialect: str) -> None:
    execute("CREATE TABLE orders (id bigint PRIMARY KEY, status text, legacy_status text)")
    execute("INSERT INTO orders VALUES (1, 'open', 'o'), (2, 'paid', 'p'), (3, 'paid', NULL)")
    before = fetch("SELECT id, legacy_status FROM orders ORDER BY id")
    steps = review_sql(SCHEMA + DROP, dialect=dialect).rollback_plan
    execute(steps[0].command.rstrip(";"))
    execute("ALTER TABLE orders DROP COLUMN legacy_status")
    execute("ALTER TABLE orders ADD COLUMN legacy_status text")  # the down migration
    restore = next(s.command for s in steps if s.text.startswith("Restore"))
    check = next(s.command for s in steps if s.text.startswith("Check that every saved row"))
    assert fetch(check.rstrip(";"))[0][0] > 0  # before the restore the values differ
    execute(restore.rstrip(";"))
    assert fetch("SELECT id, legacy_status FROM orders ORDER BY id") == before
    assert fetch(check.rstrip(";"))[0][0] == 0


def test_restore_brings_the_values_back_on_postgres(pg: Any) -> None:
    _restore_round_trip(pg.execute, lambda sql: pg.execute(sql).fetchall(), "postgres")


def test_restore_brings_the_values_back_on_mariadb(mariadb: Any) -> None:
    with mariadb.cursor() as cursor:

        def fetch(sql: str) -> Any:
            cursor.execute(sql)
            return cursor.fetchall()

        _restore_round_trip(cursor.execute, fetch, "mysql")


@pytest.mark.parametrize(("table", "column"), [("orders", "status"), ("tickets", "state")])
def test_two_deletes_of_one_table_save_into_two_snapshots_that_both_run(
    table: str, column: str, pg: Any
) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n-- migration\n"
    sql = f"DELETE FROM {table} WHERE {column} = 'gone';\nDELETE FROM {table} WHERE {column} = 'void';\n"
    commands = [s.command for s in review_sql(schema + sql).rollback_plan if s.command.startswith("CREATE")]
    assert commands == [
        f"CREATE TABLE {table}_backup AS SELECT * FROM {table} WHERE {column} = 'gone';",
        f"CREATE TABLE {table}_backup_2 AS SELECT * FROM {table} WHERE {column} = 'void';",
    ]
    pg.execute(schema.split("-- migration")[0])
    for command in commands:
        pg.execute(command)


@pytest.mark.parametrize(("table", "column"), [("accounts", "created_at"), ("devices", "last_seen")])
def test_a_dropped_column_the_schema_does_not_show_keeps_whole_rows(table: str, column: str) -> None:
    """The history read has no such column: the snapshot keeps the rows, and restoring them is by hand."""
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, name text);\n-- migration\n"
    steps = review_sql(schema + f"ALTER TABLE {table} DROP COLUMN {column};\n").rollback_plan
    assert steps[0].command == f"CREATE TABLE {table}_{column}_backup AS SELECT * FROM {table};"
    assert not [s for s in steps if column in s.command and not s.command.startswith("CREATE")]
    assert any(f"no `{column}` in `{table}`" in s.text and "by hand" in s.text for s in steps)


def _rebuilt(table: str, dialect: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, content_id varchar(64), kind varchar(20));\n-- migration\n"
        f"CREATE TABLE {table}_new (id bigint PRIMARY KEY, memo_id int, kind varchar(20));\n"
        f"INSERT INTO {table}_new (id, memo_id, kind) SELECT id, 1, kind FROM {table};\n"
        f"DELETE FROM {table}_new WHERE kind IS NULL;\n"
        f"DROP TABLE {table};\nALTER TABLE {table}_new RENAME TO {table};\n"
    )


@pytest.mark.parametrize(("table", "dialect"), [("reaction", "postgres"), ("memo_share", "sqlite")])
def test_rows_a_rebuild_leaves_out_are_saved_from_the_table_that_holds_them_before_the_deploy(
    table: str, dialect: str
) -> None:
    result = review_sql(_rebuilt(table, dialect), dialect=dialect)
    plan = [step.command for step in result.rollback_plan]
    texts = " ".join(step.text for step in result.rollback_plan)
    assert f"CREATE TABLE {table}_backup AS SELECT * FROM {table} WHERE kind IS NULL;" in plan
    assert f"{table}_new" not in texts + " ".join(plan)
    queries = [q.sql for q in result.verification_queries]
    assert queries and not any(f"{table}_new" in q for q in queries), queries


@pytest.mark.parametrize("table", ["audit_entry", "import_row"])
def test_nothing_is_saved_of_a_table_the_migration_creates(table: str) -> None:
    sql = (
        "CREATE TABLE source (id bigint PRIMARY KEY, kind varchar(20));\n-- migration\n"
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, kind varchar(20));\n"
        f"INSERT INTO {table} (id, kind) SELECT id, kind FROM source;\n"
        f"DELETE FROM {table} WHERE kind IS NULL;\n"
    )
    result = review_sql(sql)
    assert not any(table in step.command for step in result.rollback_plan), result.rollback_plan


@pytest.mark.parametrize(("table", "column"), [("status_page", "analytics_type"), ("monitor", "push_token")])
def test_a_table_known_only_from_columns_added_to_it_keeps_the_usual_key(table: str, column: str) -> None:
    """The table was created outside the migrations the review reads (an init script of the application's
    code): its key is not known, and is not said to be missing."""
    sql = f"ALTER TABLE {table} ADD COLUMN {column} varchar(20);\n-- migration\nALTER TABLE {table} DROP COLUMN {column};\n"
    result = review_sql(sql)
    texts = " ".join(step.text for step in result.rollback_plan)
    assert "has no primary or unique key" not in texts
    assert f"has no `id` in `{table}`" in texts  # what the review read, said as that


@pytest.mark.parametrize(
    ("table", "column", "source"), [("orders", "state", "status"), ("invoices", "label", "kind")]
)
def test_a_new_column_filled_with_values_the_code_computes_is_no_expand_step(
    table: str, column: str, source: str
) -> None:
    """`SET label = %s` with values the migration's code picks (Tandoor's RunPython filling a new column from
    other rows): nothing ties the new column to a column that stays; filled from `source`, it is one."""
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {source} text);\n-- migration\n"
    add = f"ALTER TABLE {table} ADD COLUMN {column} text;\n"
    computed = f"UPDATE {table} SET {column} = 'open' WHERE id >= 1 AND id < 1000 AND {source} IS NULL;\n"
    notes = review_sql(schema + add + computed).notes
    assert not [n for n in notes if n.startswith("Expand/contract")], notes
    copied = f"UPDATE {table} SET {column} = lower({source}) WHERE id >= 1 AND id < 1000;\n"
    assert [n for n in review_sql(schema + add + copied).notes if f"filled from `{source}`" in n]


DJANGO_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="{Model}",
            fields=[("id", models.BigAutoField(primary_key=True)), ("{source}", models.TextField())],
        ),
    ]
"""
DJANGO_FILL = """from django.db import migrations, models


def forwards(apps, schema_editor):
    {Model} = apps.get_model("{app}", "{Model}")
    Item = apps.get_model("{app}", "Item")
    changed = []
    for item in Item.objects.all():
        item.owner.{model}.{column} = item.id
        changed.append(item.owner.{model})
    {Model}.objects.bulk_update(changed, ["{column}"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [
        migrations.AddField(model_name="{model}", name="{column}", field=models.TextField(null=True)),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
"""


@pytest.mark.parametrize(
    ("app", "model", "column", "source"),
    [("cookbook", "Preference", "meal_type", "name"), ("shop", "Order", "tier", "kind")],
)
def test_a_django_bulk_update_of_computed_values_is_no_expand_step(
    app: str, model: str, column: str, source: str
) -> None:
    words = {"app": app, "Model": model, "model": model.lower(), "column": column, "source": source}
    base = {f"{app}/migrations/0001_initial.py": DJANGO_INITIAL.format(**words)}
    result = review_sql(DJANGO_FILL.format(**words), path=f"{app}/migrations/0002_fill.py", base=base)
    assert result.migrations and not [n for n in result.notes if n.startswith("Expand/contract")], (
        result.notes
    )
