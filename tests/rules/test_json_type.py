from typing import Any

from bot.model.findings import Finding
from tests.conftest import review_sql


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "json-type"]


def test_json_column_suggests_jsonb() -> None:
    [finding] = _found("ALTER TABLE events ADD COLUMN payload json;")
    assert finding.suggestion == "ALTER TABLE events ADD COLUMN payload jsonb"


def test_jsonb_and_mysql_json_are_quiet() -> None:
    assert not _found("CREATE TABLE t (a jsonb);")
    assert not _found("CREATE TABLE t (a json);", dialect="mysql")


def test_no_suggestion_when_another_statement_shares_the_line() -> None:
    [finding] = _found("CREATE TABLE t (a json); CREATE TABLE u (b int);")
    assert finding.suggestion is None
