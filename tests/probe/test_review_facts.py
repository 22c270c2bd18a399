"""Facts change the pure review: table sizes scale the locking findings; failures leave items open."""

from __future__ import annotations

from bot.model.facts import STATISTICS, Facts, Failure, TableFacts
from tests.conftest import review_sql

SQL = "CREATE INDEX users_email ON users (email);"


def _severity(facts: Facts | None) -> str:
    [finding] = [f for f in review_sql(SQL, facts=facts).active if f.rule == "non-concurrent-index"]
    return f"{finding.severity.value}: {finding.blast_radius}"


def test_a_small_table_is_not_a_large_one() -> None:
    small = Facts("replica", "postgres", "t", tables=(TableFacts("users", 40, 8192, STATISTICS),))
    large = Facts("replica", "postgres", "t", tables=(TableFacts("users", 48_000_000, 9 << 30, STATISTICS),))
    assert _severity(None).startswith("critical") and "size unknown" in _severity(None)
    assert _severity(large).startswith("critical") and "~48,000,000 rows" in _severity(large)
    assert not _severity(small).startswith("critical") and "~40 rows" in _severity(small)


def test_a_failed_question_leaves_its_item_unverified_with_the_reason() -> None:
    facts = Facts(
        "replica",
        "postgres",
        "t",
        failures=(Failure("orders", "canceling statement due to statement timeout"),),
    )
    result = review_sql("UPDATE orders SET state = 'x' WHERE status = 'a' AND id < 100;", facts=facts)
    item = next(i for i in result.checklist if i.text == "Query production for actual value distribution")
    assert item.state == "unchecked"
    assert item.detail == "not verified: canceling statement due to statement timeout"
    assert "production values not verified for 1 data change" in result.reasons
