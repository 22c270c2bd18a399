"""rubygems renamed `ownerships.notifier` and the review blocked on `params.require(:ownerships).each do
|ownership_id, notifier|` and the block's `notifier["owner"]`: a block's parameter is a local of the block, not
the column. A use after the block has closed, and the column written by name, still count."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("ownerships", "notifier", "push_notifier"), ("subscriptions", "channel", "delivery_channel")]


def _places(table: str, column: str, new: str, controller: str) -> list[int]:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} boolean, user_id bigint);\n"
    migration = (
        "class RenameColumn < ActiveRecord::Migration[7.0]\n  def change\n"
        f"    rename_column :{table}, :{column}, :{new}\n  end\nend\n"
    )
    files = {"db/migrations/000_schema.sql": schema, "app/controllers/settings_controller.rb": controller}
    result = review_sql(migration, path="db/migrate/20200516071636_rename_column.rb", base=files)
    [finding] = [f for f in result.findings if f.rule == "column-renamed"]
    return [r.line for r in finding.references if r.path.endswith("settings_controller.rb")]


@pytest.mark.parametrize(("table", "column", "new"), NAMES)
def test_a_block_parameter_named_like_the_column_is_not_a_use(table: str, column: str, new: str) -> None:
    controller = (
        "class SettingsController < ApplicationController\n"
        "  def update\n"
        "    enabled = []\n"
        f"    params.require(:{table}).each do |id, {column}|\n"
        f'      enabled << id.to_i if {column}["push"] == "on"\n'
        "    end\n"
        f"    current_user.{table}.where(id: enabled).update_all({column}: true)\n"
        "  end\n"
        "end\n"
    )
    assert _places(table, column, new, controller) == [7]


@pytest.mark.parametrize(("table", "column", "new"), NAMES)
def test_the_attribute_read_after_the_block_has_closed_is_a_use(table: str, column: str, new: str) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} boolean, user_id bigint);\n"
    migration = (
        "class RenameColumn < ActiveRecord::Migration[7.0]\n  def change\n"
        f"    rename_column :{table}, :{column}, :{new}\n  end\nend\n"
    )
    model = (
        f"class {table[:-1].title()} < ApplicationRecord\n"
        "  def summary\n"
        f"    items.each do |{column}|\n"
        f"      log({column})\n"
        "    end\n"
        f'    {column} ? "on" : "off"\n'
        "  end\n"
        "end\n"
    )
    files = {"db/migrations/000_schema.sql": schema, f"app/models/{table[:-1]}.rb": model}
    result = review_sql(migration, path="db/migrate/20200516071636_rename_column.rb", base=files)
    [finding] = [f for f in result.findings if f.rule == "column-renamed"]
    assert [r.line for r in finding.references if r.path.startswith("app/models/")] == [6]
