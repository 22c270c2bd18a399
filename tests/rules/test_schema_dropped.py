from typing import Any

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql

RULE = "schema-dropped"


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


def test_drop_schema_cascade_is_critical() -> None:
    [finding] = _found("DROP SCHEMA IF EXISTS reporting CASCADE;")
    assert finding.severity is Severity.CRITICAL and "reporting" in finding.message


def test_drop_schema_without_cascade_is_info() -> None:
    [finding] = _found("DROP SCHEMA reporting;")
    assert finding.severity is Severity.INFO


def test_schema_created_in_the_same_migration_is_quiet() -> None:
    assert not _found("CREATE SCHEMA scratch;\nDROP SCHEMA scratch;")


def test_mysql_drop_schema_is_a_database() -> None:
    assert _found("DROP SCHEMA analytics;", dialect="mysql")
    assert not _found("DROP DATABASE analytics;")
