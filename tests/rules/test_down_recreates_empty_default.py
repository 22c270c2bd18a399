"""`down-recreates-empty`: rubygems dropped seven `api_keys` columns with `remove_columns …, type: :boolean,
null: false, default: false` and solidus `spree_user_addresses.archived` with a down that adds it back
`default: false`; the review said every row comes back NULL, where Rails re-creates the column with its
default. Rails' own way back is now read from the statement's type and options."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("api_keys", "show_dashboard"), ("spree_user_addresses", "archived")]


def _finding(table: str, column: str, body: str):  # type: ignore[no-untyped-def]
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} boolean NOT NULL DEFAULT false);\n"
    migration = f"class RemoveFlag < ActiveRecord::Migration[7.1]\n{body}end\n"
    path = "db/migrate/20240507181615_remove_flag.rb"
    result = review_sql(migration, path=path, base={"db/migrations/000_schema.sql": schema})
    [finding] = [f for f in result.findings if f.rule == "down-recreates-empty"]
    return finding


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize(
    ("body", "who"),
    [
        (
            "  def change\n    remove_column :{t}, :{c}, :boolean, null: false, default: false\n  end\n",
            "Reversing it, Rails re-creates",
        ),
        (
            "  def change\n    remove_columns :{t}, :{c}, type: :boolean, null: false, default: false\n  end\n",
            "Reversing it, Rails re-creates",
        ),
        (
            "  def up\n    remove_column :{t}, :{c}\n  end\n\n"
            "  def down\n    add_column :{t}, :{c}, :boolean, default: false\n  end\n",
            "The down migration re-creates",
        ),
    ],
)
def test_a_column_re_created_with_a_default_comes_back_holding_it(
    table: str, column: str, body: str, who: str
) -> None:
    finding = _finding(table, column, body.format(t=table, c=column))
    assert finding.message.startswith(who)
    assert "default, `false`" in finding.blast_radius and "NULL" not in finding.blast_radius


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_column_re_created_without_a_default_comes_back_null(table: str, column: str) -> None:
    body = f"  def change\n    remove_column :{table}, :{column}, :boolean\n  end\n"
    finding = _finding(table, column, body)
    assert finding.message.startswith("Reversing it, Rails re-creates") and "NULL" in finding.blast_radius
