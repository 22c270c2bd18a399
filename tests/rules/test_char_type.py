from typing import Any

from bot.model.findings import Finding
from tests.conftest import review_sql


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "char-type"]


def test_char_n_suggests_varchar_n() -> None:
    [finding] = _found("CREATE TABLE countries (code char(2) PRIMARY KEY, name text);")
    assert finding.suggestion == "CREATE TABLE countries (code varchar(2) PRIMARY KEY, name text)"


def test_character_in_add_column_and_alter_type() -> None:
    assert _found("ALTER TABLE t ADD COLUMN c character(3);")
    assert _found("ALTER TABLE t ALTER COLUMN c TYPE char(3);")


def test_text_varchar_and_mysql_char_are_quiet() -> None:
    assert not _found("CREATE TABLE t (a text, b varchar(10), c character varying(5));")
    assert not _found("CREATE TABLE t (a char(36));", dialect="mysql")
