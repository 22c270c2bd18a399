from typing import Any

from bot.model.findings import Finding
from tests.conftest import review_sql

RULE = "invalid-index-retry"


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


def test_concurrent_build_without_cleanup_suggests_dropping_first() -> None:
    [finding] = _found("CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);")
    assert "already exists" in finding.message
    assert finding.suggestion == (
        "DROP INDEX CONCURRENTLY IF EXISTS orders_user_idx;\n"
        "CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id)"
    )


def test_if_not_exists_hides_an_invalid_index() -> None:
    [finding] = _found("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS orders_key ON orders (code);")
    assert "INVALID" in finding.message


def test_drop_if_exists_first_is_quiet() -> None:
    sql = "DROP INDEX CONCURRENTLY IF EXISTS orders_user_idx;\nCREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);"
    assert not _found(sql)


def test_non_concurrent_builds_and_new_tables_are_quiet() -> None:
    assert not _found("CREATE INDEX orders_user_idx ON orders (user_id);")
    assert not _found("CREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY t_a_idx ON t (a);")
