"""What the new rules say about PostgreSQL and MariaDB, checked against the real servers."""

from __future__ import annotations

from typing import Any

import pytest

from bot.model.config import Config
from tests.conftest import review_sql, rule_ids

MARIADB = Config(dialect="mariadb", database_version="10.11")


def _mariadb(cursor: Any, statement: str) -> str | None:
    """Run a statement; the server's error message, or None when it succeeded."""
    try:
        cursor.execute(statement)
    except Exception as error:
        return str(error)
    return None


@pytest.mark.parametrize(
    ("statement", "forced"),
    [
        ("ALTER TABLE t MODIFY s ENUM('b','a')", "ALGORITHM=INPLACE"),
        ("ALTER TABLE t CONVERT TO CHARACTER SET latin1", "ALGORITHM=INPLACE"),
        ("ALTER TABLE t DROP PRIMARY KEY", "ALGORITHM=INPLACE"),
        ("ALTER TABLE t ADD CONSTRAINT t_a_positive CHECK (a > 0)", "ALGORITHM=INPLACE"),
        ("ALTER TABLE t ADD CONSTRAINT t_p_fk FOREIGN KEY (a) REFERENCES p (id)", "ALGORITHM=INPLACE"),
        ("ALTER TABLE t ADD COLUMN e int DEFAULT (a + 1)", "ALGORITHM=INSTANT"),
    ],
)
def test_what_mysql_table_copy_flags_the_server_cannot_do_online(
    mariadb: Any, statement: str, forced: str
) -> None:
    base = {"db/migrations/000_base.sql": "CREATE TABLE t (id int PRIMARY KEY, a int, s ENUM('a','b'));"}
    assert "mysql-table-copy" in rule_ids(review_sql(statement + ";", base=base, config=MARIADB))
    with mariadb.cursor() as cursor:
        cursor.execute("CREATE TABLE p (id int PRIMARY KEY)")
        cursor.execute("CREATE TABLE t (id int PRIMARY KEY, a int, s ENUM('a','b'))")
        error = _mariadb(cursor, f"{statement}, {forced}")
    assert error is not None and "not supported" in error


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE t MODIFY s ENUM('a','b','c')",
        "ALTER TABLE t ADD COLUMN n int AFTER id",
        "ALTER TABLE t DROP COLUMN a",
    ],
)
def test_what_mysql_table_copy_leaves_alone_is_instant(mariadb: Any, statement: str) -> None:
    base = {"db/migrations/000_base.sql": "CREATE TABLE t (id int PRIMARY KEY, a int, s ENUM('a','b'));"}
    assert "mysql-table-copy" not in rule_ids(review_sql(statement + ";", base=base, config=MARIADB))
    with mariadb.cursor() as cursor:
        cursor.execute("CREATE TABLE t (id int PRIMARY KEY, a int, s ENUM('a','b'))")
        assert _mariadb(cursor, f"{statement}, ALGORITHM=INSTANT") is None


def test_mariadb_10_11_honours_inline_references(mariadb: Any) -> None:
    sql = "CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p (id))"
    assert "inline-references-ignored" not in rule_ids(review_sql(sql + ";", config=MARIADB))
    with mariadb.cursor() as cursor:
        cursor.execute("CREATE TABLE p (id int PRIMARY KEY)")
        cursor.execute(sql)
        cursor.execute("SHOW CREATE TABLE c")
        assert "FOREIGN KEY" in cursor.fetchone()[1]


def test_postgres_cuts_long_identifiers_to_63_bytes(pg: Any) -> None:
    name = "index_customer_subscriptions_on_billing_account_id_and_created_at_desc"
    sql = f"CREATE INDEX {name} ON subs (a)"
    assert "identifier-too-long" in rule_ids(review_sql(sql + ";"))
    pg.execute("CREATE TABLE subs (a int)")
    pg.execute(sql)
    found = pg.execute("SELECT relname FROM pg_class WHERE relname LIKE 'index_customer%'").fetchone()[0]
    assert found == name[:63]


