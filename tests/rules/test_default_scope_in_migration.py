"""A Rails data migration through an application model whose default_scope leaves rows out."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding
from tests.conftest import review_sql

NAMES = [
    ("Order", "orders", "order", "default_scope { where(deleted_at: nil) }"),
    ("Admin::Post", "admin_posts", "admin/post", "acts_as_paranoid"),
]


def _found(model: str, table: str, path: str, scope: str, body: str) -> list[Finding]:
    base = {
        f"app/models/{path}.rb": f"class {model} < ApplicationRecord\n  {scope}\nend\n",
        "db/schema.rb": (
            "ActiveRecord::Schema[7.1].define(version: 2026_01_01_000000) do\n"
            f'  create_table "{table}" do |t|\n    t.string "state"\n    t.datetime "deleted_at"\n  end\nend\n'
        ),
    }
    text = f"class Change < ActiveRecord::Migration[7.1]\n{body}\nend\n"
    result = review_sql(
        text.replace("{M}", model).replace("{t}", table),
        path="db/migrate/20260101000000_change.rb",
        base=base,
    )
    return [f for f in result.active if f.rule == "default-scope-in-migration"]


@pytest.mark.parametrize(("model", "table", "path", "scope"), NAMES)
def test_a_data_change_through_a_scoped_model(model: str, table: str, path: str, scope: str) -> None:
    for write in ["{M}.where(state: nil).update_all(state: 'new')", "{M}.where(state: 'old').delete_all"]:
        [found] = _found(model, table, path, scope, f"  def up\n    {write}\n  end\n\n  def down\n  end")
        assert f"`{model}`" in found.message and scope.split()[0] in found.message


@pytest.mark.parametrize(("model", "table", "path", "scope"), NAMES)
def test_unscoped_an_own_model_or_a_model_without_scope(
    model: str, table: str, path: str, scope: str
) -> None:
    write = "  def up\n    {M}.where(state: nil).update_all(state: 'new')\n  end\n\n  def down\n  end"
    assert not _found(model, table, path, scope, write.replace("{M}.where", "{M}.unscoped.where"))
    own = f"  class {model.split('::')[-1]} < ActiveRecord::Base\n    self.table_name = '{table}'\n  end\n\n"
    assert not _found(model, table, path, scope, own + write.replace("{M}", model.split("::")[-1]))
    assert not _found(model, table, path, "has_many :lines", write)
