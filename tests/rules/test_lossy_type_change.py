import pytest

from bot.findings import Severity
from tests.conftest import review_sql

CASES = [
    ("varchar(255)", "varchar(50)", Severity.WARNING, "length(c) > 50"),
    ("text", "integer", Severity.WARNING, "c !~"),
    ("text", "date", Severity.WARNING, "ISO dates"),
    ("numeric(12, 4)", "integer", Severity.CRITICAL, "trunc(c)"),
    ("double precision", "bigint", Severity.CRITICAL, "trunc(c)"),
    ("numeric(12, 4)", "numeric(12, 2)", Severity.CRITICAL, "round(c, 2)"),
    ("timestamptz", "timestamp", Severity.WARNING, "TimeZone"),
    ("timestamp", "date", Severity.CRITICAL, "c::time"),
    ("bigint", "integer", Severity.WARNING, "NOT BETWEEN -2147483648 AND 2147483647"),
    ("double precision", "real", Severity.WARNING, "AS real"),
]


@pytest.mark.parametrize(("old", "new", "severity", "check"), CASES)
def test_lossy_changes_say_what_is_lost_and_how_to_check(
    old: str, new: str, severity: Severity, check: str
) -> None:
    sql = f"CREATE TABLE t (id bigint PRIMARY KEY, c {old});\n-- migration\nALTER TABLE t ALTER COLUMN c TYPE {new};"
    found = [f for f in review_sql(sql).active if f.rule == "lossy-type-change"]
    assert len(found) == 1
    assert found[0].severity is severity
    assert check in found[0].fix + found[0].message + found[0].blast_radius


def test_mysql_narrowing_can_truncate_silently() -> None:
    sql = "CREATE TABLE t (id bigint PRIMARY KEY, c varchar(255));\n-- migration\nALTER TABLE t MODIFY COLUMN c varchar(20);"
    found = [f for f in review_sql(sql, dialect="mysql").active if f.rule == "lossy-type-change"]
    assert found and found[0].severity is Severity.CRITICAL and "char_length(c) > 20" in found[0].fix


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("varchar(50)", "varchar(255)"),
        ("integer", "bigint"),
        ("numeric(12, 2)", "numeric(14, 2)"),
        ("varchar(20)", "text"),
    ],
)
def test_widening_is_quiet(old: str, new: str) -> None:
    sql = f"CREATE TABLE t (id bigint PRIMARY KEY, c {old});\n-- migration\nALTER TABLE t ALTER COLUMN c TYPE {new};"
    assert "lossy-type-change" not in {f.rule for f in review_sql(sql).active}


def test_unknown_old_type_is_quiet() -> None:
    assert "lossy-type-change" not in {
        f.rule for f in review_sql("ALTER TABLE t ALTER COLUMN c TYPE integer;").active
    }
