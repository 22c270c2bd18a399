from __future__ import annotations

from bot.model.facts import SAMPLE, Count, Facts
from tests.conftest import review_sql, rule_ids

RULE = "values-rejected-by-type"


def _facts(kind: str, new_type: str, detail: str = "") -> Facts:
    count = Count(kind, "items", ("code",), 40, SAMPLE, detail=detail, against=new_type)
    return Facts("replica", "postgres", "t", counts=(count,))


def test_text_to_integer_with_non_numbers() -> None:
    sql = "ALTER TABLE items ALTER COLUMN code TYPE integer USING code::integer;"
    [finding] = [f for f in review_sql(sql, facts=_facts("not-integer", "int")).active if f.rule == RULE]
    assert "holds about 40 values that are not whole numbers" in finding.message


def test_mysql_says_it_truncates_silently() -> None:
    sql = "ALTER TABLE items MODIFY code varchar(8);"
    found = review_sql(sql, dialect="mysql", facts=_facts("too-long", "varchar(8)", "8")).active
    [finding] = [f for f in found if f.rule == RULE]
    assert "longer than 8 characters" in finding.message and "silently outside strict mode" in finding.message


def test_facts_for_another_type_do_not_count() -> None:
    sql = "ALTER TABLE items ALTER COLUMN code TYPE varchar(80);"
    assert RULE not in rule_ids(review_sql(sql, facts=_facts("too-long", "varchar(8)", "8")))
