from typing import Any

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql

LONG = "index_customer_subscriptions_on_billing_account_id_and_created_at_desc"  # 70 characters


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "identifier-too-long"]


def test_postgres_truncates_and_names_the_result() -> None:
    [finding] = _found(f"CREATE INDEX {LONG} ON subs (a);")
    assert finding.severity is Severity.WARNING and LONG[:63] in finding.message


def test_mysql_refuses_so_it_is_critical() -> None:
    [finding] = _found(f"ALTER TABLE subs ADD COLUMN {LONG} int;", dialect="mysql")
    assert finding.severity is Severity.CRITICAL


def test_multibyte_names_count_bytes_on_postgres() -> None:
    name = "é" * 32  # 32 characters, 64 bytes
    assert _found(f'CREATE TABLE "{name}" (id bigint);')
    assert not _found(f"CREATE TABLE `{name}` (id bigint);", dialect="mysql")


def test_names_at_the_limit_are_quiet() -> None:
    assert not _found(f"CREATE TABLE {'t' * 63} (id bigint);")
