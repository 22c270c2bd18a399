"""A migration edits a copy of a record's text and throws the copy away: the record keeps its value.

## Why is this bad?
Ruby's `comment.body.delete("\0")`, `user.email.strip` and `name.gsub(…)` answer a new string and leave the
attribute as it was; only their bang forms (`delete!`, `strip!`, `gsub!`) change the string in place. Python's
strings never change: `row.email.strip()` and `row.name.replace("\x00", "")` answer a copy. Written
as a statement in a data migration, the edited copy is dropped: the `save!` that follows writes the record
unchanged (Active Record sees no change and sends no UPDATE; Django writes the old values back), the migration
reports success, and the clean-up
the pull request promises never happens. What relies on it (a constraint added next, a move to a database that
refuses the old values) meets the rows as they were.

## Use instead
Assign the result (`comment.body = comment.body.delete("\0")`, `row.email = row.email.strip()`) or, in Ruby, call
the bang form (`comment.body.delete!("\0")`, which Active Record sees as a change of the attribute) before the
save; better, write the rows with one set-based statement (`Comment.where("body LIKE ?", "%\0%").update_all(["body
= REPLACE(body, ?, '')", "\0"])`, Django's `update(email=Trim("email"))`).

## Framework notes
Rails: statements in the migration's `up` or `change` on an attribute of a record whose model the code names
(a block parameter of `Model.where(…).find_each`, a local assigned from a model), when the model does not
decode the attribute (`serialize`, `store`). Django: statements in a `RunPython` loop over a queryset's rows on
an attribute of the row. Not reported on a column the schema says holds no text, nor `delete` (which edits an
Array or a Hash in place) on a column the review does not know; nor the bang forms, nor an answer the code uses
(assigned, passed on, the last value of a `map` block).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration
from bot.rules.context import Context

RULE = Rule(
    id="edit-discarded",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Assign the edited value (or call the bang form) before saving, or update the rows with one statement.",
    bad=(
        "class CleanNames < ActiveRecord::Migration[7.1]\n  def up\n"
        "    User.where(\"name LIKE ' %'\").find_each do |user|\n      user.name.strip\n      user.save!\n"
        "    end\n  end\nend\n",
    ),
    good=(
        "class CleanNames < ActiveRecord::Migration[7.1]\n  def up\n"
        "    User.where(\"name LIKE ' %'\").find_each do |user|\n      user.name = user.name.strip\n"
        "      user.save!\n    end\n  end\nend\n",
    ),
)
EXAMPLE_PATH = "db/migrate/20260101000000_clean_names.rb"
EXAMPLE_TREE = {"db/structure.sql": "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n"}

# methods that edit some other type in place (Ruby's Array#delete, Hash#delete): judged only on a text column
_OTHER_TYPES_EDIT = frozenset({"delete"})
# the types whose values Ruby reads as a String
_TEXT = re.compile(r"^\s*(?:character\s+varying|varchar|char|character|text|citext|string|\w*text)\b", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for edit in migration.discarded_edits:
        column = context.catalog.column(edit.table, edit.column)
        if column is not None and not _TEXT.match(column.type):
            continue
        if column is None and edit.method in _OTHER_TYPES_EDIT:
            continue  # a column the review does not know may hold an Array or a Hash, which `delete` edits
        call = " ".join(edit.sql.split())
        saved = (
            f" the save at line {edit.saved} writes the record unchanged,"
            if edit.saved
            else " nothing is written,"
        )
        yield edit.finding(
            RULE,
            f"`{call}` answers an edited copy of `{edit.table}.{edit.column}` and the code drops it: the value "
            f"stays as it was,{saved} and the migration reports success.",
            blast_radius=f"Every row of `{edit.table}` the code means to fix keeps its old value; what the change "
            "relies on next (a constraint, a move to another database, code that expects clean values) meets "
            "them as they were.",
            fix=(
                f"Assign the result (`{_assigned(call, edit.method)}`) or call `{edit.method}!`, which edits the "
                "string in place, before the save; or update the rows with one `update_all`."
                if migration.framework == "rails"
                else f"Assign the result (`{_assigned(call, edit.method)}`) before the save; or update the rows "
                "with one queryset `update()` (`Trim`, `Replace`, `Lower`)."
            ),
        )


def _assigned(call: str, method: str) -> str:
    """`comment.body = comment.body.delete("\0")` from `comment.body.delete("\0")`."""
    target = call.split(f".{method}", 1)[0]
    return f"{target} = {call}"
