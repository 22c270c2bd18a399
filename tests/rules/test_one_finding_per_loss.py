"""An UPDATE without WHERE that sets a column to one constant, in a migration whose down does not restore it,
is one loss: `every-row-overwritten` reports it and says the rollback does not bring the values back, and
`data-lost-on-rollback` leaves that column to it. Each still speaks alone where the hazards differ."""

from __future__ import annotations

import pytest

from bot.model.config import Config, RulesConfig
from tests.conftest import review_sql

NAMES = [("users", "plan", "name"), ("accounts", "tier", "label")]


def _sql(table: str, up: str, down: str = "SELECT 1;", *, extra: str = "") -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {extra} text, note text);\n-- migration\n"
        f"-- +goose Up\n{up}\n-- +goose Down\n{down}"
    )


def _found(sql: str, config: Config | None = None) -> dict[str, str]:
    return {
        f.rule: f"{f.message} | {f.blast_radius}"
        for f in review_sql(sql, config=config).active
        if f.rule in ("every-row-overwritten", "data-lost-on-rollback")
    }


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_one_statement_one_finding(table: str, column: str, other: str) -> None:
    schema = f"{column} text, {other}"
    found = _found(_sql(table, f"UPDATE {table} SET {column} = 'pro';", extra=schema))
    assert set(found) == {"every-row-overwritten"}, found
    assert "the down migration does not restore them" in found["every-row-overwritten"]
    assert "a rollback does not bring them back" in found["every-row-overwritten"]


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_a_column_the_first_rule_does_not_report_is_still_lost_on_rollback(
    table: str, column: str, other: str
) -> None:
    schema = f"{column} text, {other}"
    found = _found(
        _sql(table, f"UPDATE {table} SET {column} = 'pro', {other} = lower({other});", extra=schema)
    )
    assert set(found) == {"every-row-overwritten", "data-lost-on-rollback"}, found
    assert f"`{table}.{other}`" in found["data-lost-on-rollback"]
    assert f"`{table}.{column}`" not in found["data-lost-on-rollback"]


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_different_hazards_keep_their_own_finding(table: str, column: str, other: str) -> None:
    schema = f"{column} text, {other}"
    # a WHERE: no overwrite of every row, but the rows it picks are not restored
    picked = _found(
        _sql(table, f"UPDATE {table} SET {column} = 'pro' WHERE {column} = 'free';", extra=schema)
    )
    assert set(picked) == {"data-lost-on-rollback"}, picked
    # a down that writes the column back: every row is still overwritten, the rollback is not the problem
    back = _found(
        _sql(
            table,
            f"UPDATE {table} SET {column} = 'pro';",
            f"UPDATE {table} SET {column} = 'free';",
            extra=schema,
        )
    )
    assert set(back) == {"every-row-overwritten"}, back
    assert "does not restore" not in back["every-row-overwritten"]


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_the_rollback_finding_speaks_when_the_other_rule_is_off(table: str, column: str, other: str) -> None:
    sql = _sql(table, f"UPDATE {table} SET {column} = 'pro';", extra=f"{column} text, {other}")
    found = _found(sql, Config(rules=RulesConfig(ignore=("every-row-overwritten",))))
    assert set(found) == {"data-lost-on-rollback"}, found
    assert f"`{table}.{column}`" in found["data-lost-on-rollback"]
