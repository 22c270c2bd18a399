"""object-already-exists: a table, column or index the schema has, created again without a guard."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review
from tests.conftest import review_sql

SCHEMA = (
    "CREATE TABLE {t} (id bigint PRIMARY KEY, {c} varchar(20));\n"
    "CREATE TABLE logs (id bigint PRIMARY KEY, execution_id varchar(20));\n"
    "CREATE INDEX {t}_{c}_idx ON {t} ({c});\nCREATE INDEX ix_execution_id ON logs (execution_id);\n-- migration\n"
)


def _found(sql: str, table: str, column: str, dialect: str = "postgres") -> list[str]:
    result = review_sql(SCHEMA.format(t=table, c=column) + sql.format(t=table, c=column), dialect=dialect)
    return [f.message for f in result.findings if f.rule == "object-already-exists"]


@pytest.mark.parametrize(("table", "column"), [("orders", "note"), ("invoices", "state")])
@pytest.mark.parametrize(
    ("sql", "what"),
    [
        ("ALTER TABLE {t} ADD COLUMN {c} varchar(20);", "Column `{t}.{c}`"),
        ("CREATE TABLE {t} (id bigint PRIMARY KEY);", "Table `{t}`"),
        ("CREATE INDEX {t}_{c}_idx ON {t} ({c});", "Index `{t}_{c}_idx`"),
    ],
)
@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
def test_creating_what_the_schema_has_fails(
    table: str, column: str, sql: str, what: str, dialect: str
) -> None:
    [message] = _found(sql, table, column, dialect)
    assert message.startswith(what.format(t=table, c=column)) and "refuses" in message


@pytest.mark.parametrize(("table", "column"), [("orders", "note"), ("invoices", "state")])
@pytest.mark.parametrize(
    "sql",
    [
        "ALTER TABLE {t} ADD COLUMN IF NOT EXISTS {c} varchar(20);",
        "CREATE TABLE IF NOT EXISTS {t} (id bigint PRIMARY KEY);",
        "CREATE INDEX IF NOT EXISTS {t}_{c}_idx ON {t} ({c});",
        "ALTER TABLE {t} DROP COLUMN {c};\nALTER TABLE {t} ADD COLUMN {c} text;",
        "ALTER TABLE {t} ADD COLUMN {c}_new varchar(20);",
        # a baseline: the whole schema again, for new installs only
        "CREATE TABLE {t} (id bigint PRIMARY KEY);\nCREATE TABLE logs (id bigint PRIMARY KEY);",
    ],
)
def test_guarded_new_or_dropped_objects_are_no_finding(table: str, column: str, sql: str) -> None:
    assert _found(sql, table, column) == []


@pytest.mark.parametrize("table", ["sla_monitor", "queues"])
def test_a_mysql_index_name_another_table_has_is_no_finding(table: str) -> None:
    sql = f"CREATE TABLE {table} (id bigint PRIMARY KEY, execution_id varchar(20), INDEX ix_execution_id (execution_id));"
    assert _found(sql, "orders", "note", "mysql") == []
    assert _found(f"CREATE INDEX ix_execution_id ON {table} (execution_id);", "orders", "note", "mysql") == []
    # PostgreSQL names an index in the schema: another table's index of that name is refused
    sql = f"CREATE TABLE {table} (id bigint PRIMARY KEY, execution_id varchar(20));\n"
    assert _found(sql + f"CREATE INDEX ix_execution_id ON {table} (execution_id);", "orders", "note")


RAILS_INIT = (
    "class Init < ActiveRecord::Migration[7.1]\n  def change\n    create_table :{t} do |t|\n"
    "      t.string :{c}\n    end\n  end\nend\n"
)


@pytest.mark.parametrize(("table", "column"), [("orders", "note"), ("invoices", "state")])
def test_rails_create_table_with_force_drops_the_table_it_finds(table: str, column: str) -> None:
    base = {"db/migrate/20240101000000_init.rb": RAILS_INIT.format(t=table, c=column)}
    for force, again in (("force: :cascade, ", True), ("", False)):
        text = (
            f"class Change < ActiveRecord::Migration[7.1]\n  def change\n    create_table :{table}, {force}"
            "comment: 'x' do |t|\n      t.string :kind\n    end\n  end\nend\n"
        )
        result = review_sql(text, path="db/migrate/20240201000000_change.rb", base=base)
        rules = {f.rule for f in result.findings}
        assert ("table-dropped" in rules) is again and ("object-already-exists" in rules) is not again, rules


@pytest.mark.parametrize(("table", "column"), [("orders", "note"), ("invoices", "state")])
def test_a_renamed_applied_migration_is_left_to_applied_migration_edited(table: str, column: str) -> None:
    first = f"CREATE TABLE {table} (id bigint PRIMARY KEY);\n"
    second = f"ALTER TABLE {table} ADD COLUMN {column} text;\n"
    base = {"db/migrations/001_init.sql": first, "db/migrations/002_note.sql": second}
    head = {"db/migrations/001_init.sql": first, "db/migrations/003_note.sql": second}
    moved = ChangedFile("db/migrations/003_note.sql", "renamed", second, second, "db/migrations/002_note.sql")
    result = review(ChangeSet("b", "h", (moved,), MemoryTree(head), MemoryTree(base)))
    rules = {f.rule for f in result.findings}
    assert "applied-migration-edited" in rules and "object-already-exists" not in rules, rules
