from typing import Any

import pytest

from tests.conftest import review_sql, rule_ids

INDEX = "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_user_idx ON orders (user_id);"


def test_single_statement_golang_migrate_file_runs_outside_a_transaction() -> None:
    assert "concurrent-in-transaction" not in rule_ids(
        review_sql(INDEX, path="db/migrations/000005_idx.up.sql")
    )


def test_multi_statement_golang_migrate_file_is_one_implicit_transaction() -> None:
    sql = "SET lock_timeout = '5s';\n" + INDEX
    result = review_sql(sql, path="db/migrations/000005_idx.up.sql")
    finding = next(f for f in result.active if f.rule == "concurrent-in-transaction")
    assert finding.line == 2 and "implicit transaction" in finding.message


def test_goose_wraps_unless_told_not_to() -> None:
    wrapped = "-- +goose Up\n" + INDEX
    assert "concurrent-in-transaction" in rule_ids(review_sql(wrapped, path="db/migrations/00005_idx.sql"))
    unwrapped = "-- +goose NO TRANSACTION\n-- +goose Up\n" + INDEX
    assert "concurrent-in-transaction" not in rule_ids(
        review_sql(unwrapped, path="db/migrations/00005_idx.sql")
    )


def test_dbmate_transaction_false() -> None:
    sql = (
        "-- migrate:up transaction:false\n"
        + INDEX
        + "\n-- migrate:down\nDROP INDEX CONCURRENTLY IF EXISTS orders_user_idx;\n"
    )
    assert "concurrent-in-transaction" not in rule_ids(review_sql(sql, path="db/migrations/20260101_idx.sql"))


def test_flyway_runs_a_migration_of_only_concurrent_statements_outside_a_transaction() -> None:
    assert "concurrent-in-transaction" not in rule_ids(review_sql(INDEX, path="db/migration/V7__idx.sql"))


def test_flyway_refuses_mixed_migrations_unless_mixed_is_set() -> None:
    path = "db/migration/V7__idx.sql"
    mixed = "SET lock_timeout = '5s';\n" + INDEX
    result = review_sql(mixed, path=path)
    finding = next(f for f in result.active if f.rule == "concurrent-in-transaction")
    assert "mixed" in finding.message
    assert "concurrent-in-transaction" not in rule_ids(
        review_sql(mixed, path=path, head={"flyway.conf": "flyway.mixed=true\n"})
    )


def test_flyway_conf_turns_the_transaction_off() -> None:
    path = "db/migration/V7__idx.sql"
    mixed = "SET lock_timeout = '5s';\n" + INDEX
    conf = {f"{path}.conf": "executeInTransaction=false\n"}
    assert "concurrent-in-transaction" not in rule_ids(review_sql(mixed, path=path, head=conf))


@pytest.mark.parametrize(
    ("table", "first", "second"), [("orders", "user_id", "state"), ("events", "kind", "at")]
)
def test_dbmate_without_its_transaction_still_sends_several_statements_in_one_call(
    pg: Any, table: str, first: str, second: str
) -> None:
    """`transaction:false` drops dbmate's own transaction, but the section goes to PostgreSQL in one call: two
    statements are one implicit transaction, and CONCURRENTLY refuses to run in it (shown on PostgreSQL)."""
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {first} bigint, {second} bigint);\n-- migration\n"
    index = f"CREATE INDEX CONCURRENTLY {table}_{first}_idx ON {table} ({first});\n"
    other = f"CREATE INDEX CONCURRENTLY {table}_{second}_idx ON {table} ({second});\n"
    down = f"-- migrate:down\nDROP INDEX CONCURRENTLY IF EXISTS {table}_{first}_idx;\n"
    path = "db/migrations/20260101000000_idx.sql"
    two = review_sql(
        schema + "-- migrate:up transaction:false\n" + index + other + down, path=path, dialect="postgres"
    )
    assert "concurrent-in-transaction" in rule_ids(two)
    one = review_sql(
        schema + "-- migrate:up transaction:false\n" + index + down, path=path, dialect="postgres"
    )
    assert "concurrent-in-transaction" not in rule_ids(one)
    pg.execute(schema.split("\n-- migration")[0])
    with pytest.raises(Exception, match=r"transaction block|pipeline"):
        pg.execute((index + other).replace(";\n", "; ").strip(), prepare=False)
