from typing import Any

from bot.model.findings import Finding
from tests.conftest import review_sql


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "duplicate-column-assignment"]


def test_update_assigning_twice() -> None:
    [finding] = _found("UPDATE orders SET state = 'open', state = 'new' WHERE id = 1;")
    assert "state" in finding.message and "fails" in finding.blast_radius


def test_mysql_keeps_the_last_value_silently() -> None:
    [finding] = _found("UPDATE orders SET state = 'open', state = 'new' WHERE id = 1;", dialect="mysql")
    assert "silently" in finding.blast_radius


def test_create_table_and_alter_table_duplicates() -> None:
    assert _found("CREATE TABLE t (a int, b int, a text);")
    assert _found("ALTER TABLE t ADD COLUMN a int, ADD COLUMN a text;")


def test_distinct_columns_are_quiet() -> None:
    assert not _found(
        "UPDATE t SET a = 1, b = 2 WHERE id = 1;\nALTER TABLE t ADD COLUMN c int, ADD COLUMN d int;"
    )
