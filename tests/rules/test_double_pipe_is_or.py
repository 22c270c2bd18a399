"""double-pipe-is-or: `||` joining text on MySQL and MariaDB is a logical OR there (shown on the real MariaDB
below), read from SQL files and from the SQL a framework's migration runs; a real OR between conditions, CONCAT(),
a session in PIPES_AS_CONCAT mode and PostgreSQL are quiet."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

RULE = "double-pipe-is-or"
NAMES = [("users", "first_name", "last_name", "full_name"), ("products", "brand", "model", "title")]


def _schema(table: str, a: str, b: str, target: str) -> str:
    return f"CREATE TABLE {table} (id bigint PRIMARY KEY, {a} varchar(50), {b} varchar(50), {target} varchar(120), n int);\n"


def _found(sql: str, dialect: str = "mysql", **kw: Any) -> list[str]:
    return [f.message for f in review_sql(sql, dialect=dialect, **kw).active if f.rule == RULE]


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
@pytest.mark.parametrize(("table", "a", "b", "target"), NAMES)
def test_pipes_joining_text_are_an_or(table: str, a: str, b: str, target: str, dialect: str) -> None:
    schema = _schema(table, a, b, target) + "-- migration\n"
    for sql in (
        f"UPDATE {table} SET {target} = {a} || ' ' || {b} WHERE id < 1000;",
        f"UPDATE {table} SET {target} = {a} || {b} WHERE id < 1000;",  # two text columns
        f"INSERT INTO {table} (id, {target}) SELECT id + 1000, {a} || '-copy' FROM {table} WHERE id < 10;",
    ):
        (message,) = _found(schema + sql, dialect)
        assert "logical OR" in message, sql
    rails = (
        "class Names < ActiveRecord::Migration[7.1]\n  def up\n"
        f"    execute \"UPDATE {table} SET {target} = {a} || ' ' || {b}\"\n  end\nend\n"
    )
    base = {"db/migrations/000_schema.sql": _schema(table, a, b, target)}
    assert _found(rails, dialect, path="db/migrate/20240201000000_names.rb", base=base)


@pytest.mark.parametrize(("table", "a", "b", "target"), NAMES)
def test_an_or_concat_a_concat_session_and_postgres_are_quiet(
    table: str, a: str, b: str, target: str
) -> None:
    schema = _schema(table, a, b, target) + "-- migration\n"
    for sql in (
        f"UPDATE {table} SET n = 1 WHERE n = 1 || n = 2;",
        f"UPDATE {table} SET {target} = CONCAT({a}, '||', {b}) WHERE id < 1000;",
        "SET SESSION sql_mode = CONCAT(@@sql_mode, ',PIPES_AS_CONCAT');\n"
        f"UPDATE {table} SET {target} = {a} || ' ' || {b} WHERE id < 1000;",
    ):
        assert not _found(schema + sql), sql
    assert not _found(
        schema + f"UPDATE {table} SET {target} = {a} || ' ' || {b} WHERE id < 1000;", "postgres"
    )


def test_mariadb_reads_the_pipes_as_or(mariadb: Any) -> None:
    """In strict mode the write fails on the first name that is no number; outside it, each row gets 0."""
    import pymysql

    cursor = mariadb.cursor()
    cursor.execute(
        "CREATE TABLE dpo_users (id int PRIMARY KEY, first_name varchar(20), last_name varchar(20), full_name varchar(50))"
    )
    cursor.execute("INSERT INTO dpo_users VALUES (1, 'Ann', 'Lee', NULL)")
    with pytest.raises(pymysql.err.OperationalError, match="1292"):
        cursor.execute("UPDATE dpo_users SET full_name = first_name || ' ' || last_name")
    cursor.execute("SET SESSION sql_mode = ''")
    cursor.execute("UPDATE dpo_users SET full_name = first_name || ' ' || last_name")
    cursor.execute("SELECT full_name FROM dpo_users")
    assert cursor.fetchone()[0] == "0"
    cursor.execute("UPDATE dpo_users SET full_name = CONCAT(first_name, ' ', last_name)")
    cursor.execute("SELECT full_name FROM dpo_users")
    assert cursor.fetchone()[0] == "Ann Lee"