def test_postgres_refuses_a_new_enum_value_in_its_own_transaction(pg: Any) -> None:
    sql = "BEGIN;\nALTER TYPE mood ADD VALUE 'happy';\nUPDATE people SET m = 'happy' WHERE id = 1;\nCOMMIT;"
    assert "enum-value-in-transaction" in rule_ids(review_sql(sql))
    pg.execute("CREATE TYPE mood AS ENUM ('sad')")
    pg.execute("CREATE TABLE people (id int, m mood)")
    with pytest.raises(Exception, match="unsafe use of new value"), pg.transaction():
        pg.execute("ALTER TYPE mood ADD VALUE 'happy'")
        pg.execute("UPDATE people SET m = 'happy' WHERE id = 1")


def test_postgres_refuses_duplicate_assignments(pg: Any) -> None:
    sql = "UPDATE orders SET state = 'a', state = 'b' WHERE id = 1"
    assert "duplicate-column-assignment" in rule_ids(review_sql(sql + ";"))
    pg.execute("CREATE TABLE orders (id int, state text)")
    with pytest.raises(Exception, match="multiple assignments to same column"):
        pg.execute(sql)


def test_json_has_no_equality_for_distinct(pg: Any) -> None:
    assert "json-type" in rule_ids(review_sql("ALTER TABLE events ADD COLUMN payload json;"))
    pg.execute("CREATE TABLE events (payload json)")
    with pytest.raises(Exception, match="equality operator for type json"):
        pg.execute("SELECT DISTINCT payload FROM events")


def test_failed_concurrent_build_leaves_an_invalid_index_that_if_not_exists_keeps(pg: Any) -> None:
    sql = "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS codes_key ON codes (code)"
    assert "invalid-index-retry" in rule_ids(review_sql(sql + ";"))
    pg.execute("CREATE TABLE codes (code int)")
    pg.execute("INSERT INTO codes VALUES (1), (1)")
    with pytest.raises(Exception, match="could not create unique index"):
        pg.execute(sql)
    pg.execute(sql)  # the retry "succeeds" …
    valid = pg.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = 'codes_key'::regclass").fetchone()[
        0
    ]
    assert valid is False  # … and keeps the invalid index


def test_truncate_cascade_empties_tables_it_does_not_name(pg: Any) -> None:
    assert "truncate-cascade" in rule_ids(review_sql("TRUNCATE accounts CASCADE;"))
    pg.execute("CREATE TABLE accounts (id int PRIMARY KEY)")
    pg.execute("CREATE TABLE sessions (account_id int REFERENCES accounts (id))")
    pg.execute("INSERT INTO accounts VALUES (1)")
    pg.execute("INSERT INTO sessions VALUES (1)")
    pg.execute("TRUNCATE accounts CASCADE")
    assert pg.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0


def test_lock_none_makes_the_server_refuse_a_copy(mariadb: Any) -> None:
    base = {"db/migrations/000_base.sql": "CREATE TABLE t (id int PRIMARY KEY, s ENUM('a','b'));"}
    statement = "ALTER TABLE t MODIFY s ENUM('b','a'), LOCK=NONE"
    assert "mysql-table-copy" not in rule_ids(review_sql(statement + ";", base=base, config=MARIADB))
    with mariadb.cursor() as cursor:
        cursor.execute("CREATE TABLE t (id int PRIMARY KEY, s ENUM('a','b'))")
        error = _mariadb(cursor, statement)
    assert error is not None and "LOCK=NONE is not supported" in error


