"""A model whose base class is abstract (`self.abstract_class = true`) keeps its rows in its own table: single-table
inheritance puts a subclass's rows in its base's table only when the base has one. diaspora's `Participation <
Federated::Relayable` (abstract, in `lib/federated/relayable.rb`) was read as a model of a `relayables` table, so
096fa2dd's `Participation.update_all(…)` was reviewed on a table that does not exist."""

from __future__ import annotations

import pytest

from bot.frameworks import rails
from bot.model.changeset import MemoryTree
from bot.model.migration import DataUpdate

NAMES = [
    ("Participation", "Federated::Relayable", "lib/federated/relayable.rb", "participations", "relayables"),
    ("Invoice", "Billing::Document", "app/models/billing/document.rb", "invoices", "documents"),
]


@pytest.mark.parametrize(("model", "base", "path", "own", "based"), NAMES)
def test_a_model_of_an_abstract_base_keeps_its_own_table(
    model: str, base: str, path: str, own: str, based: str
) -> None:
    migration = f'class Count < ActiveRecord::Migration[5.2]\n  def up\n    {model}.update_all("count = 0")\n  end\nend\n'
    module, _, name = base.rpartition("::")

    def updated(abstract: bool) -> str:
        body = "    self.abstract_class = true\n" if abstract else ""
        files = {
            f"app/models/{model.lower()}.rb": f"class {model} < {base}\nend\n",
            path: f"module {module}\n  class {name} < ApplicationRecord\n{body}  end\nend\n",
        }
        ops = rails.parse("db/migrate/20150404193023_count.rb", migration, MemoryTree(files), "postgres").up
        (update,) = [op for op in ops if isinstance(op, DataUpdate)]
        return update.table

    assert updated(abstract=True) == own
    assert updated(abstract=False) == based  # the twin: single-table inheritance
