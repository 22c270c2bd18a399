from __future__ import annotations

from bot.model.facts import EXACT, STATISTICS, ColumnFacts, Facts, ValueCount
from tests.conftest import review_sql, rule_ids

RULE = "unmapped-production-value"
CASE = "UPDATE orders SET state = CASE status WHEN 'paid' THEN 'settled' WHEN 'open' THEN 'pending' END;"


def _facts(*values: ValueCount, source: str = EXACT, hidden: bool = False) -> Facts:
    column = ColumnFacts("orders", "status", source, 0.0, len(values), values, complete=True, hidden=hidden)
    return Facts("replica", "postgres", "2026-01-05T09:00:00Z", columns=(column,))


def test_names_each_unmapped_value_with_its_rows_and_share() -> None:
    facts = _facts(
        ValueCount("paid", 900, 0.9), ValueCount("open", 95, 0.095), ValueCount("refunded", 5, 0.005)
    )
    [finding] = [f for f in review_sql(CASE, facts=facts).active if f.rule == RULE]
    assert "1 value (`'refunded'`: 5 rows, 0.5 %) of `orders.status` matches no WHEN" in finding.message
    assert "exact on replica at 2026-01-05T09:00:00Z" in finding.message
    assert finding.severity.value == "critical"
    assert "About 5 rows (0.5 % of `orders`) become NULL in `state`, overwriting their current value" in (
        finding.blast_radius
    )


def test_quiet_when_production_holds_only_listed_values() -> None:
    facts = _facts(ValueCount("paid", 900, 0.9), ValueCount("open", 100, 0.1), source=STATISTICS)
    assert RULE not in rule_ids(review_sql(CASE, facts=facts))


def test_quiet_without_facts_and_with_an_else() -> None:
    assert RULE not in rule_ids(review_sql(CASE))
    facts = _facts(ValueCount("paid", 900, 0.9), ValueCount("void", 100, 0.1))
    with_else = CASE.replace(" END;", " ELSE 'other' END;")
    assert RULE not in rule_ids(review_sql(with_else, facts=facts))


def test_a_lower_normalised_case_covers_case_variants_but_not_null() -> None:
    sql = "UPDATE orders SET state = CASE lower(status) WHEN 'paid' THEN 'settled' WHEN 'open' THEN 'p' END;"
    facts = _facts(ValueCount("paid", 90, 0.9), ValueCount("PAID", 5, 0.05), ValueCount(None, 5, 0.05))
    [finding] = [f for f in review_sql(sql, facts=facts).active if f.rule == RULE]
    assert "PAID" not in finding.message and "NULL (no WHEN matches NULL): 5 rows" in finding.message


def test_hidden_values_are_counted_never_named() -> None:
    facts = _facts(
        ValueCount("<value 1>", 90, 0.9, hidden=True, equals="paid"),
        ValueCount("<value 2>", 10, 0.1, hidden=True),
        hidden=True,
    )
    [finding] = [f for f in review_sql(CASE, facts=facts).active if f.rule == RULE]
    assert "a value withheld by the probe's policy: 10 rows" in finding.message
