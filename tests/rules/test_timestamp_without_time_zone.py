from typing import Any

from bot.model.findings import Finding
from tests.conftest import review_sql


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "timestamp-without-time-zone"]


def test_timestamp_without_time_zone_suggests_timestamptz() -> None:
    [finding] = _found("CREATE TABLE t (id bigint, created_at timestamp without time zone NOT NULL);")
    assert finding.suggestion == "CREATE TABLE t (id bigint, created_at timestamptz NOT NULL)"


def test_precision_and_alter_type() -> None:
    assert _found("ALTER TABLE t ADD COLUMN at timestamp(3);")
    assert _found("ALTER TABLE t ALTER COLUMN at TYPE timestamp;")


def test_timestamptz_and_mysql_are_quiet() -> None:
    assert not _found("CREATE TABLE t (a timestamptz, b timestamp with time zone, c date);")
    assert not _found("CREATE TABLE t (a timestamp);", dialect="mysql")
