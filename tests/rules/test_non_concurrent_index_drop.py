"""non-concurrent-index-drop: an index dropped without CONCURRENTLY, except on the way to dropping its table."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

RULE = "non-concurrent-index-drop"
NAMES = [("api_nonces", "nonce", "api_clients"), ("legacy_tokens", "digest", "legacy_apps")]


def _rails(body: str) -> str:
    return f"class DropLegacy < ActiveRecord::Migration[7.1]\n  def change\n{body}  end\nend\n"


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_an_index_dropped_before_its_table_is_not_reported(table: str, column: str, other: str) -> None:
    schema = {
        "db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n"
        f"CREATE UNIQUE INDEX index_{table}_on_{column} ON {table} ({column});\n"
        f"CREATE TABLE {other} (id bigint PRIMARY KEY, {column} text);\n"
        f"CREATE INDEX index_{other}_on_{column} ON {other} ({column});\n"
    }
    path = "db/migrate/20260101000000_drop_legacy.rb"
    dropped = _rails(
        f"    remove_index :{table}, :{column}, unique: true\n"
        f"    drop_table :{table} do |t|\n      t.string :{column}\n    end\n"
    )
    result = review_sql(dropped, path=path, base=schema)
    assert not [f for f in result.active if f.rule == RULE]
    assert [f for f in result.findings if f.rule == "table-dropped"]
    # the index of a table that stays is still reported, even beside another table's drop
    kept = _rails(
        f"    remove_index :{other}, :{column}\n"
        f"    remove_index :{table}, :{column}, unique: true\n"
        f"    drop_table :{table} do |t|\n      t.string :{column}\n    end\n"
    )
    (finding,) = [f for f in review_sql(kept, path=path, base=schema).active if f.rule == RULE]
    assert f"`{other}`" in finding.message and finding.line == 3


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_sql_drop_index_then_drop_table(table: str, column: str, other: str) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\nCREATE INDEX {table}_{column}_idx ON {table} ({column});\n"
    quiet = review_sql(f"{schema}-- migration\nDROP INDEX {table}_{column}_idx;\nDROP TABLE {table};\n")
    assert not [f for f in quiet.active if f.rule == RULE]
    loud = review_sql(f"{schema}-- migration\nDROP INDEX {table}_{column}_idx;\n")
    assert [f for f in loud.active if f.rule == RULE]
