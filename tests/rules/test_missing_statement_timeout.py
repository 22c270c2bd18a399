from typing import Any

from bot.model.config import Config
from bot.model.findings import Finding, Severity
from tests.conftest import review_sql

RULE = "missing-statement-timeout"
SQL = "ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;"


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


def test_long_statement_without_statement_timeout_is_info_once() -> None:
    [finding] = _found(SQL + "\nCREATE INDEX orders_a_idx ON orders (a);")
    assert finding.severity is Severity.INFO and finding.line == 1


def test_statement_timeout_set_first_is_quiet() -> None:
    assert not _found("SET statement_timeout = '15min';\n" + SQL)
    assert not _found("SET LOCAL statement_timeout TO '1h';\n" + SQL)


def test_timeout_disabled_does_not_count() -> None:
    assert _found("SET statement_timeout = 0;\n" + SQL)


def test_timeouts_set_by_the_runner_are_quiet() -> None:
    # Users whose runner sets timeouts outside the file must not have to suppress this everywhere.
    assert not _found(SQL, config=Config(timeouts_set_by_runner=True))


def test_quick_ddl_and_new_tables_are_quiet() -> None:
    assert not _found("ALTER TABLE orders ADD COLUMN note text;")
    assert not _found("CREATE TABLE t (id bigint, a int);\nCREATE INDEX t_a_idx ON t (a);")


def test_statements_that_touch_no_row_on_the_schema_they_meet_are_quiet() -> None:
    base = {
        "db/migrations/000_base.sql": "CREATE TABLE hooks (id bigint PRIMARY KEY, url varchar(255) NOT NULL, "
        "label varchar(40), note text);"
    }
    quick = [
        "ALTER TABLE hooks ALTER COLUMN url TYPE varchar(1024);",  # a wider varchar: catalog only
        "ALTER TABLE hooks ALTER COLUMN label TYPE text;",
        "ALTER TABLE hooks ALTER COLUMN url SET NOT NULL;",  # already NOT NULL: nothing to check
    ]
    for sql in quick:
        assert not _found(sql, base=base), sql
    slow = [
        "ALTER TABLE hooks ALTER COLUMN label TYPE varchar(20);",  # a narrower one checks every row
        "ALTER TABLE hooks ALTER COLUMN note SET NOT NULL;",
        "ALTER TABLE hooks ALTER COLUMN url TYPE integer USING url::integer;",
    ]
    for sql in slow:
        assert _found(sql, base=base), sql