@pytest.mark.parametrize(("table", "second"), [("t", "a"), ("line_items", "order_id")])
def test_replacing_the_primary_key_in_one_statement_rebuilds_in_place(
    mariadb: Any, table: str, second: str
) -> None:
    """`DROP PRIMARY KEY, ADD PRIMARY KEY (…)` is an in-place rebuild with writes going on (the server accepts
    LOCK=NONE): a warning of the rebuild, never the critical copy that dropping the key alone is."""
    base = {
        "db/migrations/000_base.sql": f"CREATE TABLE {table} (id int NOT NULL, {second} int NOT NULL, PRIMARY KEY (id));"
    }
    replaced = f"ALTER TABLE {table} DROP PRIMARY KEY, ADD PRIMARY KEY (id, {second})"
    found = [
        f
        for f in review_sql(replaced + ";", base=base, config=MARIADB).active
        if f.rule == "mysql-table-copy"
    ]
    assert [f.severity for f in found] == ["warning"] and "rebuilt" in found[0].message
    dropped = [
        f
        for f in review_sql(f"ALTER TABLE {table} DROP PRIMARY KEY;", base=base, config=MARIADB).active
        if f.rule == "mysql-table-copy"
    ]
    assert [f.severity for f in dropped] == ["critical"]
    with mariadb.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table} (id int NOT NULL, {second} int NOT NULL, PRIMARY KEY (id))")
        assert _mariadb(cursor, f"{replaced}, ALGORITHM=INPLACE, LOCK=NONE") is None


@pytest.mark.parametrize(("table", "column"), [("people", "born_at"), ("contracts", "ends_at")])
def test_datetime_to_timestamp_refuses_values_outside_1970_2038(
    mariadb: Any, table: str, column: str
) -> None:
    base = {
        "db/migrations/000_base.sql": f"CREATE TABLE {table} (id int PRIMARY KEY, {column} datetime NULL);"
    }
    found = [
        f
        for f in review_sql(
            f"ALTER TABLE {table} MODIFY {column} timestamp NULL;", base=base, config=MARIADB
        ).active
        if f.rule == "lossy-type-change"
    ]
    assert [f.severity for f in found] == ["critical"] and "2038" in found[0].message
    assert f"{column} > '2038-01-19 03:14:07'" in found[0].blast_radius
    with mariadb.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, {column} datetime NULL)")
        cursor.execute(f"INSERT INTO {table} VALUES (1, '1960-05-01 00:00:00'), (2, '9999-12-31 00:00:00')")
        error = _mariadb(cursor, f"ALTER TABLE {table} MODIFY {column} timestamp NULL")
        assert error is not None and "1292" in error
        # the way back keeps every value, but converts it to the session's time zone
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute("SET time_zone = '+00:00'")
        cursor.execute(f"ALTER TABLE {table} MODIFY {column} timestamp NULL")
        cursor.execute(f"INSERT INTO {table} VALUES (1, '2020-01-01 10:00:00')")
        cursor.execute("SET time_zone = '+02:00'")
        cursor.execute(f"ALTER TABLE {table} MODIFY {column} datetime NULL")
        cursor.execute(f"SELECT {column} FROM {table}")
        assert str(cursor.fetchone()[0]) == "2020-01-01 12:00:00"
        cursor.execute("SET time_zone = '+00:00'")
    back = [
        f
        for f in review_sql(
            f"ALTER TABLE {table} MODIFY {column} datetime NULL;",
            base={
                "db/migrations/000_base.sql": f"CREATE TABLE {table} (id int PRIMARY KEY, {column} timestamp NULL);"
            },
            config=MARIADB,
        ).active
        if f.rule == "lossy-type-change"
    ]
    assert [f.severity for f in back] == ["warning"] and "time zone" in back[0].message
    same = review_sql(
        f"ALTER TABLE {table} MODIFY {column} datetime(3) NULL;",
        base={
            "db/migrations/000_base.sql": f"CREATE TABLE {table} (id int PRIMARY KEY, {column} datetime NULL);"
        },
        config=MARIADB,
    )
    assert "lossy-type-change" not in rule_ids(same)
