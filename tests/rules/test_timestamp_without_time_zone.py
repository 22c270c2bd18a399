from typing import Any

import pytest

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


def _schema(tables: list[str], kind: str) -> str:
    return "".join(
        f"CREATE TABLE {t} (id bigint PRIMARY KEY, created_at {kind}, updated_at {kind});\n" for t in tables
    )


@pytest.mark.parametrize(
    ("existing", "table"),
    [
        (["users", "orders"], "invoices"),
        (["packages", "releases"], "package_reports"),
        (["teams", "members"], "envelopes"),
    ],
)
def test_a_schema_that_keeps_its_times_as_timestamp_is_followed(existing: list[str], table: str) -> None:
    """Prisma's DateTime, Ecto's :utc_datetime, Rails' datetime: the new table follows the convention."""
    sql = (
        _schema(existing, "timestamp(3)")
        + f"-- migration\nCREATE TABLE {table} (id bigint, at timestamp(3));"
    )
    assert not _found(sql)


@pytest.mark.parametrize(
    ("existing", "table"),
    [
        (["users", "orders"], "invoices"),
        (["packages", "releases"], "package_reports"),
        (["teams", "members"], "envelopes"),
    ],
)
def test_a_timestamp_in_a_schema_that_uses_timestamptz_is_reported(existing: list[str], table: str) -> None:
    sql = _schema(existing[:1], "timestamp") + _schema(existing[1:], "timestamptz")
    [finding] = _found(sql + f"-- migration\nCREATE TABLE {table} (id bigint, at timestamp(3));")
    assert f"`{table}.at` is a `timestamp`" in finding.message


@pytest.mark.parametrize("table", ["sessions", "exports"])
def test_the_columns_of_one_statement_are_one_finding(table: str) -> None:
    [finding] = _found(
        f"CREATE TABLE {table} (id bigint, starts_at timestamp, ends_at timestamp(6), day date);"
    )
    assert f"`{table}.starts_at` and `{table}.ends_at` are `timestamp`" in finding.message
    assert (
        finding.suggestion
        == f"CREATE TABLE {table} (id bigint, starts_at timestamptz, ends_at timestamptz, day date)"
    )
