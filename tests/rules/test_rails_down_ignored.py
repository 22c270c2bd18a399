"""rails-down-ignored: a `down` beside `change` is never run by Rails."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review

NAMES = [("orders", "legacy_code"), ("accounts", "old_plan")]
SCHEMA = 'ActiveRecord::Schema[7.1].define(version: 2026_01_01_000000) do\n  create_table "{t}" do |t|\n    t.string "{c}"\n  end\nend\n'


def _found(table: str, column: str, body: str) -> list[int]:
    path = "db/migrate/20260201000000_change.rb"
    text = f"class Change < ActiveRecord::Migration[7.1]\n{body}end\n"
    base = {"db/schema.rb": SCHEMA.format(t=table, c=column)}
    changeset = ChangeSet(
        "base",
        "head",
        (ChangedFile(path, "added", None, text),),
        MemoryTree({**base, path: text}),
        MemoryTree(base),
    )
    return [f.line for f in review(changeset).active if f.rule == "rails-down-ignored"]


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_down_beside_change_is_never_run(table: str, column: str) -> None:
    down = f"  def down\n    add_column :{table}, :{column}, :string\n  end\n"
    change = f"  def change\n    remove_column :{table}, :{column}\n  end\n\n"
    assert _found(table, column, change + down) == [6]
    assert _found(table, column, down.replace("def down", "def self.down") + "\n" + change) == [2]
    up = change.replace("def change", "def up")
    assert _found(table, column, up + down) == []
    assert _found(table, column, change.replace(f":{column}\n", f":{column}, :string\n")) == []
