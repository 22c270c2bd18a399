"""A migration that changes data through an application model with a default scope (Rails, Laravel).

## Why is this bad?
`Order.where(state: nil).update_all(state: "new")` in a migration goes through `app/models/order.rb`. When
that model declares `default_scope { where(deleted_at: nil) }` (or `acts_as_paranoid`, which adds one), every
query the migration builds on it carries the scope: the UPDATE or DELETE silently leaves out the soft-deleted
(or otherwise scoped-out) rows, which keep their old values, and a later NOT NULL or unique constraint fails
on them. The scope can also change after the migration is written, changing what an old migration does on a
fresh setup.

## Use instead
Start the chain with `unscoped` (`Order.unscoped.where(state: nil).update_all(…)`), or define a bare model in
the migration (`class Order < ActiveRecord::Base; self.table_name = "orders"; end`), or write the SQL.

## Framework notes
Laravel: an Eloquent model that `use`s `SoftDeletes` (or adds a global scope) leaves the trashed rows out of
`Post::where(…)->update(…)`; write `Post::withTrashed()` / `withoutGlobalScopes()`, or `DB::table('posts')`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataDelete, DataUpdate, Migration, Operation, RunCode
from bot.references.inflection import underscore
from bot.rules.context import Context

RULE = Rule(
    id="default-scope-in-migration",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Start the chain with `unscoped`, or define a bare model inside the migration.",
    bad=(
        "class BackfillState < ActiveRecord::Migration[7.1]\n  def up\n"
        "    Order.where(state: nil).update_all(state: 'new')\n  end\n\n  def down\n  end\nend\n",
    ),
    good=(
        "class BackfillState < ActiveRecord::Migration[7.1]\n  def up\n"
        "    Order.unscoped.where(state: nil).update_all(state: 'new')\n  end\n\n  def down\n  end\nend\n",
    ),
)
EXAMPLE_PATH = "db/migrate/20260101000000_backfill_state.rb"
EXAMPLE_HEAD = {
    "app/models/order.rb": "class Order < ApplicationRecord\n  default_scope { where(deleted_at: nil) }\nend\n",
    "db/schema.rb": 'ActiveRecord::Schema[7.1].define(version: 2026_01_01_000000) do\n  create_table "orders" do |t|\n'
    '    t.string "state"\n    t.datetime "deleted_at"\n  end\nend\n',
}

_MODEL = re.compile(r"^\s*((?:[A-Z]\w*::)*[A-Z]\w*)\s*\.")
_SCOPE = re.compile(r"^\s*(default_scope\b[^\n]*|acts_as_paranoid\b[^\n]*)", re.M)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if migration.framework == "laravel":
        yield from _laravel(migration, context)
        return
    if migration.framework != "rails":
        return
    own = {
        name.split("::")[-1]
        for name in re.findall(
            r"^\s*class\s+((?:[A-Z]\w*::)*[A-Z]\w*)\s*<", (context.tree.read(migration.path) or ""), re.M
        )
    }
    root = migration.path.split("db/migrate/", 1)[0] if "db/migrate/" in migration.path else ""
    seen: set[str] = set()
    for op in migration.up:
        if not isinstance(op, DataUpdate | DataDelete | RunCode):
            continue
        found = _MODEL.match(op.sql)
        if found is None or found.group(1).split("::")[-1] in own or found.group(1) in seen:
            continue  # a model the migration defines itself (inside its own `module Spree` too)
        model = found.group(1)
        if re.search(r"\.unscoped\b|\bunscoped\s*\{|\.unscope\(", op.sql):
            continue
        scope = _scope(context, root, model)
        if scope is None:
            continue
        seen.add(model)
        yield _finding(op, model, scope)


_ELOQUENT = re.compile(r"^\s*\\?(?:App\\Models\\|App\\)?([A-Z]\w*)::")
_ELOQUENT_SCOPE = re.compile(r"^\s*use\s+[^;]*\bSoftDeletes\b[^;]*;|addGlobalScope\s*\(|#\[ScopedBy", re.M)
_ELOQUENT_UNSCOPED = re.compile(r"withTrashed\s*\(|onlyTrashed\s*\(|withoutGlobalScopes?\s*\(")


def _laravel(migration: Migration, context: Context) -> Iterator[Finding]:
    """`Post::where(…)->update(…)` through an Eloquent model that soft-deletes or adds a global scope."""
    root = (
        migration.path.split("database/migrations/", 1)[0] if "database/migrations/" in migration.path else ""
    )
    seen: set[str] = set()
    for op in migration.up:
        if not isinstance(op, DataUpdate | DataDelete | RunCode):
            continue
        found = _ELOQUENT.match(op.sql)
        if found is None or found.group(1) in seen or _ELOQUENT_UNSCOPED.search(op.sql):
            continue
        model = found.group(1)
        text = context.tree.read(f"{root}app/Models/{model}.php") or context.tree.read(
            f"{root}app/{model}.php"
        )
        body = (text or "").split("class ", 1)[-1] if text and "class " in text else ""
        scope = _ELOQUENT_SCOPE.search(body)  # in the class: a trait it uses, not an import
        if scope is None:
            continue
        seen.add(model)
        said = "SoftDeletes" if "SoftDeletes" in scope.group(0) else scope.group(0).strip().rstrip("(")
        yield _finding(op, model, said)


def _scope(context: Context, root: str, model: str) -> str | None:
    """The `default_scope …` (or `acts_as_paranoid`) line of the application's model, when it has one."""
    snake = "/".join(underscore(part) for part in model.split("::"))
    text = context.tree.read(f"{root}app/models/{snake}.rb") or ""
    for found in _SCOPE.finditer(text):
        line = found.group(1).strip()
        window = text[found.start() : found.start() + 240]
        if line.startswith("acts_as_paranoid") or re.search(r"\bwhere\b|\bwhere\.not\b|\bjoins\b", window):
            return line  # a scope that leaves rows out; an `order(:position)` alone leaves none out
    return None


def _finding(op: Operation, model: str, scope: str) -> Finding:
    return op.finding(
        RULE,
        f"The data change goes through the application's `{model}`, whose `{scope}` applies to it: rows the scope "
        "leaves out are not changed.",
        blast_radius=f"Every row of `{getattr(op, 'table', '') or model}` outside the scope keeps its old value; a "
        "later NOT NULL or unique constraint fails on them.",
        fix=(
            f"Start the chain with `{model}::withTrashed()` (or `withoutGlobalScopes()`), or write it with "
            "`DB::table(…)`."
            if "::" not in model and op.location.path.endswith(".php")
            else f"Start the chain with `{model}.unscoped`, or define a bare `{model}` inside the migration "
            "(`class … < ActiveRecord::Base; self.table_name = …; end`)."
        ),
    )
