from typing import Any

import pytest

from bot.model.config import Config
from bot.model.findings import Finding
from tests.conftest import review_sql

RULE = "non-robust-statement"
TWO = "CREATE TABLE audit_log (id bigint PRIMARY KEY);\nDROP TABLE legacy_audit_log;"
NO_TX = Config(assume_in_transaction=False)


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


def test_mysql_multi_statement_migration_needs_guards() -> None:
    found = _found(TWO, dialect="mysql")
    assert [f.line for f in found] == [1, 2]
    assert found[0].suggestion == "CREATE TABLE IF NOT EXISTS audit_log (id bigint PRIMARY KEY)"
    assert found[1].suggestion == "DROP TABLE IF EXISTS legacy_audit_log"


def test_guarded_statements_are_quiet() -> None:
    sql = "CREATE TABLE IF NOT EXISTS audit_log (id bigint);\nDROP TABLE IF EXISTS legacy_audit_log;"
    assert not _found(sql, dialect="mysql")


def test_single_statement_migration_is_quiet() -> None:
    assert not _found("CREATE TABLE audit_log (id bigint PRIMARY KEY);", dialect="mysql")


def test_known_non_transactional_runner_on_postgres() -> None:
    sql = "ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders DROP COLUMN legacy;"
    found = _found(sql, config=NO_TX)
    assert found[0].suggestion == "ALTER TABLE orders ADD COLUMN IF NOT EXISTS note text"


def test_explicit_transaction_is_quiet() -> None:
    # Runner transaction semantics: statements inside BEGIN … COMMIT roll back together.
    sql = "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders DROP COLUMN legacy;\nCOMMIT;"
    assert not _found(sql, config=NO_TX)


def test_transactional_runner_is_quiet() -> None:
    sql = "-- +goose Up\nALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders DROP COLUMN legacy;\n"
    assert not _found(sql, path="db/migrations/00002_note.sql")


def test_unknown_runner_on_postgres_is_not_guessed() -> None:
    assert not _found("ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders DROP COLUMN legacy;")


def test_concurrent_index_is_left_to_invalid_index_retry() -> None:
    sql = "CREATE INDEX CONCURRENTLY a_idx ON orders (a);\nCREATE INDEX CONCURRENTLY b_idx ON orders (b);"
    assert not _found(sql, config=NO_TX)


def test_goose_file_without_transaction_needs_guards() -> None:
    sql = "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE audit (id bigint);\nALTER TABLE orders ADD COLUMN audit_id bigint;\n"
    found = _found(sql, path="db/migrations/00002_audit.sql")
    assert [f.suggestion for f in found] == [
        "CREATE TABLE IF NOT EXISTS audit (id bigint)",
        "ALTER TABLE orders ADD COLUMN IF NOT EXISTS audit_id bigint",
    ]


def test_a_constraint_dropped_without_if_exists() -> None:
    sql = "ALTER TABLE carts DROP CONSTRAINT carts_owner_fk;\nALTER TABLE carts ADD COLUMN IF NOT EXISTS note text;"
    [found] = [f for f in review_sql(sql, config=NO_TX).active if f.rule == "non-robust-statement"]
    assert "DROP CONSTRAINT carts_owner_fk" in found.message
    assert found.suggestion == "ALTER TABLE carts DROP CONSTRAINT IF EXISTS carts_owner_fk"


def _changelog(*change_sets: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
        + "".join(change_sets)
        + "</databaseChangeLog>\n"
    )


@pytest.mark.parametrize(("table", "column"), [("concept_complex", "edit_privilege"), ("orders", "note")])
@pytest.mark.parametrize("together", [False, True])
def test_a_liquibase_change_set_is_run_again_on_its_own(table: str, column: str, together: bool) -> None:
    """OpenMRS's changelogs hold one change per changeSet: Liquibase records each as applied on its own and
    runs again only the one that failed, which changed nothing; two changes of one changeSet are not so."""
    create = f'<createTable tableName="{table}_log"><column name="id" type="int"/></createTable>'
    add = f'<addColumn tableName="{table}"><column name="{column}" type="varchar(255)"/></addColumn>'
    sets = (
        [f'<changeSet id="1" author="a">{create}{add}</changeSet>']
        if together
        else [
            f'<changeSet id="1" author="a">{create}</changeSet>',
            f'<changeSet id="2" author="a">{add}</changeSet>',
        ]
    )
    result = review_sql(
        _changelog(*sets),
        path="src/main/resources/db/changelog/update.xml",
        dialect="mysql",
    )
    found = [f for f in result.active if f.rule == "non-robust-statement"]
    assert [f.message.split("`")[1] for f in found] == ([f"CREATE TABLE {table}_log"] if together else [])
