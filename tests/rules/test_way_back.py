"""The way back: data a rollback cannot restore, and the rules that judge a statement in a down migration too."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

SCHEMA = "CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(20), note text, first_name text, last_name text);\n"
NAMES = [("tickets", "state"), ("invoices", "status")]


def _lost(result: Review) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == "data-lost-on-rollback"]


def _review(table: str, column: str, path: str, text: str) -> Review:
    return review_sql(
        text.format(table=table, column=column),
        path=path,
        base={"db/structure.sql": SCHEMA.format(table=table, column=column)},
    )


GOOSE = "db/migrations/002_change.sql"
UPDATE = "UPDATE {table} SET {column} = 'closed' WHERE {column} = 'stale' AND id >= 1 AND id < 1000;"


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_sql_down_that_does_not_restore_overwritten_values(table: str, column: str) -> None:
    bad = _review(table, column, GOOSE, f"-- +goose Up\n{UPDATE}\n-- +goose Down\nSELECT 1;\n")
    found = _lost(bad)
    assert len(found) == 1 and f"`{table}.{column}`" in found[0].message
    saves = [s.command for s in bad.rollback_plan if s.text.startswith("Before deploying")]
    assert saves == [
        f"CREATE TABLE {table}_{column}_backup AS SELECT id, {column} FROM {table} WHERE {column} = 'stale' "
        "AND id >= 1 AND id < 1000;"
    ] or saves == [f"CREATE TABLE {table}_{column}_backup AS SELECT id, {column} FROM {table};"]
    good = _review(
        table,
        column,
        GOOSE,
        "-- +goose Up\nCREATE TABLE {table}_{column}_backup AS SELECT id, {column} FROM {table} WHERE {column} = 'stale';\n"
        + UPDATE
        + "\n-- +goose Down\nUPDATE {table} SET {column} = b.{column} FROM {table}_{column}_backup b WHERE b.id = {table}.id;\n",
    )
    assert not _lost(good)


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_delete_and_truncate_with_a_schema_only_down(table: str, column: str) -> None:
    text = (
        "-- +goose Up\nALTER TABLE {table} ADD COLUMN flag boolean;\n"
        "DELETE FROM {table} WHERE {column} = 'spam' AND id >= 1 AND id < 1000;\n"
        "-- +goose Down\nALTER TABLE {table} DROP COLUMN flag;\n"
    )
    found = _lost(_review(table, column, GOOSE, text))
    assert found and "DELETE removes rows" in found[0].message and "does not restore" in found[0].message


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_lossless_changes_are_not_reported(table: str, column: str) -> None:
    fills_nulls = "UPDATE {table} SET {column} = 'open' WHERE {column} IS NULL AND id >= 1 AND id < 1000;"
    assert not _lost(
        _review(table, column, GOOSE, f"-- +goose Up\n{fills_nulls}\n-- +goose Down\nSELECT 1;\n")
    )
    new_column = (
        "-- +goose Up\nALTER TABLE {table} ADD COLUMN code text;\n"
        "UPDATE {table} SET code = upper({column}) WHERE id >= 1 AND id < 1000;\n"
        "-- +goose Down\nALTER TABLE {table} DROP COLUMN code;\n"
    )
    assert not _lost(_review(table, column, GOOSE, new_column))


DJANGO = (
    "from django.db import migrations\n\n\ndef forwards(apps, schema_editor):\n"
    "    Row = apps.get_model('shop', 'Row')\n"
    "    Row.objects.filter({column}='stale').update({column}='closed')\n\n\n"
    "{backwards}"
    "class Migration(migrations.Migration):\n    dependencies = [('shop', '0001_initial')]\n"
    "    operations = [migrations.RunPython(forwards, {reverse})]\n"
)
INITIAL = (
    "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
    "    initial = True\n    dependencies = []\n    operations = [\n        migrations.CreateModel(\n"
    "            name='Row',\n            fields=[\n"
    "                ('id', models.BigAutoField(primary_key=True, serialize=False)),\n"
    "                ('{column}', models.CharField(max_length=20, null=True)),\n            ],\n"
    "            options={{'db_table': '{table}'}},\n        ),\n    ]\n"
)


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_django_noop_reverse_after_an_overwrite(table: str, column: str) -> None:
    base = {"shop/migrations/0001_initial.py": INITIAL.format(table=table, column=column)}
    path = "shop/migrations/0002_close.py"
    bad = review_sql(
        DJANGO.format(column=column, backwards="", reverse="migrations.RunPython.noop"), path=path, base=base
    )
    found = _lost(bad)
    assert found and "does nothing" in found[0].message
    backwards = (
        "def backwards(apps, schema_editor):\n    Row = apps.get_model('shop', 'Row')\n"
        f"    Row.objects.filter(id__in=[]).update({column}='stale')\n\n\n"
    )
    good = review_sql(
        DJANGO.format(column=column, backwards=backwards, reverse="backwards"), path=path, base=base
    )
    assert not _lost(good)


ALEMBIC = (
    'revision = "b2"\ndown_revision = "a1"\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n'
    "def upgrade():\n    op.add_column('{table}', sa.Column('flag', sa.Boolean()))\n"
    "    op.execute(\"UPDATE {table} SET {column} = 'closed' WHERE {column} = 'stale'\")\n\n\n"
    "def downgrade():\n{down}"
)


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_alembic_downgrade_that_restores_the_schema_only(table: str, column: str) -> None:
    path = "alembic/versions/b2_close.py"
    bad = _review(table, column, path, ALEMBIC.replace("{down}", "    op.drop_column('{table}', 'flag')\n"))
    assert _lost(bad)
    good = _review(
        table,
        column,
        path,
        ALEMBIC.replace(
            "{down}",
            "    op.execute(\"UPDATE {table} SET {column} = 'stale' WHERE {column} = 'closed'\")\n"
            "    op.drop_column('{table}', 'flag')\n",
        ),
    )
    assert not _lost(good)


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_rules_read_the_down_migration_too(table: str, column: str) -> None:
    text = (
        "-- +goose Up\nALTER TABLE {table} ADD COLUMN full_name text;\n"
        "-- +goose Down\nUPDATE {table} SET note = first_name || ' ' || last_name WHERE id >= 1 AND id < 1000;\n"
        "CREATE INDEX CONCURRENTLY {table}_note_idx ON {table} (note);\n"
        "ALTER TABLE {table} DROP COLUMN full_name;\n"
    )
    result = _review(table, column, GOOSE, text)
    down = [f for f in result.active if f.message.startswith("In the down migration")]
    assert {f.rule for f in down} >= {"null-propagation", "concurrent-in-transaction"}
    assert all(f.line >= 3 for f in down)
    clean = text.replace("first_name || ' ' || last_name", "concat_ws(' ', first_name, last_name)").replace(
        "CREATE INDEX CONCURRENTLY {table}_note_idx ON {table} (note);\n", ""
    )
    assert not [f for f in _review(table, column, GOOSE, clean).active if f.message.startswith("In the down")]


LOCALS = (
    "from django.db import migrations\n\n\ndef forwards(apps, schema_editor):\n"
    "    Row = apps.get_model('shop', 'Row')\n"
    "    stale = Row.objects.filter({column}='stale')\n"
    "    stale.update({column}='closed')\n"
    "    for row in Row.objects.filter({column}='dup')[1:]:\n        row.delete()\n"
    "    rows = Row.objects.filter({column}='old').order_by('id')\n"
    "    for row in rows[1:]:\n        row.delete()\n\n\n"
    "def rewrite(Model):\n    Model.objects.bulk_update([], ['{column}'])\n\n\n"
    "class Migration(migrations.Migration):\n    dependencies = [('shop', '0001_initial')]\n"
    "    operations = [migrations.RunPython(forwards, migrations.RunPython.noop), migrations.RunPython(rewrite, migrations.RunPython.noop)]\n"
)


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_django_querysets_held_in_local_variables_and_unresolved_models(table: str, column: str) -> None:
    from bot.model.migration import DataDelete, DataUpdate, Unparsed

    base = {"shop/migrations/0001_initial.py": INITIAL.format(table=table, column=column)}
    result = review_sql(LOCALS.format(column=column), path="shop/migrations/0002_rows.py", base=base)
    lines = {(f.rule, f.line) for f in result.active}
    assert ("data-lost-on-rollback", 7) in lines  # stale.update(...) on a queryset held in a variable
    assert ("unparsed-statement", 16) in lines  # a write through a model the review cannot resolve
    from bot.frameworks import django, parse
    from bot.model.changeset import MemoryTree

    migration = parse(
        django, "shop/migrations/0002_rows.py", LOCALS.format(column=column), MemoryTree(base), "postgres"
    )
    kinds = [(type(op), getattr(op, "table", "")) for op in migration.up]
    assert (DataUpdate, table) in kinds and kinds.count((DataDelete, table)) == 2
    assert any(t is Unparsed for t, _ in kinds)


HELPER = (
    "from django.db import migrations\n\n\ndef rewrite(Model, old, new):\n"
    "    changed = []\n"
    "    for obj in Model.objects.filter({column}=old).iterator():\n"
    "        obj.{column} = new\n        changed.append(obj)\n"
    "    Model.objects.bulk_update(changed, ['{column}'], batch_size=100)\n\n\n"
    "def forwards(apps, schema_editor):\n"
    "    Row = apps.get_model('shop', 'Row')\n"
    "    rewrite(Row, 'stale', 'closed')\n\n\n"
    "class Migration(migrations.Migration):\n    dependencies = [('shop', '0001_initial')]\n"
    "    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n"
)


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_django_helper_functions_are_read_with_the_model_passed(table: str, column: str) -> None:
    base = {"shop/migrations/0001_initial.py": INITIAL.format(table=table, column=column)}
    result = review_sql(HELPER.format(column=column), path="shop/migrations/0002_rows.py", base=base)
    lost = _lost(result)
    assert lost and f"`{table}.{column}`" in lost[0].message and lost[0].line in (6, 9)
    assert result.approval == "BLOCKED"


FLUSHED = (
    "from django.db import migrations\n\n\ndef rewrite(Model):\n"
    "    rows = []\n"
    "    for obj in Model.objects.all().iterator():\n"
    "        obj.{column} = 'x'\n        rows.append(obj)\n"
    "        if len(rows) > 100:\n            Model.objects.bulk_update(rows, ['{column}'])\n            rows = []\n"
    "    Model.objects.bulk_update(rows, ['{column}'])\n\n\n"
    "def forwards(apps, schema_editor):\n    rewrite(apps.get_model('shop', 'Row'))\n\n\n"
    "def backwards(apps, schema_editor):\n    Row = apps.get_model('shop', 'Row')\n    rewrite(Row)\n\n\n"
    "class Migration(migrations.Migration):\n    dependencies = [('shop', '0001_initial')]\n"
    "    operations = [migrations.RunPython(forwards, backwards)]\n"
)


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_flush_of_the_rows_a_loop_writes_in_slices_is_batched(table: str, column: str) -> None:
    base = {"shop/migrations/0001_initial.py": INITIAL.format(table=table, column=column)}
    unbatched = "UPDATE {table} SET {column} = 'x';"
    result = review_sql(FLUSHED.format(column=column), path="shop/migrations/0002_rows.py", base=base)
    assert "unbatched-data-change" not in {f.rule for f in result.active}
    assert not _lost(result)
    sql = review_sql(
        "-- +goose Up\n" + unbatched.format(table=table, column=column) + "\n-- +goose Down\nSELECT 1;\n",
        base={"db/structure.sql": SCHEMA.format(table=table, column=column)},
    )
    assert "unbatched-data-change" in {f.rule for f in sql.active}
