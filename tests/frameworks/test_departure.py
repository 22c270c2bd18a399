"""Rails migrations run through pt-online-schema-change by the Departure gem: their table copies are online."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review, Severity
from bot.review import review

OFF_BY_DEFAULT = "Departure.configure do |config|\n  config.enabled_by_default = false\nend\n"
GEMFILE = 'source "https://rubygems.org"\ngem "rails", "~> 8.0"\ngem "mysql2"\ngem "departure", "~> 8.0"\n'


def _review(
    table: str, column: str, class_head: str, *, gemfile: str = GEMFILE, initializer: str = ""
) -> Review:
    schema = (
        "ActiveRecord::Schema[8.0].define(version: 2024_01_01_000000) do\n"
        f'  create_table "{table}", id: :integer, charset: "utf8mb4", force: :cascade do |t|\n'
        f'    t.integer "{column}"\n  end\nend\n'
    )
    base = {
        "Gemfile": gemfile,
        "db/schema.rb": schema,
        "config/database.yml": "production:\n  adapter: mysql2\n",
    }
    if initializer:
        base["config/initializers/departure.rb"] = initializer
    path = f"db/migrate/20260124181621_change_{table}_ids_to_bigint.rb"
    text = (
        f"class Change{table.title()}IdsToBigint < ActiveRecord::Migration[8.0]\n{class_head}"
        f'  def up\n    change_column :{table}, :{column}, "bigint"\n  end\n\n'
        "  def down\n    raise ActiveRecord::IrreversibleMigration\n  end\nend\n"
    )
    changeset = ChangeSet(
        "b",
        "h",
        (ChangedFile(path, "added", None, text),),
        MemoryTree({**base, path: text}),
        MemoryTree(base),
    )
    return review(changeset)


NAMES = [("comments", "commentable_id"), ("inbox_comments", "feedback_comment_id")]


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize(
    ("class_head", "initializer"),
    [
        ("  uses_departure! if Rails.env.staging? || Rails.env.production?\n\n", OFF_BY_DEFAULT),
        ("  uses_departure!\n", OFF_BY_DEFAULT),
        ("", ""),  # the gem runs every migration unless an initializer says otherwise
    ],
)
def test_a_table_copy_through_departure_is_online(
    table: str, column: str, class_head: str, initializer: str
) -> None:
    result = _review(table, column, class_head, initializer=initializer)
    assert result.approval == "APPROVED", [(f.rule, f.severity, f.message) for f in result.active]
    [copy] = [f for f in result.active if f.rule == "type-change-rewrite"]
    assert copy.severity is Severity.INFO and "pt-online-schema-change (Departure)" in copy.message
    assert "missing-lock-timeout" not in {f.rule for f in result.active}


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize(
    ("class_head", "initializer", "gemfile"),
    [
        ("", OFF_BY_DEFAULT, GEMFILE),  # off by default and the migration does not opt in
        ("  disable_departure!\n", "", GEMFILE),  # on by default, and this migration opts out
        ("  uses_departure!\n", "", GEMFILE.replace('gem "departure", "~> 8.0"\n', "")),  # no gem, no tool
    ],
)
def test_a_table_copy_without_departure_still_blocks(
    table: str, column: str, class_head: str, initializer: str, gemfile: str
) -> None:
    result = _review(table, column, class_head, initializer=initializer, gemfile=gemfile)
    [copy] = [f for f in result.active if f.rule == "type-change-rewrite"]
    assert copy.severity is Severity.CRITICAL and "Departure" not in copy.message
