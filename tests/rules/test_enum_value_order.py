from typing import Any

from bot.model.findings import Finding
from tests.conftest import review_sql

BASE = {"db/migrations/000_base.sql": "CREATE TYPE order_status AS ENUM ('draft', 'published', 'archived');"}


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "enum-value-order"]


def test_appended_value_is_info_with_an_explicit_after() -> None:
    [finding] = _found("ALTER TYPE order_status ADD VALUE 'review';", base=BASE)
    assert finding.severity.value == "info" and "archived" in finding.message
    assert finding.suggestion == "ALTER TYPE order_status ADD VALUE 'review' AFTER 'archived'"


def test_before_or_after_is_quiet() -> None:
    assert not _found("ALTER TYPE order_status ADD VALUE 'review' BEFORE 'published';", base=BASE)
    assert not _found("ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'x' AFTER 'archived';", base=BASE)
