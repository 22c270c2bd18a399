"""rubygems dropped seven boolean columns of `api_keys` with `remove_columns :api_keys, *%i[show_dashboard …],
type: :boolean` after `self.ignored_columns += API_SCOPES` (a constant `API_SCOPES = %i[show_dashboard …]`)
had hidden them: the review read no drop at all (a splatted list of symbols, and `type:` taken for the
second argument of `remove_column`, which keeps one column), and once it did, the places were critical
because the list of ignored columns was a constant."""

from __future__ import annotations

import pytest

from bot.model.findings import Severity
from tests.conftest import review_sql


@pytest.mark.parametrize(
    ("table", "model", "constant", "columns"),
    [
        ("api_keys", "ApiKey", "API_SCOPES", ("show_dashboard", "push_rubygem")),
        ("widgets", "Widget", "LEGACY_FIELDS", ("legacy_color", "legacy_size")),
    ],
)
def test_remove_columns_of_a_splatted_list_ignored_through_a_constant(
    table: str, model: str, constant: str, columns: tuple[str, str]
) -> None:
    first, second = columns
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, name text, {first} boolean, {second} boolean);\n"
    migration = (
        f"class RemoveLegacy < ActiveRecord::Migration[7.1]\n  def change\n    safety_assured do\n"
        f"      remove_columns :{table},\n                     *%i[{first} {second}],\n"
        "                     type: :boolean, null: false, default: false\n    end\n  end\nend\n"
    )
    row = table[:-1]
    model_rb = (
        f"class {model} < ApplicationRecord\n  {constant} = %i[{first} {second}].freeze\n\n"
        f"  self.ignored_columns += {constant}\n\n  def exclusive?\n    scopes.include?(:{first})\n  end\nend\n"
    )
    admin = f"class {model}Resource < Avo::BaseResource\n  field :{first}, as: :boolean\nend\n"
    files = {
        "db/migrate/000_schema.sql": schema,
        f"app/models/{row}.rb": model_rb,
        f"app/avo/resources/{row}_resource.rb": admin,
    }
    path = "db/migrate/20240101000000_remove_legacy.rb"
    result = review_sql(migration, path=path, base=files)
    dropped = [f for f in result.findings if f.rule == "column-dropped"]
    assert {f.message.split("`")[1] for f in dropped} == {f"{table}.{first}", f"{table}.{second}"}
    assert all(f.severity is not Severity.CRITICAL for f in dropped)
    listed = {
        **files,
        f"app/models/{row}.rb": model_rb.replace(f"  self.ignored_columns += {constant}\n", ""),
    }
    loud = [f for f in review_sql(migration, path=path, base=listed).findings if f.rule == "column-dropped"]
    assert any(f.severity is Severity.CRITICAL and f"{table}.{first}" in f.message for f in loud)
