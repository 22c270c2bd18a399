from typing import Any

from bot.model.config import Config
from bot.model.findings import Finding, Severity
from tests.conftest import review_sql


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "non-concurrent-reindex"]


def test_reindex_table_is_critical_with_a_concurrent_suggestion() -> None:
    [finding] = _found("REINDEX TABLE orders;")
    assert finding.severity is Severity.CRITICAL
    assert finding.suggestion == "REINDEX TABLE CONCURRENTLY orders"


def test_concurrent_reindex_is_quiet() -> None:
    assert not _found("REINDEX INDEX CONCURRENTLY orders_user_idx;")


def test_before_postgres_12_there_is_no_suggestion_but_a_recipe() -> None:
    [finding] = _found("REINDEX INDEX orders_user_idx;", config=Config(database_version="11"))
    assert finding.suggestion is None and "CONCURRENTLY" in finding.fix


def test_index_of_a_table_created_in_the_same_change_is_quiet() -> None:
    sql = "CREATE TABLE orders (id bigint, user_id bigint);\nCREATE INDEX orders_user_idx ON orders (user_id);\n"
    assert not _found(sql + "REINDEX INDEX orders_user_idx;")


def test_small_table_is_a_warning() -> None:
    [finding] = _found("REINDEX TABLE orders;", config=Config(small_tables=["orders"]))
    assert finding.severity is Severity.WARNING
