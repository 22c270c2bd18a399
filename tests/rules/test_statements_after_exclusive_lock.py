from typing import Any

import pytest

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


@pytest.mark.parametrize(
    ("parent", "child", "drop", "then"),
    [
        ("users", "sessions", "DROP TABLE sessions;", "CREATE INDEX audit_note_idx ON audit (note);"),
        (
            "accounts",
            "invoices",
            "ALTER TABLE invoices DROP COLUMN parent_id;",
            "ALTER TABLE invoices ADD COLUMN kind text;",
        ),
        (
            "organizations",
            "memberships",
            "ALTER TABLE memberships DROP CONSTRAINT memberships_parent_fk;",
            "ALTER TABLE memberships ADD COLUMN kind text;",
        ),
    ],
)
def test_a_dropped_foreign_key_keeps_the_referenced_table_locked(
    parent: str, child: str, drop: str, then: str
) -> None:
    sql = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY, note text);\n"
        f"CREATE TABLE {child} (id bigint, parent_id bigint);\n"
        f"ALTER TABLE {child} ADD CONSTRAINT {child}_parent_fk FOREIGN KEY (parent_id) REFERENCES {parent} (id);\n"
        "CREATE TABLE audit (id bigint, note text);\n"
        f"-- migration\nBEGIN;\n{drop}\n{then}\nCOMMIT;"
    )
    [finding] = _found(sql)
    assert f"`{parent}` is still locked ACCESS EXCLUSIVE by line 2" in finding.message


@pytest.mark.parametrize("table", ["sessions", "old_reports", "imports"])
def test_a_table_dropped_earlier_in_the_transaction_blocks_no_one(table: str) -> None:
    """Queries that wait for the dropped table fail after the commit anyway: its lock is no hazard."""
    sql = (
        f"CREATE TABLE {table} (id bigint, note text);\nCREATE TABLE audit (id bigint, note text);\n"
        f"-- migration\nBEGIN;\nDROP TABLE {table};\nALTER TABLE audit ADD COLUMN kind text;\nCOMMIT;"
    )
    assert not _found(sql)


@pytest.mark.parametrize(("table", "new_name"), [("sessions", "old_sessions"), ("imports", "imports_2024")])
def test_a_table_renamed_earlier_in_the_transaction_blocks_no_one_by_its_old_name(
    table: str, new_name: str
) -> None:
    """Queries that wait for the old name fail after the commit anyway; a migration that takes no table
    away keeps reporting the same lock (the schema each statement sees is then never worked out)."""
    schema = f"CREATE TABLE {table} (id bigint, note text);\nCREATE TABLE audit (id bigint, note text);\n"
    renamed = f"-- migration\nBEGIN;\nALTER TABLE {table} RENAME TO {new_name};\n"
    assert not _found(schema + renamed + "CREATE INDEX audit_note_idx ON audit (note);\nCOMMIT;")
    locked = f"-- migration\nBEGIN;\nALTER TABLE {table} DROP COLUMN note;\n"
    [finding] = _found(schema + locked + "CREATE INDEX audit_note_idx ON audit (note);\nCOMMIT;")
    assert f"`{table}` is still locked ACCESS EXCLUSIVE by line 2" in finding.message


@pytest.mark.parametrize(
    ("first", "second"), [("orders", "users"), ("OrganisationClaim", "SubscriptionClaim")]
)
def test_a_quick_statement_on_a_second_table_is_a_note_and_nothing_under_a_lock_timeout(
    first: str, second: str
) -> None:
    """Two catalog-only ALTERs: the second adds only its own wait for its lock, which a lock_timeout bounds."""
    body = (
        f'ALTER TABLE "{first}" ADD COLUMN note text;\nALTER TABLE "{second}" ADD COLUMN note text;\nCOMMIT;'
    )
    [finding] = _found(f"BEGIN;\n{body}")
    assert finding.severity is Severity.INFO and "its own lock" in finding.blast_radius
    assert not _found(f"BEGIN;\nSET LOCAL lock_timeout = '5s';\n{body}")


@pytest.mark.parametrize(("first", "second"), [("orders", "users"), ("invoices", "payments")])
def test_slow_work_after_the_lock_is_reported_under_a_lock_timeout_too(first: str, second: str) -> None:
    sql = (
        f"BEGIN;\nSET LOCAL lock_timeout = '5s';\nALTER TABLE {first} ADD COLUMN note text;\n"
        f"CREATE INDEX {second}_note_idx ON {second} (note);\nCOMMIT;"
    )
    [finding] = _found(sql)
    assert finding.severity is Severity.WARNING


@pytest.mark.parametrize(("first", "second"), [("orders", "users"), ("claims", "plans")])
def test_slow_work_after_a_quick_statement_that_waited_on_the_same_lock_is_still_reported(
    first: str, second: str
) -> None:
    sql = (
        f"BEGIN;\nALTER TABLE {first} ADD COLUMN note text;\nALTER TABLE {second} ADD COLUMN note text;\n"
        f"CREATE INDEX {second}_note_idx ON {second} (note);\nCOMMIT;"
    )
    found = sorted((f.line, f.severity.value) for f in _found(sql))
    assert found == [(3, Severity.INFO.value), (4, Severity.WARNING.value)]
