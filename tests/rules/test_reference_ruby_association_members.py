"""diaspora dropped `comments.author_signature` (the signature moved to `comment_signatures`) and the review
counted `author_signature: comment.signature.try(:author_signature)` as a use of the comment's column: the name
is read from what the `signature` association returns, a row of another table. A member chained after an
association (`x.assoc.try(:col)`, `x.assoc&.col`, `x.assoc.col`) is the association's model's; read from the
row itself (`x.col`, `x.try(:col)`, `x&.col`, `x.reload.col`) it is the table's own."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Finding, Severity
from bot.review import review

# (table, its model, the association, the associated model's table, the column dropped)
NAMES = [
    ("comments", "Comment", "signature", "comment_signatures", "author_signature"),
    ("orders", "Order", "shipment", "shipments", "tracking_code"),
]


def _dropped(
    table: str, model: str, association: str, other: str, column: str, code: str, *, shared: bool
) -> Finding:
    """`shared`: the associated table has a column of the same name too."""
    other_model = "".join(w.title() for w in other[:-1].split("_"))
    schema = (
        f"class CreateTables < ActiveRecord::Migration[7.1]\n  def change\n    create_table :{table} do |t|\n"
        f"      t.text :body\n      t.text :{column}\n    end\n    create_table :{other} do |t|\n"
        f"      t.integer :{model.lower()}_id\n      t.text :{column if shared else 'payload'}\n    end\n  end\nend\n"
    )
    migration = (
        f"class Drop{model}Column < ActiveRecord::Migration[7.1]\n  def change\n"
        f"    remove_column :{table}, :{column}, :text\n  end\nend\n"
    )
    base = {
        "db/migrate/20200101000000_create_tables.rb": schema,
        f"app/models/{model.lower()}.rb": (
            f'class {model} < ApplicationRecord\n  has_one :{association}, class_name: "{other_model}"\nend\n'
        ),
        f"app/models/{other[:-1]}.rb": f"class {other_model} < ApplicationRecord\n  belongs_to :{model.lower()}\nend\n",
        "lib/federation/entities.rb": code,
    }
    path = "db/migrate/20250101000000_drop_column.rb"
    changeset = ChangeSet(
        base="base",
        head="head",
        files=(ChangedFile(path, "added", None, migration),),
        head_tree=MemoryTree({**base, path: migration}),
        base_tree=MemoryTree(base),
    )
    [finding] = [f for f in review(changeset).findings if f.rule == "column-dropped"]
    return finding


def _entity(model: str, column: str, read: str) -> str:
    row = model.lower()
    return (
        f"module Federation\n  module Entities\n    def self.{row}({row})\n      Entity.new(\n"
        f"        guid: {row}.guid,\n        {column}: {read}\n      )\n    end\n\n"
        f"    def self.plain({row})\n      {read}\n    end\n  end\nend\n"
    )


def _blocking(finding: Finding) -> list[int]:
    return [r.line for r in finding.references if "low confidence" not in r.kind and "safe" not in r.kind]


@pytest.mark.parametrize(("table", "model", "association", "other", "column"), NAMES)
def test_a_member_of_an_association_is_the_associated_models(
    table: str, model: str, association: str, other: str, column: str
) -> None:
    row = model.lower()
    for read in (
        f"{row}.{association}.try(:{column})",
        f"{row}.{association}&.{column}",
        f"{row}.{association}.{column}",
        f"@{row}.{association}.try(:{column})",
    ):
        for shared in (True, False):
            finding = _dropped(
                table, model, association, other, column, _entity(model, column, read), shared=shared
            )
            # the key of the entity's hash is the column's name: tied to the table only by the row on its line
            # when the name is shared with the associated table (a distinctive name counts by itself)
            assert _blocking(finding) == ([] if shared else [6]), (read, shared, finding.message)


@pytest.mark.parametrize(("table", "model", "association", "other", "column"), NAMES)
def test_a_member_of_the_row_itself_is_the_tables_column(
    table: str, model: str, association: str, other: str, column: str
) -> None:
    row = model.lower()
    for read in (
        f"{row}.{column}",
        f"{row}.try(:{column})",
        f"{row}&.{column}",
        f"{row}.reload.{column}",
        f"{table}.first.{column}",
    ):
        for shared in (True, False):
            finding = _dropped(
                table, model, association, other, column, _entity(model, column, read), shared=shared
            )
            assert {6, 11} <= set(_blocking(finding)), (read, shared, finding.message)
            assert finding.severity is Severity.CRITICAL, (read, shared)
