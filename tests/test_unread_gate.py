"""What the review could not read never passes the gate: a statement no rule could check keeps the review
BLOCKED until someone reads it and suppresses the finding with a reason."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

UNREAD = [
    ("ALTER TABLE {table} FROBNICATE COLUMN {column};", "db/migrations/002_change.sql"),
    (
        "class Change < ActiveRecord::Migration[7.1]\n  def up\n    execute build_{column}_sql\n  end\n\n"
        "  def down\n  end\nend\n",
        "db/migrate/20260101000000_change.rb",
    ),
]
NAMES = [{"table": "orders", "column": "state"}, {"table": "invoices", "column": "total"}]
SCHEMA = "CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n-- migration\n"


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(("text", "path"), UNREAD, ids=["sql", "rails"])
def test_an_unread_statement_blocks(names: dict[str, str], text: str, path: str) -> None:
    base = {"db/migrations/001_schema.sql": SCHEMA.format(**names).split("-- migration")[0]}
    result = review_sql(text.format(**names), path=path, base=base)
    unread = [f for f in result.active if f.rule == "unparsed-statement"]
    assert unread and unread[0].path == path and unread[0].line >= 1
    assert result.approval == "BLOCKED"
    assert any("could not read" in reason for reason in result.reasons)


@pytest.mark.parametrize("names", NAMES)
def test_an_unread_statement_read_by_hand_and_suppressed_passes(names: dict[str, str]) -> None:
    base = {"db/migrations/001_schema.sql": SCHEMA.format(**names).split("-- migration")[0]}
    text = (
        "ALTER TABLE {table} ADD COLUMN note text;\n"
        "-- migration-review: ignore unparsed-statement read by hand: our extension's own syntax, no lock\n"
        + UNREAD[0][0]
    ).format(**names)
    result = review_sql(text, path=UNREAD[0][1], base=base)
    assert not [f for f in result.active if f.rule == "unparsed-statement"]
    assert not any("could not read" in reason for reason in result.reasons)
    assert result.approval == "APPROVED", result.reasons


@pytest.mark.parametrize("names", NAMES)
def test_a_readable_change_is_not_held_up(names: dict[str, str]) -> None:
    base = {"db/migrations/001_schema.sql": SCHEMA.format(**names).split("-- migration")[0]}
    result = review_sql("ALTER TABLE {table} ADD COLUMN note text;".format(**names), base=base)
    assert result.approval == "APPROVED", result.reasons
