from typing import Any

from bot.model.config import Config
from bot.model.findings import Finding, Severity
from tests.conftest import review_sql


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "blocking-maintenance"]


def test_vacuum_full_is_critical_and_suggests_plain_vacuum() -> None:
    [finding] = _found("VACUUM FULL orders;")
    assert finding.severity is Severity.CRITICAL
    assert finding.suggestion == "VACUUM (ANALYZE) orders"


def test_cluster_is_flagged() -> None:
    assert _found("CLUSTER orders USING orders_created_at_idx;")


def test_plain_vacuum_and_analyze_are_quiet() -> None:
    assert not _found("VACUUM orders;\nANALYZE orders;\nVACUUM (ANALYZE) orders;")


def test_small_table_is_a_warning() -> None:
    [finding] = _found("VACUUM FULL orders;", config=Config(small_tables=["orders"]))
    assert finding.severity is Severity.WARNING
