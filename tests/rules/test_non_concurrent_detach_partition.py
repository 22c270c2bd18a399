from typing import Any

from bot.model.config import Config
from bot.model.findings import Finding, Severity
from tests.conftest import review_sql

SQL = "ALTER TABLE events DETACH PARTITION events_2023;"


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "non-concurrent-detach-partition"]


def test_detach_without_concurrently_is_critical() -> None:
    [finding] = _found(SQL)
    assert finding.severity is Severity.CRITICAL and "events_2023" in finding.message


def test_on_postgres_14_the_suggestion_adds_concurrently() -> None:
    [finding] = _found(SQL, config=Config(database_version="14"))
    assert finding.suggestion == "ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY"


def test_before_14_the_fix_explains_the_version() -> None:
    [finding] = _found(SQL, config=Config(database_version="13.4"))
    assert finding.suggestion is None and "14" in finding.fix


def test_concurrent_detach_is_quiet() -> None:
    assert not _found("ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;")


def test_mysql_is_not_checked() -> None:
    assert not _found(SQL, dialect="mysql")
