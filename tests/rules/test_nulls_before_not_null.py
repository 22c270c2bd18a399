from __future__ import annotations

from bot.model.facts import EXACT, SAMPLE, Count, Facts
from tests.conftest import review_sql, rule_ids

RULE = "nulls-before-not-null"
SQL = "ALTER TABLE users ALTER COLUMN country SET NOT NULL;"


def _facts(*counts: Count) -> Facts:
    return Facts("replica", "postgres", "t", counts=counts)


def test_nulls_and_empty_strings_are_counted() -> None:
    facts = _facts(
        Count("nulls", "users", ("country",), 12, EXACT), Count("empty", "users", ("country",), 3, EXACT)
    )
    [finding] = [f for f in review_sql(SQL, facts=facts).active if f.rule == RULE]
    assert "holds 12 NULLs in production and 3 empty strings" in finding.message


def test_quiet_without_nulls_or_without_facts() -> None:
    assert RULE not in rule_ids(
        review_sql(SQL, facts=_facts(Count("nulls", "users", ("country",), 0, SAMPLE)))
    )
    assert RULE not in rule_ids(review_sql(SQL))


def test_a_mysql_not_null_modify_is_checked_too() -> None:
    facts = _facts(Count("nulls", "users", ("country",), 4, EXACT))
    sql = "ALTER TABLE users MODIFY country varchar(2) NOT NULL;"
    assert RULE in rule_ids(review_sql(sql, dialect="mysql", facts=facts))
