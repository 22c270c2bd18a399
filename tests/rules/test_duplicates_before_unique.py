from __future__ import annotations

from bot.model.facts import EXACT, SAMPLE, Count, Facts
from tests.conftest import review_sql, rule_ids

RULE = "duplicates-before-unique"


def _facts(rows: int, source: str = EXACT) -> Facts:
    count = Count("duplicates", "users", ("email",), rows, source, detail="3 values")
    return Facts("replica", "postgres", "t", counts=(count,))


def test_unique_index_and_constraint() -> None:
    index = "CREATE UNIQUE INDEX CONCURRENTLY users_email ON users (email);"
    constraint = "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);"
    for sql in (index, constraint):
        [finding] = [f for f in review_sql(sql, facts=_facts(5)).active if f.rule == RULE]
        assert "has 5 duplicate rows in production (3 values repeated)" in finding.message


def test_a_sample_says_at_least() -> None:
    sql = "CREATE UNIQUE INDEX CONCURRENTLY users_email ON users (email);"
    [finding] = [f for f in review_sql(sql, facts=_facts(2, SAMPLE)).active if f.rule == RULE]
    assert "at least 2 duplicate rows" in finding.message


def test_quiet_when_unique_in_production_or_for_other_columns() -> None:
    assert RULE not in rule_ids(review_sql("CREATE UNIQUE INDEX u ON users (email);", facts=_facts(0)))
    assert RULE not in rule_ids(review_sql("CREATE UNIQUE INDEX u ON users (login);", facts=_facts(9)))
