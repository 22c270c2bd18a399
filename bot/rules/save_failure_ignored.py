"""A Rails migration saves records with `save`, `update` or `create` and ignores their answer.

## Why is this bad?
`user.save`, `user.update(role: "admin")` and `user.update_attributes(…)` answer false when a validation fails
(or a callback aborts the save), and `User.create(…)` answers a record that was never saved; only the bang
forms (`save!`, `update!`, `create!`) raise. Called as a statement in a migration, the answer is dropped: every
record that fails keeps its old values (or is never created), the migration reports success, and the schema
change that relies on the data (a NOT NULL, a unique index, code that reads the new value) meets the rows the
loop skipped. A validation that passed on the author's data may fail on production's: a record made invalid
by a later rule, a uniqueness check that two old rows break.

## Use instead
Call the bang form (`save!`, `update!`, `create!`): a failure raises, the migration stops, and its transaction
undoes what it did. Where a record may fail on purpose, check the answer (`user.save or raise "…"`, `unless
user.save … end`) and say what happens to it. Where validations should not run in a migration, write the
column without them (`update_columns`, `update_all`), or define a bare model inside the migration.

## Framework notes
Rails only. Not reported: the bang forms, `save(validate: false)`, `update_column(s)` and `update_all` (no
validations), `update_attribute` (no validations), an answer the code uses (`or raise`, `unless`, assigned,
the last value of a `map` or `all?` block), a model the migration defines for itself without validations, and
an application model whose file declares none.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration
from bot.rules.context import Context

RULE = Rule(
    id="save-failure-ignored",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.WARNING,
    help="Call `save!` / `update!` / `create!` so a failed validation stops the migration, or check the answer.",
    bad=(
        "class NormalizeEmails < ActiveRecord::Migration[7.1]\n  def up\n"
        "    User.find_each do |user|\n      user.email = user.email.downcase\n      user.save\n    end\n"
        "  end\n\n  def down\n  end\nend\n",
    ),
    good=(
        "class NormalizeEmails < ActiveRecord::Migration[7.1]\n  def up\n"
        "    User.find_each do |user|\n      user.email = user.email.downcase\n      user.save!\n    end\n"
        "  end\n\n  def down\n  end\nend\n",
    ),
)
EXAMPLE_PATH = "db/migrate/20260101000000_normalize_emails.rb"
EXAMPLE_HEAD = {
    "app/models/user.rb": "class User < ApplicationRecord\n  validates :email, uniqueness: true\nend\n",
}
_BANG = {"save": "save!", "update": "update!", "update_attributes": "update!", "create": "create!"}


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if migration.framework != "rails":
        return
    for save in migration.unchecked_saves:
        call = " ".join(save.sql.split())
        call = call if len(call) <= 60 else call[:57] + "…"
        record = f"a `{save.model}`" if save.model else "the record"
        where = (
            f" (`{save.model}` declares validations in {save.validations})"
            if save.validations not in ("", "unknown")
            else ""
        )
        created = save.method == "create"
        answer = "answers a record that was not saved" if created else "answers false"
        left = "that record is not created" if created else "that record keeps its old values"
        without = "`insert_all` writes rows" if created else "`update_columns` writes"
        yield save.finding(
            RULE,
            f"`{call}` {answer} when a validation of {record} fails{where}, and the migration ignores it: {left}"
            " and the migration goes on.",
            blast_radius="Every record that fails validation on production's data is left unchanged (or not "
            "created) while the migration reports success; what relies on the new data meets those rows.",
            fix=f"Call `{_BANG[save.method]}` so a failure stops the migration (its transaction undoes the "
            f"rest), or check the answer (`… or raise`); {without} without validations if none should run.",
        )
