"""`save-failure-ignored`: a Rails migration that saves records with `save`, `update` or `create` (in a loop)
and drops the answer, which is false (or an unsaved record) when a validation fails."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding
from tests.conftest import review_sql

NAMES = [("User", "users", "email"), ("Account", "accounts", "slug")]


def _found(model: str, table: str, column: str, up: str, *, validated: bool = True) -> list[Finding]:
    rule = (
        f"  validates :{column}, presence: true\n" if validated else "  belongs_to :owner, optional: true\n"
    )
    base = {
        f"app/models/{model.lower()}.rb": f"class {model} < ApplicationRecord\n{rule}end\n",
        "db/schema.rb": (
            "ActiveRecord::Schema[7.1].define(version: 2026_01_01_000000) do\n"
            f'  create_table "{table}" do |t|\n    t.string "{column}"\n  end\nend\n'
        ),
    }
    body = up.replace("{M}", model).replace("{c}", column)
    text = f"class Change < ActiveRecord::Migration[7.1]\n  def up\n{body}\n  end\n\n  def down\n  end\nend\n"
    result = review_sql(text, path="db/migrate/20260101000000_change.rb", base=base)
    return [f for f in result.active if f.rule == "save-failure-ignored"]


BAD = {
    "save-in-find-each": "    {M}.find_each do |r|\n      r.{c} = r.{c}.to_s.strip\n      r.save\n    end",
    "update-in-each": "    {M}.where({c}: nil).each { |r| r.update({c}: 'none') }",
    "update-attributes": "    {M}.all.each do |r|\n      r.update_attributes({c}: 'x')\n    end",
    "create-in-loop": "    %w[a b].each { |n| {M}.create({c}: n) }",
    "fetched-record": "    r = {M}.find_by({c}: 'old')\n    r.{c} = 'new'\n    r.save",
    "collection-in-a-local": "    rows = {M}.where({c}: nil)\n    rows.each do |r|\n      r.update({c}: 'x')\n    end",
}
GOOD = {
    "bang": "    {M}.find_each do |r|\n      r.{c} = r.{c}.to_s.strip\n      r.save!\n    end",
    "update-bang": "    {M}.where({c}: nil).each { |r| r.update!({c}: 'none') }",
    "update-columns": "    {M}.find_each { |r| r.update_columns({c}: 'x') }",
    "update-column": "    {M}.find_each { |r| r.update_column(:{c}, 'x') }",
    "update-all": "    {M}.where({c}: nil).update_all({c}: 'none')",
    "or-raise": "    {M}.find_each do |r|\n      r.{c} = 'x'\n      r.save or raise 'invalid'\n    end",
    "unless": "    {M}.find_each do |r|\n      raise r.errors.full_messages.join unless r.save\n    end",
    "assigned": "    {M}.find_each do |r|\n      ok = r.save\n      say 'skipped' unless ok\n    end",
    "all": "    raise 'invalid' unless {M}.all.all? { |r| r.save }",
    "no-validation": "    {M}.find_each { |r| r.save(validate: false) }",
    "create-once": "    {M}.create!({c}: 'first')",
    "hash-update": "    options = {{ limit: 10 }}\n    options.update({c}: 'utf8')\n    say options.inspect",
}


@pytest.mark.parametrize(("model", "table", "column"), NAMES)
@pytest.mark.parametrize("up", list(BAD.values()), ids=list(BAD))
def test_a_dropped_answer_is_reported(model: str, table: str, column: str, up: str) -> None:
    [found] = _found(model, table, column, up)
    assert f"a `{model}`" in found.message and f"app/models/{model.lower()}.rb" in found.message, (
        found.message
    )
    assert "!" in found.fix


@pytest.mark.parametrize(("model", "table", "column"), NAMES)
@pytest.mark.parametrize("up", list(GOOD.values()), ids=list(GOOD))
def test_a_bang_a_checked_answer_or_no_validations_is_quiet(
    model: str, table: str, column: str, up: str
) -> None:
    assert not _found(model, table, column, up)


@pytest.mark.parametrize(("model", "table", "column"), NAMES)
def test_a_model_without_validations_is_quiet(model: str, table: str, column: str) -> None:
    assert not _found(model, table, column, BAD["save-in-find-each"], validated=False)


@pytest.mark.parametrize(("model", "table", "column"), NAMES)
def test_a_model_the_migration_defines(model: str, table: str, column: str) -> None:
    bare = f"  class {model} < ActiveRecord::Base\n    self.table_name = '{table}'\n  end\n\n"
    checked = bare.replace("  end\n", f"    validates :{column}, presence: true\n  end\n")
    loop = BAD["save-in-find-each"]
    # the migration's own copy, without validations: nothing to fail (the application's has some)
    assert not _inline(model, table, column, bare, loop)
    [found] = _inline(model, table, column, checked, loop)
    assert "the model the migration defines" in found.message


def _inline(model: str, table: str, column: str, klass: str, up: str) -> list[Finding]:
    body = up.replace("{M}", model).replace("{c}", column)
    text = f"class Change < ActiveRecord::Migration[7.1]\n{klass}  def up\n{body}\n  end\n\n  def down\n  end\nend\n"
    base = {
        f"app/models/{model.lower()}.rb": f"class {model} < ApplicationRecord\n  validates :{column}, presence: true\nend\n",
        "db/schema.rb": (
            "ActiveRecord::Schema[7.1].define(version: 2026_01_01_000000) do\n"
            f'  create_table "{table}" do |t|\n    t.string "{column}"\n  end\nend\n'
        ),
    }
    result = review_sql(text, path="db/migrate/20260101000000_change.rb", base=base)
    return [f for f in result.active if f.rule == "save-failure-ignored"]


@pytest.mark.parametrize(("namespace", "model"), [("Spree", "Taxon"), ("Admin", "Post")])
def test_a_namespaced_model_is_found_in_its_folder(namespace: str, model: str) -> None:
    """`Spree::Taxon.all.each { |t| t.save }` saves a `Spree::Taxon`, whose file is
    `app/models/spree/taxon.rb`."""
    name = f"{namespace}::{model}"
    folder = f"app/models/{namespace.lower()}/{model.lower()}.rb"

    def review(declared: str) -> list[Finding]:
        base = {folder: f"module {namespace}\n  class {model} < ApplicationRecord\n{declared}  end\nend\n"}
        text = (
            "class Change < ActiveRecord::Migration[7.1]\n  def up\n"
            f"    {name}.all.each {{ |t| t.save }}\n  end\n\n  def down\n  end\nend\n"
        )
        result = review_sql(text, path="db/migrate/20260101000000_change.rb", base=base)
        return [f for f in result.active if f.rule == "save-failure-ignored"]

    [found] = review("    validates :name, presence: true\n")
    assert f"a `{name}`" in found.message and folder in found.message
    assert not review("    belongs_to :parent, optional: true\n")
