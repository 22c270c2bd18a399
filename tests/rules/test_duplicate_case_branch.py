from bot.model.findings import Severity
from tests.conftest import review_sql


def _found(sql: str) -> list[tuple[Severity, str]]:
    return [(f.severity, f.message) for f in review_sql(sql).active if f.rule == "duplicate-case-branch"]


def test_repeated_value_with_other_result_is_a_warning() -> None:
    found = _found(
        "UPDATE t SET r = CASE s WHEN 'a' THEN 1 WHEN 'b' THEN 2 WHEN 'a' THEN 3 ELSE r END WHERE id < 9 AND id >= 0;"
    )
    assert found and found[0][0] is Severity.WARNING and "branch 3" in found[0][1]


def test_overlap_between_value_and_in_list_is_found() -> None:
    found = _found(
        "UPDATE t SET r = CASE WHEN s = 'a' THEN 1 WHEN s IN ('a', 'b') THEN 2 ELSE r END WHERE id < 9 AND id >= 0;"
    )
    assert found and "'a'" in found[0][1]


def test_repeated_value_with_same_result_is_information() -> None:
    found = _found(
        "UPDATE t SET r = CASE s WHEN 'a' THEN 1 WHEN 'a' THEN 1 ELSE r END WHERE id < 9 AND id >= 0;"
    )
    assert found and found[0][0] is Severity.INFO


def test_distinct_values_are_quiet() -> None:
    assert not _found(
        "UPDATE t SET r = CASE s WHEN 'a' THEN 1 WHEN 'A' THEN 1 ELSE r END WHERE id < 9 AND id >= 0;"
    )
