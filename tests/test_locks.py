"""bot/sql/locks.py's table of ACCESS EXCLUSIVE locks, checked against the locks PostgreSQL really takes."""

from __future__ import annotations

from typing import Any

import pytest

from bot.frameworks.sqlfile import parse_sql
from bot.sql.locks import access_exclusive

STATEMENTS = [
    "ALTER TABLE orders ADD COLUMN note text",
    "ALTER TABLE orders DROP COLUMN state",
    "ALTER TABLE orders ALTER COLUMN state SET DEFAULT 'new'",
    "ALTER TABLE orders ALTER COLUMN state DROP NOT NULL",
    "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID",
    "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID",
    "ALTER TABLE orders VALIDATE CONSTRAINT orders_checked",
    "CREATE INDEX orders_user_idx ON orders (user_id)",
    "DROP INDEX orders_total_idx",
    "TRUNCATE orders",
    "ALTER TABLE orders RENAME COLUMN state TO status",
]


@pytest.mark.parametrize("statement", STATEMENTS)
def test_access_exclusive_matches_the_lock_postgres_takes(pg: Any, statement: str) -> None:
    pg.execute("CREATE TABLE users (id bigint PRIMARY KEY)")
    pg.execute(
        "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, state text NOT NULL, total numeric)"
    )
    pg.execute("ALTER TABLE orders ADD CONSTRAINT orders_checked CHECK (total >= 0) NOT VALID")
    pg.execute("CREATE INDEX orders_total_idx ON orders (total)")
    psycopg = pytest.importorskip("psycopg")
    [op] = parse_sql("m.sql", statement + ";", "postgres")
    modes: set[str] = set()
    with pg.transaction():
        pg.execute(statement)
        modes |= {
            row[0]
            for row in pg.execute(
                "SELECT mode FROM pg_locks WHERE relation = 'orders'::regclass AND pid = pg_backend_pid()"
            ).fetchall()
        }
        raise psycopg.Rollback()  # leave the transaction without applying the change
    assert ("AccessExclusiveLock" in modes) == access_exclusive(op), modes
