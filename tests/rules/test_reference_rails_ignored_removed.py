"""rubygems dropped `versions.info_checksum` and `versions.yanked_info_checksum` in the pull request that also
deleted `self.ignored_columns += %w[info_checksum yanked_info_checksum]` from the model, the order Rails
asks for (ignore, deploy, drop). A column no code named any more was reported as a warning, its only "use"
the `ignored_columns` line the change deletes, as if the running release read it."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Severity
from bot.review import review

_MIGRATION = "db/migrate/20260101000000_remove_legacy.rb"


def _review(
    table: str, model: str, columns: tuple[str, str], declaration: str, use: str
) -> dict[str, object]:
    first, second = columns
    schema = (
        f"class CreateTable < ActiveRecord::Migration[7.1]\n  def change\n    create_table :{table} do |t|\n"
        f"      t.string :number\n      t.string :{first}\n      t.string :{second}\n    end\n  end\nend\n"
    )
    model_path = f"app/models/{table[:-1]}.rb"
    before = f"class {model} < ApplicationRecord\n{declaration}{use}\n  belongs_to :owner\nend\n"
    after = f"class {model} < ApplicationRecord\n  belongs_to :owner\nend\n"
    migration = (
        f"class RemoveLegacy < ActiveRecord::Migration[8.1]\n  def change\n    safety_assured do\n"
        f"      change_table :{table}, bulk: true do |t|\n        t.remove :{first}, type: :string\n"
        f"        t.remove :{second}, type: :string\n      end\n    end\n  end\nend\n"
    )
    base = {"db/migrate/20200101000000_create_table.rb": schema, model_path: before}
    changeset = ChangeSet(
        base="base",
        head="head",
        files=(
            ChangedFile(_MIGRATION, "added", None, migration),
            ChangedFile(model_path, "modified", before, after),
        ),
        head_tree=MemoryTree({**base, model_path: after, _MIGRATION: migration}),
        base_tree=MemoryTree(base),
    )
    found = review(changeset).findings
    return {f.message.split("`")[1]: f.severity for f in found if f.rule == "column-dropped"}


@pytest.mark.parametrize(
    ("table", "model", "columns"),
    [
        ("versions", "Version", ("info_checksum", "yanked_info_checksum")),
        ("widgets", "Widget", ("legacy_color", "legacy_size")),
    ],
)
def test_columns_the_base_model_ignored_are_notes_when_the_change_removes_the_declaration(
    table: str, model: str, columns: tuple[str, str]
) -> None:
    first, second = columns
    declaration = f"  self.ignored_columns += %w[{first} {second}]\n"
    severities = _review(table, model, columns, declaration, "")
    assert severities == {f"{table}.{first}": Severity.INFO, f"{table}.{second}": Severity.INFO}
    # without the declaration, a method of the model the change deletes is what the running release executes
    use = f"\n  def digest\n    {second}.presence || {first}\n  end\n"
    loud = _review(table, model, columns, "", use)
    assert loud == {f"{table}.{first}": Severity.WARNING, f"{table}.{second}": Severity.WARNING}
