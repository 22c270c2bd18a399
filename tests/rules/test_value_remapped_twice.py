"""`value-remapped-twice`: a later UPDATE of the migration picks its rows by the value an earlier one has just
written and maps them again; read from SQL (PostgreSQL, MySQL), Django and Rails."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql
from tests.rules.django_app import data_migration, model_of, review_migration

NAMES = [
    {"table": "tickets", "column": "status", "old": "resolved", "mid": "closed", "new": "archived"},
    {"table": "orders", "column": "state", "old": "paid", "mid": "fulfilled", "new": "completed"},
]
FIRST = "UPDATE {table} SET {column} = '{mid}' WHERE {column} = '{old}';"
SECOND = "UPDATE {table} SET {column} = '{new}' WHERE {column} IN ('{mid}', 'stale');"


def _found(result: Review) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == "value-remapped-twice"]


def _sql(names: dict[str, str], statements: list[str], dialect: str) -> Review:
    schema = "CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(20) NOT NULL);\n"
    text = schema + "-- migration\n" + "\n".join(statements)
    return review_sql(text.format(**names), dialect=dialect)


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_a_value_written_then_picked_again(names: dict[str, str], dialect: str) -> None:
    (finding,) = _found(_sql(names, [FIRST, SECOND], dialect))
    assert f"`{names['column']} = '{names['mid']}'`, the value line 1 has just written" in finding.message
    assert finding.location.line == 2
    assert not _found(_sql(names, [SECOND, FIRST], dialect))


@pytest.mark.parametrize("names", NAMES)
def test_a_swap_through_a_placeholder_value(names: dict[str, str]) -> None:
    swap = [
        "UPDATE {table} SET {column} = 'swap' WHERE {column} = '{old}';",
        "UPDATE {table} SET {column} = '{old}' WHERE {column} = '{mid}';",
        "UPDATE {table} SET {column} = '{mid}' WHERE {column} = 'swap';",
    ]
    assert not _found(_sql(names, swap, "postgres"))


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("reordered", [False, True])
def test_django_updates_one_after_the_other(names: dict[str, str], reordered: bool) -> None:
    model, column = model_of(names["table"]), names["column"]
    first = f'{model}.objects.filter({column}="{names["old"]}").update({column}="{names["mid"]}")'
    second = f'{model}.objects.filter({column}="{names["mid"]}").update({column}="{names["new"]}")'
    body = f"{second}\n    {first}" if reordered else f"{first}\n    {second}"
    fields = {column: "models.CharField(max_length=20)"}
    result = review_migration(model, fields, data_migration(model, body))
    assert len(_found(result)) == (0 if reordered else 1)


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("reordered", [False, True])
def test_rails_update_all_one_after_the_other(names: dict[str, str], reordered: bool) -> None:
    model, column = model_of(names["table"]), names["column"]
    first = f"{model}.where({column}: '{names['old']}').update_all({column}: '{names['mid']}')"
    second = f"{model}.where({column}: '{names['mid']}').update_all({column}: '{names['new']}')"
    body = f"{second}\n    {first}" if reordered else f"{first}\n    {second}"
    text = (
        "class RemapStates < ActiveRecord::Migration[7.1]\n"
        f"  def up\n    {body}\n  end\n\n  def down\n    raise ActiveRecord::IrreversibleMigration\n  end\nend\n"
    )
    schema = "CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(20) NOT NULL);\n".format(**names)
    result = review_sql(
        text, path="db/migrate/20260101000000_remap_states.rb", base={"db/structure.sql": schema}
    )
    assert len(_found(result)) == (0 if reordered else 1)
