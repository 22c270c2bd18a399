"""every-row-overwritten: an UPDATE without WHERE that sets a column holding data to one constant, in SQL and in
the frameworks' bulk updates; a fill of a column the change adds, a saved copy, a join, NULL and a column
dropped afterwards are not reported."""

from __future__ import annotations

import pytest

from bot.model.facts import ColumnFacts, Facts, ValueCount
from tests.conftest import review_sql

RULE = "every-row-overwritten"
NAMES = [("users", "plan", "'pro'"), ("accounts", "tier", "'gold'")]


def _schema(table: str, column: str) -> str:
    return f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text NOT NULL, note text);\n-- migration\n"


def _found(sql: str, **kwargs: object) -> list[str]:
    return [f.message for f in review_sql(sql, **kwargs).active if f.rule == RULE]  # type: ignore[arg-type]


@pytest.mark.parametrize(("table", "column", "value"), NAMES)
def test_a_constant_in_every_row_is_reported(table: str, column: str, value: str) -> None:
    schema = _schema(table, column)
    for sql in (
        f"UPDATE {table} SET {column} = {value};",
        f"UPDATE {table} SET note = 'x', {column} = {value};",
    ):
        messages = _found(schema + sql)
        assert any(f"`{table}.{column}` to {value} in every row" in m for m in messages), messages
    assert _found(schema + f"UPDATE {table} SET {column} = {value};", dialect="mysql")


@pytest.mark.parametrize(("table", "column", "value"), NAMES)
def test_chosen_rows_fills_copies_and_clears_are_not(table: str, column: str, value: str) -> None:
    schema = _schema(table, column)
    for sql in (
        f"UPDATE {table} SET {column} = {value} WHERE {column} = '';",
        f"UPDATE {table} SET {column} = {value} FROM {table}_x WHERE {table}_x.id = {table}.id;",
        f"UPDATE {table} SET note = NULL;",
        f"ALTER TABLE {table} ADD COLUMN level text;\nUPDATE {table} SET level = {value};",
        f"CREATE TABLE {table}_backup AS SELECT id, {column} FROM {table};\nUPDATE {table} SET {column} = {value};",
        f"UPDATE {table} SET {column} = {value};\nALTER TABLE {table} DROP COLUMN {column};",
        f"UPDATE {table} SET {column} = upper({column});",
    ):
        assert not _found(schema + sql), sql
    assert not _found(
        f"-- migration\nCREATE TABLE {table} (id int, {column} text);\nUPDATE {table} SET {column} = 'a';"
    )


@pytest.mark.parametrize(("table", "column", "value"), NAMES)
def test_a_column_the_probe_shows_already_holding_the_value_is_not(
    table: str, column: str, value: str
) -> None:
    held = ColumnFacts(
        table, column, "exact", 0.0, 1, (ValueCount(value.strip("'"), 10, 1.0),), complete=True, rows=10
    )
    sql = _schema(table, column) + f"UPDATE {table} SET {column} = {value};"
    assert not _found(sql, facts=Facts("prod", "postgres", "2026-12-05T00:00:00Z", columns=(held,)))
    mixed = ColumnFacts(
        table,
        column,
        "exact",
        0.0,
        2,
        (ValueCount(value.strip("'"), 5, 0.5), ValueCount("free", 5, 0.5)),
        complete=True,
        rows=10,
    )
    assert _found(sql, facts=Facts("prod", "postgres", "2026-12-05T00:00:00Z", columns=(mixed,)))


RAILS_BASE = {
    "db/migrate/20240101000000_create.rb": """class Create < ActiveRecord::Migration[7.1]
  def change
    create_table :members do |t|
      t.string :role, null: false, default: "member"
    end
  end
end
"""
}


@pytest.mark.parametrize(
    ("body", "reported"),
    [
        ('    Member.update_all(role: "admin")\n', True),
        ("    execute \"UPDATE members SET role = 'admin'\"\n", True),
        ('    Member.where(role: "guest").update_all(role: "admin")\n', False),
        ('    add_column :members, :rank, :string\n    Member.update_all(rank: "low")\n', False),
    ],
)
def test_rails(body: str, reported: bool) -> None:
    text = (
        "class Reset < ActiveRecord::Migration[7.1]\n  class Member < ActiveRecord::Base; end\n"
        f"  def up\n{body}  end\n  def down; end\nend\n"
    )
    assert bool(_found(text, path="db/migrate/20240201000000_reset.rb", base=RAILS_BASE)) is reported


DJANGO_BASE = {
    "shop/migrations/0001_initial.py": """from django.db import migrations, models

class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Order",
            fields=[("id", models.BigAutoField(primary_key=True)), ("code", models.CharField(max_length=64))],
        ),
    ]
"""
}


