from typing import Any

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql

RULE = "statements-after-exclusive-lock"


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


def test_backfill_after_add_column_in_one_transaction() -> None:
    sql = "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nUPDATE orders SET note = '' WHERE id < 10;\nCOMMIT;"
    [finding] = _found(sql)
    assert finding.line == 3 and "line 2" in finding.message and finding.severity is Severity.WARNING


def test_index_build_after_lock_in_a_runner_transaction() -> None:
    sql = "-- +goose Up\nALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note_idx ON orders (note);\n"
    assert _found(sql, path="db/migrations/00002_note.sql")


def test_second_table_locked_while_holding_the_first() -> None:
    sql = "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nALTER TABLE users ADD COLUMN note text;\nCOMMIT;"
    assert _found(sql)


def test_quick_statements_on_the_same_table_are_quiet() -> None:
    sql = "BEGIN;\nALTER TABLE orders ADD COLUMN a text;\nALTER TABLE orders ADD COLUMN b text;\nCOMMIT;"
    assert not _found(sql)


def test_commit_releases_the_lock() -> None:
    sql = "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\nUPDATE orders SET note = '' WHERE id < 10;"
    assert not _found(sql)


def test_plain_file_without_transaction_is_quiet() -> None:
    # Runner transaction semantics: a plain SQL file without BEGIN runs statement by statement.
    assert not _found("ALTER TABLE orders ADD COLUMN note text;\nUPDATE orders SET note = '' WHERE id < 10;")


def test_tables_created_in_the_same_change_are_quiet() -> None:
    sql = (
        "BEGIN;\nCREATE TABLE orders (id bigint);\nALTER TABLE orders ADD COLUMN note text;\n"
        "CREATE INDEX orders_note_idx ON orders (note);\nCOMMIT;"
    )
    assert not _found(sql)


def test_mysql_commits_after_each_ddl_statement() -> None:
    sql = "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nUPDATE orders SET note = '' WHERE id < 10;\nCOMMIT;"
    assert not _found(sql, dialect="mysql")


def test_validate_in_the_same_transaction_as_not_valid_is_explained() -> None:
    sql = (
        "BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;\nCOMMIT;"
    )
    [finding] = _found(sql)
    assert "same transaction" in finding.message and "separate migration" in finding.fix


def test_a_rewrite_of_the_same_table_locks_it_anyway() -> None:
    sql = (
        "BEGIN;\nALTER TABLE payments ALTER COLUMN reference TYPE varchar(80);\n"
        "ALTER TABLE payments ALTER COLUMN cents TYPE bigint;\nCOMMIT;"
    )
    assert not _found(sql)
