"""edit-discarded: a Rails data migration that takes an edited copy of a record's text (`String#delete`,
`strip`, `gsub`) as a statement and drops it saves the record unchanged (lobsters' clean_up_null_bytes)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

RULE = "edit-discarded"
PATH = "db/migrate/20260216202600_clean_up.rb"
NAMES = [
    {"table": "comments", "model": "Comment", "column": "comment", "var": "comment", "edit": 'delete("\\0")'},
    {"table": "story_texts", "model": "StoryText", "column": "body", "var": "st", "edit": "strip"},
]


def _migration(n: dict[str, str], statement: str) -> str:
    return (
        "class CleanUp < ActiveRecord::Migration[8.0]\n  def change\n"
        f"    {n['model']}.where(\"{n['column']} LIKE '%x%'\").find_each do |{n['var']}|\n"
        f"      {statement.format(**n)}\n      {n['var']}.save!\n    end\n  end\nend\n"
    )


def _findings(n: dict[str, str], statement: str, column_type: str = "text", head: Any = None) -> list[Any]:
    schema = f"CREATE TABLE {n['table']} (id bigint PRIMARY KEY, {n['column']} {column_type});\n"
    result = review_sql(
        _migration(n, statement), path=PATH, base={"db/structure.sql": schema}, head=head, dialect="sqlite"
    )
    return [f for f in result.active if f.rule == RULE]


@pytest.mark.parametrize("n", NAMES)
def test_an_edited_copy_dropped_before_the_save(n: dict[str, str]) -> None:
    (finding,) = _findings(n, "{var}.{column}.{edit}")
    assert finding.severity.value == "critical" and finding.line == 4
    assert f"`{n['table']}.{n['column']}`" in finding.message and "the save at line 5" in finding.message
    assert f"{n['var']}.{n['column']} = {n['var']}.{n['column']}." in finding.fix


def _bang(n: dict[str, str]) -> str:
    method, _, rest = n["edit"].partition("(")
    return "{var}.{column}." + method + "!" + (f"({rest}" if rest else "")


@pytest.mark.parametrize("n", NAMES)
@pytest.mark.parametrize(
    "kept",
    [
        lambda n: "{var}.{column} = {var}.{column}.{edit}",  # the copy assigned to the attribute
        _bang,  # the bang form edits the string in place
        lambda n: "cleaned = {var}.{column}.{edit}",  # the copy used
    ],
)
def test_the_value_kept_is_quiet(n: dict[str, str], kept: Any) -> None:
    assert not _findings(n, kept(n))


@pytest.mark.parametrize("n", NAMES)
def test_an_attribute_the_model_decodes_or_a_column_of_no_text_is_quiet(n: dict[str, str]) -> None:
    model = f"app/models/{n['table'][:-1]}.rb"
    serialized = {
        model: f"class {n['model']} < ApplicationRecord\n  serialize :{n['column']}, type: Array\nend\n"
    }
    assert not _findings(n, "{var}.{column}.{edit}", head=serialized)
    assert not _findings(n, "{var}.{column}.{edit}", column_type="jsonb")


@pytest.mark.parametrize("n", NAMES)
def test_a_column_the_review_does_not_know(n: dict[str, str]) -> None:
    """Without the schema, a String-only method (`strip`) is still a dropped copy; `delete`, which edits an
    Array or a Hash in place, is not judged."""
    result = review_sql(_migration(n, "{var}.{column}.{edit}"), path=PATH, dialect="sqlite")
    found = [f for f in result.active if f.rule == RULE]
    assert bool(found) == (not n["edit"].startswith("delete"))