@pytest.mark.parametrize(("query", "reported"), [("all()", True), ("filter(code='')", False)])
def test_django(query: str, reported: bool) -> None:
    text = f"""from django.db import migrations

def forwards(apps, schema_editor):
    Order = apps.get_model("shop", "Order")
    Order.objects.{query}.update(code="legacy")

class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""
    assert bool(_found(text, path="shop/migrations/0002_reset.py", base=DJANGO_BASE)) is reported


@pytest.mark.parametrize(("call", "reported"), [("", True), ('.where({ tier: "pro" })', False)])
def test_knex(call: str, reported: bool) -> None:
    base = {
        "migrations/20240101000000_init.js": 'exports.up = (knex) => knex.schema.createTable("accounts", (t) => '
        '{ t.increments("id"); t.string("tier").notNullable(); t.boolean("newsletter").notNullable(); });\n'
        'exports.down = (knex) => knex.schema.dropTable("accounts");\n'
    }
    text = f'exports.up = async (knex) => {{\n  await knex("accounts"){call}.update({{ newsletter: true }});\n}};\n'
    text += "exports.down = async () => {};\n"
    assert bool(_found(text, path="migrations/20240201000000_reset.js", base=base)) is reported


BATCHES = [("orders", "region", "status"), ("members", "tier", "plan_code")]


def _batched(table: str, column: str, source: str) -> str:
    return f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text, {source} text);\n-- migration\n"


@pytest.mark.parametrize(("table", "column", "source"), BATCHES)
@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_a_batch_of_key_ranges_overwrites_the_values_a_column_held(
    table: str, column: str, source: str, dialect: str
) -> None:
    """A WHERE that is only the key range of one batch (`id >= 1 AND id < 1000`) reaches every row once the loop
    has run: a column holding data loses its values, to a constant or to an expression of other columns."""
    schema = _batched(table, column, source)
    for sql, written in (
        (f"UPDATE {table} SET {column} = upper({source}) WHERE id >= 1 AND id < 1000;", f"`UPPER({source})`"),
        (f"UPDATE {table} SET {column} = 'eu' WHERE id BETWEEN 1 AND 1000;", "'eu'"),
        (f"UPDATE {table} SET {column} = {source} WHERE id > 0 AND id <= 500;", f"`{source}`"),
    ):
        messages = _found(schema + sql, dialect=dialect)
        assert any(
            f"`{table}.{column}` to {written} in every row" in m and "range of their key" in m
            for m in messages
        ), (
            sql,
            messages,
        )
    # no WHERE at all, an expression of another column: the same loss
    messages = _found(schema + f"UPDATE {table} SET {column} = lower({source});", dialect=dialect)
    assert any("has no WHERE" in m for m in messages), messages


@pytest.mark.parametrize(("table", "column", "source"), BATCHES)
@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_a_batch_of_a_new_or_empty_column_or_a_kept_value_is_not(
    table: str, column: str, source: str, dialect: str
) -> None:
    schema = _batched(table, column, source)
    for sql in (
        # the column is new: it holds nothing but its default
        f"ALTER TABLE {table} ADD COLUMN {column}_v2 text;\n"
        f"UPDATE {table} SET {column}_v2 = upper({source}) WHERE id >= 1 AND id < 1000;",
        # only the empty rows
        f"UPDATE {table} SET {column} = upper({source}) WHERE id >= 1 AND id < 1000 AND {column} IS NULL;",
        # rows chosen by their value, not only by key
        f"UPDATE {table} SET {column} = 'eu' WHERE {source} = 'x' AND id >= 1 AND id < 1000;",
        # the value reads what the row held
        f"UPDATE {table} SET {column} = coalesce({column}, {source}) WHERE id >= 1 AND id < 1000;",
        f"UPDATE {table} SET {column} = CASE WHEN {source} = 'x' THEN 'eu' ELSE {column} END "
        "WHERE id >= 1 AND id < 1000;",
        # a range of another column picks rows; a value the code hands in, row by row
        f"UPDATE {table} SET {column} = 'eu' WHERE {source} >= 'a' AND {source} < 'b';",
        f"UPDATE {table} SET {column} = NULL WHERE id >= 1 AND id < 1000;",
    ):
        assert not _found(schema + sql, dialect=dialect), sql
    # the column was added by an earlier migration of the same change
    base = {"db/migrations/000_schema.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {source} text);"}
    added = {"db/migrations/0005_add.sql": f"ALTER TABLE {table} ADD COLUMN {column} text;"}
    result = review_sql(
        f"UPDATE {table} SET {column} = upper({source}) WHERE id >= 1 AND id < 1000;",
        path="db/migrations/0006_fill.sql",
        base=base,
        head=added,
        dialect=dialect,
    )
    assert not [f for f in result.active if f.rule == RULE]


@pytest.mark.parametrize(("table", "column", "source"), BATCHES)
def test_a_recompute_the_down_computes_again_is_not(table: str, column: str, source: str) -> None:
    """A cached value recomputed from another column, and recomputed the old way by the down migration (as
    pypi/warehouse's c4cb2d15dada does for `sitemap_bucket` after changing the function that computes it)."""
    schema = _batched(table, column, source)
    up = f"UPDATE {table} SET {column} = md5({source}) WHERE id >= 1 AND id < 1000;"
    down = f"UPDATE {table} SET {column} = upper({source}) WHERE id >= 1 AND id < 1000;"
    assert not _found(schema + f"-- +goose Up\n{up}\n-- +goose Down\n{down}\n")
    assert _found(schema + f"-- +goose Up\n{up}\n-- +goose Down\nSELECT 1;\n")
