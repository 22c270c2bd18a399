from __future__ import annotations

from bot.model.facts import EXACT, SAMPLE, ColumnFacts, Facts, ValueCount
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
