"""A Rails migration defines `change` and also `down`: Rails never runs that `down`.

## Why is this bad?
When a migration responds to `change`, Rails runs `change` going forward and `change` reversed going back; the
`up` and `down` methods are not looked at. A `down` written beside `change` (to undo what `change` cannot undo
by itself, such as a `remove_column` without its type or an `execute`) is dead code: the rollback raises
`ActiveRecord::IrreversibleMigration`, or reverses `change` in a way the author did not mean, on the day a
release has to be taken back. The file reads as if it had a way back that does not exist.

## Use instead
Either write `up` and `down` (and no `change`), or keep `change` and make it reversible itself: give
`remove_column` its type, and wrap what Rails cannot reverse in `reversible do |dir| dir.up { … }; dir.down
{ … } end`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration
from bot.rules.context import Context

RULE = Rule(
    id="rails-down-ignored",
    dimension=Dimension.ROLLBACK,
    severity=Severity.WARNING,
    help="Write `up` and `down` instead of `change`, or make `change` reversible itself (`reversible do |dir|`).",
    bad=(
        "class RemoveLegacyCode < ActiveRecord::Migration[7.1]\n  def change\n    remove_column :orders, :legacy_code\n"
        "  end\n\n  def down\n    add_column :orders, :legacy_code, :string\n  end\nend\n",
    ),
    good=(
        "class RemoveLegacyCode < ActiveRecord::Migration[7.1]\n  def up\n    remove_column :orders, :legacy_code\n"
        "  end\n\n  def down\n    add_column :orders, :legacy_code, :string\n  end\nend\n",
    ),
    dialects=("postgres", "mysql", "mariadb", "sqlite"),
)
EXAMPLE_PATH = "db/migrate/20260101000000_remove_legacy_code.rb"
EXAMPLE_HEAD = {
    "db/schema.rb": 'ActiveRecord::Schema[7.1].define(version: 2026_01_01_000000) do\n  create_table "orders" do |t|\n'
    '    t.string "legacy_code"\n  end\nend\n',
}

_CHANGE = re.compile(r"^[ \t]*def[ \t]+change\b", re.M)
_DOWN = re.compile(r"^[ \t]*def[ \t]+(?:self\.)?down\b", re.M)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if migration.framework != "rails":
        return
    text = context.tree.read(migration.path) or ""
    change, down = _CHANGE.search(text), _DOWN.search(text)
    if change is None or down is None:
        return
    line = text.count("\n", 0, down.start()) + 1
    yield RULE.finding(
        migration.path,
        line,
        "The migration defines `change`, so Rails never runs this `down`: a rollback reverses `change` instead "
        "(and raises `ActiveRecord::IrreversibleMigration` where `change` cannot be reversed).",
        blast_radius="The rollback of this migration does not do what the `down` says, on the day a release is "
        "taken back.",
        fix="Rename `change` to `up` so that this `down` is the way back, or drop the `down` and make `change` "
        "reversible itself (`reversible do |dir| … end`, `remove_column` with its type).",
    )
