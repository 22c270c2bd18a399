from typing import Any

from bot.model.findings import Finding
from tests.conftest import review_sql

SQL = "ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);"


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "exclusion-constraint"]


def test_exclusion_constraint_on_existing_table() -> None:
    [finding] = _found(SQL)
    assert "no_overlap" in finding.message


def test_table_created_in_the_change_is_quiet() -> None:
    assert not _found("CREATE TABLE bookings (room int, during tstzrange);\n" + SQL)
