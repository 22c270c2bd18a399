"""delete-join-untied: a DELETE joining a table it never ties to the deleted rows deletes every row (shown on
PostgreSQL); tied joins, sub-queries and self-joins for duplicates are left to other rules."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

RULE = "delete-join-untied"
NAMES = [("payments", "orders", "order_id", "status"), ("comments", "posts", "post_id", "state")]


def _schema(child: str, parent: str, key: str, flag: str, mysql: bool = False) -> str:
    engine = " ENGINE=InnoDB" if mysql else ""
    return (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY, {flag} varchar(20) NOT NULL){engine};\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {key} bigint NOT NULL){engine};\n-- migration\n"
    )


def _found(sql: str, dialect: str | None = None) -> list[str]:
    return [f.message for f in review_sql(sql, dialect=dialect).active if f.rule == RULE]


@pytest.mark.parametrize(("child", "parent", "key", "flag"), NAMES)
def test_a_join_that_ties_nothing_deletes_every_row(child: str, parent: str, key: str, flag: str) -> None:
    pg = _schema(child, parent, key, flag)
    for sql in (
        f"DELETE FROM {child} USING {parent} WHERE {parent}.{flag} = 'cancelled';",
        f"DELETE FROM {child} c USING {parent} p WHERE p.{flag} = 'cancelled' AND c.id > 0;",
    ):
        (message,) = _found(pg + sql)
        assert f"from `{child}` joins `{parent}` with no condition tying it" in message
    mysql = _schema(child, parent, key, flag, mysql=True)
    sql = f"DELETE c FROM {child} c JOIN {parent} p WHERE p.{flag} = 'cancelled';"
    assert _found(mysql + sql, "mysql")


@pytest.mark.parametrize(("child", "parent", "key", "flag"), NAMES)
def test_a_tied_join_or_a_sub_query_is_quiet(child: str, parent: str, key: str, flag: str) -> None:
    pg = _schema(child, parent, key, flag)
    for sql in (
        f"DELETE FROM {child} USING {parent} WHERE {child}.{key} = {parent}.id AND {parent}.{flag} = 'cancelled';",
        f"DELETE FROM {child} c USING {parent} p WHERE {key} = p.id AND p.{flag} = 'cancelled';",
        f"DELETE FROM {child} WHERE {key} IN (SELECT id FROM {parent} WHERE {flag} = 'cancelled');",
        f"DELETE FROM {child} a USING {child} b WHERE a.{key} = b.{key} AND a.id > b.id;",
    ):
        assert not _found(pg + sql), sql
    mysql = _schema(child, parent, key, flag, mysql=True)
    sql = f"DELETE c FROM {child} c JOIN {parent} p ON c.{key} = p.id WHERE p.{flag} = 'cancelled';"
    assert not _found(mysql + sql, "mysql")


def test_postgres_deletes_every_row(pg) -> None:  # type: ignore[no-untyped-def]
    pg.execute("CREATE TABLE dj_orders (id bigint PRIMARY KEY, status text NOT NULL)")
    pg.execute("CREATE TABLE dj_payments (id bigint PRIMARY KEY, order_id bigint NOT NULL)")
    pg.execute("INSERT INTO dj_orders VALUES (1, 'cancelled'), (2, 'paid')")
    pg.execute("INSERT INTO dj_payments VALUES (10, 1), (20, 2), (30, 2)")
    pg.execute("DELETE FROM dj_payments USING dj_orders WHERE dj_orders.status = 'cancelled'")
    assert pg.execute("SELECT count(*) FROM dj_payments").fetchone()[0] == 0
