"""A shop database with skewed, realistic data for the probe's database tests, and the migration it meets."""

from __future__ import annotations

from typing import Any

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree

ROWS = 300_000

# status: mostly 'paid' and 'open'; a case variant 'PAID', a rare 'refunded', and NULLs.
# user_id: every 997th row points at no user. code: lengths 0..29 (a third longer than 20).
# ref: unique except every 5000th row, which repeats 'R1'. email: sensitive, never shown.
POSTGRES = [
    "CREATE TABLE users (id integer PRIMARY KEY, name text, email text)",
    "INSERT INTO users SELECT g, 'user ' || g, 'u' || g || '@example.com' FROM generate_series(1, 1000) g",
    "CREATE TABLE priorities (id integer PRIMARY KEY, code text NOT NULL)",
    "INSERT INTO priorities VALUES (1, 'low'), (2, 'medium'), (3, 'high')",
    "CREATE TABLE tickets (id integer PRIMARY KEY, priority text, priority_id integer REFERENCES priorities (id))",
    "INSERT INTO tickets SELECT g, (ARRAY['low', 'medium', 'high'])[g % 3 + 1], NULL FROM generate_series(1, 500) g",
    "CREATE TABLE orders (id bigint PRIMARY KEY, status text, state text, user_id integer, code varchar(60),"
    " email text, ref text)",
    f"""INSERT INTO orders
        SELECT g,
               CASE WHEN g % 1000 = 0 THEN 'refunded' WHEN g % 1000 = 1 THEN NULL WHEN g % 100 = 2 THEN 'PAID'
                    WHEN g % 10 < 6 THEN 'paid' ELSE 'open' END,
               NULL,
               CASE WHEN g % 997 = 0 THEN 100000 + g ELSE g % 1000 + 1 END,
               repeat('x', g % 30),
               'buyer' || g || '@example.com',
               CASE WHEN g % 5000 = 0 THEN 'R1' ELSE 'R' || g END
        FROM generate_series(1, {ROWS}) g""",
    "ANALYZE users",
    "ANALYZE priorities",
    "ANALYZE tickets",
    "ANALYZE orders",
]

MYSQL = [
    "CREATE TABLE users (id integer PRIMARY KEY, name text, email text)",
    "INSERT INTO users SELECT seq, CONCAT('user ', seq), CONCAT('u', seq, '@example.com') FROM seq_1_to_1000",
    "CREATE TABLE priorities (id integer PRIMARY KEY, code varchar(20) NOT NULL)",
    "INSERT INTO priorities VALUES (1, 'low'), (2, 'medium'), (3, 'high')",
    "CREATE TABLE tickets (id integer PRIMARY KEY, priority varchar(20), priority_id integer,"
    " FOREIGN KEY (priority_id) REFERENCES priorities (id))",
    "INSERT INTO tickets SELECT seq, ELT(seq % 3 + 1, 'low', 'medium', 'high'), NULL FROM seq_1_to_500",
    "CREATE TABLE orders (id bigint PRIMARY KEY, status varchar(20) COLLATE utf8mb4_bin, state varchar(20),"
    " user_id integer, code varchar(60), email varchar(100), ref varchar(20))",
    f"""INSERT INTO orders
        SELECT seq,
               CASE WHEN seq % 1000 = 0 THEN 'refunded' WHEN seq % 1000 = 1 THEN NULL WHEN seq % 100 = 2 THEN 'PAID'
                    WHEN seq % 10 < 6 THEN 'paid' ELSE 'open' END,
               NULL,
               CASE WHEN seq % 997 = 0 THEN 100000 + seq ELSE seq % 1000 + 1 END,
               REPEAT('x', seq % 30),
               CONCAT('buyer', seq, '@example.com'),
               CASE WHEN seq % 5000 = 0 THEN 'R1' ELSE CONCAT('R', seq) END
        FROM seq_1_to_{ROWS}""",
    "ANALYZE TABLE users, priorities, tickets, orders",
]

MIGRATION = """\
UPDATE orders SET state = CASE status WHEN 'paid' THEN 'settled' WHEN 'open' THEN 'pending' END;
ALTER TABLE orders ALTER COLUMN status SET NOT NULL;
CREATE UNIQUE INDEX orders_ref ON orders (ref);
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE orders ALTER COLUMN code TYPE varchar(20);
UPDATE tickets SET priority_id = CASE priority WHEN 'high' THEN 1 WHEN 'low' THEN 3 ELSE 2 END WHERE id BETWEEN 1 AND 500;
"""

MYSQL_MIGRATION = """\
UPDATE orders SET state = CASE status WHEN 'paid' THEN 'settled' WHEN 'open' THEN 'pending' END;
ALTER TABLE orders MODIFY status varchar(20) NOT NULL;
CREATE UNIQUE INDEX orders_ref ON orders (ref);
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE orders MODIFY code varchar(20);
UPDATE tickets SET priority_id = CASE priority WHEN 'high' THEN 1 WHEN 'low' THEN 3 ELSE 2 END WHERE id BETWEEN 1 AND 500;
"""


def changeset(sql: str, path: str = "db/migrations/002_orders.sql", *, from_fork: bool = False) -> ChangeSet:
    return ChangeSet(
        base="base",
        head="head",
        files=(ChangedFile(path, "added", None, sql),),
        head_tree=MemoryTree({path: sql}),
        base_tree=MemoryTree(),
        from_fork=from_fork,
    )


def fill_postgres(connection: Any) -> str:
    """Create and fill the shop in the connection's scratch schema; returns the probe's DSN for it."""
    from tests.conftest import PG_DSN

    for statement in POSTGRES:
        connection.execute(statement)
    schema = connection.execute("SELECT current_schema()").fetchone()[0]
    return f"{PG_DSN}?options=-csearch_path%3D{schema}"


def fill_mariadb(connection: Any) -> str:
    from tests.conftest import MARIADB_DSN

    with connection.cursor() as cursor:
        for statement in MYSQL:
            cursor.execute(statement)
        cursor.execute("SELECT DATABASE()")
        database = cursor.fetchone()[0]
    return f"{MARIADB_DSN.rsplit('/', 1)[0]}/{database}"
