"""bot/sql/locks.py's table of ACCESS EXCLUSIVE locks, checked against the locks PostgreSQL really takes."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.frameworks.sqlfile import parse_sql
from bot.sql.locks import Level, access_exclusive, locks

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


LEVELS = [
    "ALTER TABLE orders ADD COLUMN note text",
    "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID",
    "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)",
    "ALTER TABLE orders ADD COLUMN buyer_id bigint REFERENCES users (id)",
    "CREATE TABLE parcels (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id))",
    "CREATE TABLE parcels (id bigint, order_id bigint, FOREIGN KEY (order_id) REFERENCES orders (id))",
    "ALTER TABLE orders VALIDATE CONSTRAINT orders_checked",
    "CREATE INDEX orders_user_idx ON orders (user_id)",
    "LOCK TABLE orders IN ACCESS EXCLUSIVE MODE",
    "LOCK TABLE orders IN SHARE ROW EXCLUSIVE MODE",
    "LOCK orders, users",
    "UPDATE orders SET total = 0 WHERE id = 1",
    "ALTER TABLE orders ALTER COLUMN total SET NOT NULL",
]


@pytest.mark.parametrize("statement", LEVELS)
def test_lock_levels_match_what_postgres_takes_on_every_table(pg: Any, statement: str) -> None:
    pg.execute("CREATE TABLE users (id bigint PRIMARY KEY)")
    pg.execute("CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric)")
    pg.execute("ALTER TABLE orders ADD CONSTRAINT orders_checked CHECK (total >= 0) NOT VALID")
    pg.execute("CREATE INDEX orders_total_idx ON orders (total)")
    psycopg = pytest.importorskip("psycopg")
    ops = parse_sql("m.sql", statement + ";", "postgres")  # inline keys and LOCK of two tables: several
    strongest: dict[str, str] = {}
    with pg.transaction():
        pg.execute(statement)
        for table in ("orders", "users"):
            modes = [
                row[0]
                for row in pg.execute(
                    "SELECT mode FROM pg_locks WHERE relation = %s::regclass AND pid = pg_backend_pid()",
                    (table,),
                ).fetchall()
            ]
            if modes:
                strongest[table] = max(modes, key=lambda m: Level[_snake(m)])
        raise psycopg.Rollback()
    modelled: dict[str, str] = {}
    for lock in (lock for op in ops for lock in locks(op)):
        if (
            lock.table in ("orders", "users")
            and lock.level > Level[_snake(modelled.get(lock.table, "AccessShareLock"))]
        ):
            modelled[lock.table] = "".join(w.title() for w in lock.level.name.split("_")) + "Lock"
    reads_only = {t: m for t, m in strongest.items() if m != "AccessShareLock"}
    assert modelled == reads_only


def _snake(mode: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", mode.removesuffix("Lock")).upper()
