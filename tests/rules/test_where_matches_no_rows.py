from __future__ import annotations

import pytest

from bot.model.facts import EXACT, SAMPLE, ColumnFacts, Facts, ValueCount
from bot.model.findings import Severity
from tests.conftest import review_sql, rule_ids

RULE = "where-matches-no-rows"
VALUES = (ValueCount("paid", 90, 0.9), ValueCount("CANCELLED", 10, 0.1))


def _facts(source: str = EXACT, complete: bool = True) -> Facts:
    column = ColumnFacts("orders", "status", source, 0.0, 2, VALUES, complete=complete)
    return Facts("replica", "postgres", "t", columns=(column,))


def test_a_value_production_never_holds_is_named_with_its_variant() -> None:
    sql = "DELETE FROM orders WHERE status = 'canceled' AND id < 1000;"
    [finding] = [f for f in review_sql(sql, facts=_facts()).active if f.rule == RULE]
    assert "never holds `'canceled'` (but `'CANCELLED'` has 10 rows)" in finding.message
    assert "matches no rows" in finding.message


def test_some_listed_values_missing() -> None:
    sql = "UPDATE orders SET archived = true WHERE status IN ('paid', 'void');"
    [finding] = [f for f in review_sql(sql, facts=_facts()).active if f.rule == RULE]
    assert "`'void'`" in finding.message and "fewer rows than listed" in finding.message


def test_quiet_when_the_counts_are_incomplete_or_the_value_exists() -> None:
    sql = "UPDATE orders SET archived = true WHERE status = 'void';"
    assert RULE not in rule_ids(review_sql(sql, facts=_facts(SAMPLE, complete=False)))
    assert RULE not in rule_ids(review_sql("UPDATE orders SET a = 1 WHERE status = 'paid';", facts=_facts()))
    assert RULE not in rule_ids(review_sql(sql))


DOMAINS = [
    (
        "CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text NOT NULL, note text,\n"
        "  CONSTRAINT {table}_{column}_check CHECK ({column} IN ('pending', 'paid', 'cancelled')));\n",
        "CHECK `{table}_{column}_check`",
    ),
]
DOMAIN_NAMES = [{"table": "orders", "column": "status"}, {"table": "invoices", "column": "state"}]


@pytest.mark.parametrize("names", DOMAIN_NAMES)
@pytest.mark.parametrize(("schema", "by"), DOMAINS)
def test_without_a_probe_the_databases_own_domain_rules_values_out(names, schema, by) -> None:  # type: ignore[no-untyped-def]
    base = {"db/migrations/001_schema.sql": schema.format(**names)}
    for sql in (
        "UPDATE {table} SET note = 'x' WHERE {column} = 'canceled';",
        "DELETE FROM {table} WHERE {column} IN ('paid', 'canceled');",
    ):
        result = review_sql(sql.format(**names), path="db/migrations/002_fix.sql", base=base)
        (finding,) = [f for f in result.active if f.rule == "where-matches-no-rows"]
        assert finding.severity is Severity.CRITICAL and by.format(**names) in finding.message
        assert result.approval == "BLOCKED"
    good = "UPDATE {table} SET note = 'x' WHERE {column} IN ('paid', 'cancelled');"
    result = review_sql(good.format(**names), path="db/migrations/002_fix.sql", base=base)
    assert not [f for f in result.active if f.rule == "where-matches-no-rows"]


@pytest.mark.parametrize("names", DOMAIN_NAMES)
def test_a_check_not_yet_validated_or_no_domain_says_nothing(names) -> None:  # type: ignore[no-untyped-def]
    schema = (
        "CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text NOT NULL, note text);\n"
        "ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_check CHECK ({column} IN ('paid')) NOT VALID;\n"
    )
    sql = "UPDATE {table} SET note = 'x' WHERE {column} = 'legacy';"
    for base in ({"db/migrations/001_schema.sql": schema.format(**names)}, {}):
        result = review_sql(sql.format(**names), path="db/migrations/002_fix.sql", base=base)
        assert not [f for f in result.active if f.rule == "where-matches-no-rows"]


@pytest.mark.parametrize("names", DOMAIN_NAMES)
def test_a_mysql_enum_column_compares_without_case(names) -> None:  # type: ignore[no-untyped-def]
    schema = "CREATE TABLE {table} (id bigint PRIMARY KEY, {column} enum('pending','paid','cancelled') NOT NULL, note text);"
    base = {"db/migrations/001_schema.sql": schema.format(**names)}
    for value, expected in (("canceled", 1), ("PAID", 0), ("paid", 0)):
        sql = f"UPDATE {{table}} SET note = 'x' WHERE {{column}} = '{value}';".format(**names)
        result = review_sql(sql, path="db/migrations/002_fix.sql", base=base, dialect="mysql")
        assert len([f for f in result.active if f.rule == "where-matches-no-rows"]) == expected, value


@pytest.mark.parametrize(("table", "column"), [("orders", "status"), ("tickets", "phase")])
def test_one_arm_of_an_or_that_matches_nothing_leaves_the_others(table: str, column: str) -> None:
    """`(status = '' OR status IS NULL)` (Rails writes `where(status: [nil, ""])` so) matches the NULL rows
    even when the CHECK rules '' out; an AND-ed value the CHECK refuses still matches no row."""

    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text CHECK ({column} IN ('open', 'closed')));\n-- migration\n"
    either = review_sql(
        schema
        + f"UPDATE {table} SET {column} = 'open' WHERE ({column} = '' OR {column} IS NULL) AND id < 1000;"
    )
    assert "where-matches-no-rows" not in {f.rule for f in either.active}
    only = review_sql(schema + f"UPDATE {table} SET {column} = 'open' WHERE {column} = '' AND id < 1000;")
    assert "where-matches-no-rows" in {f.rule for f in only.active}
    rails = review_sql(
        f"class Fill < ActiveRecord::Migration[7.1]\n  def up\n    {table.capitalize()[:-1]}.where({column}: [nil, '']).update_all({column}: 'open')\n  end\nend\n",
        path="db/migrate/20260101000000_fill.rb",
        base={"db/structure.sql": schema.split("-- migration")[0]},
    )
    assert "where-matches-no-rows" not in {f.rule for f in rails.active}
