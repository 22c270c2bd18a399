"""rubygems dropped `rubygem_transfers.rubygem_id` and the review blocked on two places of the transfer's model
that name `ownerships.rubygem_id`: `.where(ownerships: { rubygem_id: rubygems })` (the condition Active Record
puts on the table the key names) and `Ownership.where(…).index_by(&:rubygem_id)` (the attribute of another
model's rows). The same words on the model's own table still count."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Severity
from bot.review import review

NAMES = [
    ("rubygem_transfers", "RubygemTransfer", "ownerships", "Ownership", "rubygem_id"),
    ("shipment_requests", "ShipmentRequest", "allocations", "Allocation", "warehouse_id"),
]


def _dropped(table: str, model: str, other: str, column: str, body: str) -> tuple[Severity | None, list[int]]:
    schema = (
        f"class CreateTables < ActiveRecord::Migration[7.1]\n  def change\n    create_table :{table} do |t|\n"
        f"      t.integer :{column}\n      t.integer :created_by_id\n    end\n    create_table :{other} do |t|\n"
        f"      t.integer :{column}\n      t.integer :user_id\n    end\n  end\nend\n"
    )
    model_rb = (
        f"class {model} < ApplicationRecord\n  belongs_to :created_by, class_name: 'User'\n\n{body}end\n"
    )
    migration = (
        f"class DropColumn < ActiveRecord::Migration[8.0]\n  def change\n    safety_assured do\n"
        f"      remove_column :{table}, :{column}, :integer\n    end\n  end\nend\n"
    )
    path = "db/migrate/20250805054836_drop_column.rb"
    base = {
        "db/migrate/20200101000000_create_tables.rb": schema,
        f"app/models/{table[:-1]}.rb": model_rb,
        f"app/models/{other[:-1]}.rb": f"class {other[:-1].title().replace('_', '')} < ApplicationRecord\nend\n",
    }
    changeset = ChangeSet(
        base="base",
        head="head",
        files=(ChangedFile(path, "added", None, migration),),
        head_tree=MemoryTree({**base, path: migration}),
        base_tree=MemoryTree(base),
    )
    [finding] = [f for f in review(changeset).findings if f.rule == "column-dropped"]
    return finding.severity, [r.line for r in finding.references]


@pytest.mark.parametrize(("table", "model", "other", "other_model", "column"), NAMES)
def test_keys_and_block_attributes_of_another_tables_rows_are_not_uses(
    table: str, model: str, other: str, other_model: str, column: str
) -> None:
    body = (
        "  def recipients\n    User\n      .joins(:" + other + ")\n"
        f"      .where({other}: {{ {column}: ids }})\n  end\n\n"
        f"  def held\n    {other_model}.where(user: created_by).index_by(&:{column})\n  end\n"
    )
    severity, lines = _dropped(table, model, other, column, body)
    assert lines == [] and severity is not Severity.CRITICAL
    own = f"  def mine\n    {model}.where({column}: ids).map(&:{column})\n  end\n"
    severity, lines = _dropped(table, model, other, column, own)
    assert severity is Severity.CRITICAL and lines == [5]
