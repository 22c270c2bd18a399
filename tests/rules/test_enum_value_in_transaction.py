from typing import Any

from bot.model.config import Config
from bot.model.findings import Finding
from tests.conftest import review_sql

RULE = "enum-value-in-transaction"


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


def test_new_value_used_in_the_same_transaction() -> None:
    sql = (
        "BEGIN;\nALTER TYPE order_status ADD VALUE 'review';\n"
        "ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'review';\nCOMMIT;"
    )
    [finding] = _found(sql)
    assert finding.line == 3 and "line 2" in finding.message


def test_use_after_commit_is_quiet() -> None:
    sql = (
        "BEGIN;\nALTER TYPE order_status ADD VALUE 'review';\nCOMMIT;\n"
        "UPDATE orders SET status = 'review' WHERE id = 1;"
    )
    assert not _found(sql)


def test_postgres_11_refuses_add_value_in_a_transaction() -> None:
    [finding] = _found("BEGIN;\nALTER TYPE s ADD VALUE 'x';\nCOMMIT;", config=Config(database_version="11"))
    assert "before 12" in finding.message


def test_type_created_in_the_same_transaction_may_use_its_values() -> None:
    sql = (
        "BEGIN;\nCREATE TYPE mood AS ENUM ('sad');\nALTER TYPE mood ADD VALUE 'happy';\n"
        "CREATE TABLE people (m mood DEFAULT 'happy');\nCOMMIT;"
    )
    assert not _found(sql)
