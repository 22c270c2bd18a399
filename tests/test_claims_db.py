"""The rules' claims about databases, checked against the real servers on this machine."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql, rule_ids


def test_concurrent_index_in_a_transaction_really_fails_on_postgres(pg: Any) -> None:
    pg.execute("CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint)")
    sql = "BEGIN;\nCREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);\nCOMMIT;"
    assert "concurrent-in-transaction" in rule_ids(review_sql(sql))
    with pytest.raises(Exception, match="cannot run inside a transaction block"), pg.transaction():
        pg.execute("CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id)")


def test_not_null_without_default_really_fails_on_a_table_with_rows(pg: Any, mariadb: Any) -> None:
    sql = "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL"
    assert "not-null-without-default" in rule_ids(review_sql(sql + ";"))
    pg.execute("CREATE TABLE users (id bigint PRIMARY KEY)")
    pg.execute("INSERT INTO users VALUES (1)")
    with pytest.raises(Exception, match="contains null values"):
        pg.execute(sql)
    with mariadb.cursor() as cursor:
        cursor.execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES'")
        cursor.execute("CREATE TABLE users (id bigint PRIMARY KEY)")
        cursor.execute("INSERT INTO users VALUES (1)")
        cursor.execute(sql)  # MariaDB fills the implicit default 0: silent, wrong data rather than an error
        cursor.execute("SELECT tenant_id FROM users")
        assert cursor.fetchone() == (0,)


def test_good_examples_run_on_postgres(pg: Any) -> None:
    pg.execute("CREATE TABLE users (id bigint PRIMARY KEY, email text, name varchar(50))")
    pg.execute("CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, state text, total numeric(10,2))")
    for statement in (
        "ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID",
        "ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null",
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL",
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID",
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk",
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_key ON users (email)",
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key",
        "UPDATE orders SET state = 'open' WHERE id IN (SELECT id FROM orders WHERE state IS NULL ORDER BY id LIMIT 1000)",
    ):
        pg.execute(statement)
