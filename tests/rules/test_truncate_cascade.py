from typing import Any

from bot.model.findings import Finding
from tests.conftest import review_sql

RULE = "truncate-cascade"


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


def test_truncate_cascade_is_reported_once_per_statement() -> None:
    assert len(_found("TRUNCATE accounts, sessions CASCADE;")) == 1


def test_truncate_without_cascade_is_quiet() -> None:
    assert not _found("TRUNCATE accounts, sessions;")


def test_table_created_in_the_change_is_quiet() -> None:
    assert not _found("CREATE TABLE scratch (id int);\nTRUNCATE scratch CASCADE;")
