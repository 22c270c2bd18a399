"""Validation queries specific to each change, in the migration's dialect, and run on the real servers."""

from __future__ import annotations

from typing import Any

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

SCHEMA = (
    "CREATE TABLE order_states (id integer PRIMARY KEY, name text);\n"
    "CREATE TABLE orders (id bigint PRIMARY KEY, status varchar(20), email varchar(100), state_id integer);\n"
)
CHANGE = (
    "UPDATE orders SET state_id = CASE status WHEN 'open' THEN 1 WHEN 'paid' THEN 2 ELSE state_id END\n"
    "WHERE id >= 1 AND id < 1000;\n"
    "ALTER TABLE orders ADD CONSTRAINT orders_state_fk FOREIGN KEY (state_id) REFERENCES order_states (id);\n"
    "CREATE UNIQUE INDEX orders_email_key ON orders (email);\n"
    "ALTER TABLE orders ADD COLUMN code varchar(10) NOT NULL DEFAULT 'x';\n"
)


def _queries(dialect: str) -> Review:
    return review_sql(SCHEMA + "-- migration\n" + CHANGE, dialect=dialect)


def test_each_kind_of_change_gets_its_own_query() -> None:
    purposes = [q.purpose for q in _queries("postgres").verification_queries]
    text = "\n".join(purposes)
    assert "distribution of `status` the CASE maps" in text
    assert "values of `status` no WHEN covers (they get `state_id`)" in text
    assert "distribution of the new `state_id` against the old `status`" in text
    assert "points at no row of `order_states`" in text
    assert "duplicates of (email)" in text
    assert "what the IDs the CASE writes into `state_id` mean" in text


def test_queries_before_the_deploy_come_first() -> None:
    whens = [q.when for q in _queries("postgres").verification_queries]
    assert whens == sorted(
        whens, key=lambda w: {"before the deploy": 0, "before and after deploy": 1}.get(w, 2)
    )


def test_monitoring_names_signals_thresholds_and_durations() -> None:
    items = _queries("mysql").monitoring
    signals = " ".join(i.signal for i in items)
    assert "MySQL 1452" in signals and "MySQL 1062" in signals and "Seconds_Behind_Source" in signals
    assert all(i.threshold and i.duration for i in items)


def test_sqlite_monitoring_watches_what_a_database_file_has() -> None:
    signals = " ".join(i.signal for i in _queries("sqlite").monitoring)
    assert "UNIQUE constraint failed" in signals and "database is locked" in signals
    for other in (
        "Seconds_Behind_Source",
        "performance_schema",
        "pg_stat",
        "SQLSTATE",
        "MySQL",
        "Replication",
    ):
        assert other not in signals, signals


def _load(execute: Any) -> None:
    for statement in (SCHEMA + CHANGE).split(";\n"):
        if statement.strip():
            execute(statement)
    execute("INSERT INTO order_states (id, name) VALUES (1, 'open'), (2, 'paid')")
    execute(
        "INSERT INTO orders (id, status, email, state_id) VALUES (1, 'open', 'a@x', 1), (2, 'Paid', 'b@x', NULL)"
    )


def test_every_query_runs_on_postgres(pg: Any) -> None:
    _load(pg.execute)
    queries = _queries("postgres").verification_queries
    assert queries
    for query in queries:
        if "pg_index" not in query.sql:
            pg.execute(query.sql).fetchall()


def test_every_query_runs_on_mariadb(mariadb: Any) -> None:
    with mariadb.cursor() as cursor:
        _load(cursor.execute)
        queries = _queries("mysql").verification_queries
        assert queries
        for query in queries:
            cursor.execute(query.sql)
            cursor.fetchall()
        unmapped = next(q for q in queries if "no WHEN covers" in q.purpose)
        cursor.execute(unmapped.sql)
        assert cursor.fetchall() == ()  # MariaDB's default collation compares 'Paid' = 'paid'


def test_a_lossy_type_change_gets_its_check_before_the_deploy(pg: Any) -> None:
    sql = "CREATE TABLE prices (id bigint PRIMARY KEY, amount numeric(12, 4));\n-- migration\n" + (
        "ALTER TABLE prices ALTER COLUMN amount TYPE numeric(12, 2);"
    )
    query = next(q for q in review_sql(sql).verification_queries if "would damage" in q.purpose)
    assert query.when == "before the deploy" and query.expect == "0"
    pg.execute("CREATE TABLE prices (id bigint PRIMARY KEY, amount numeric(12, 4))")
    pg.execute("INSERT INTO prices VALUES (1, 1.2345), (2, 1.5)")
    assert pg.execute(query.sql).fetchone() == (1,)


@pytest.mark.parametrize(
    ("table", "column", "old", "new"),
    [
        ("entries", "entryable_type", "Account::Transaction", "Transaction"),
        ("tickets", "status", "open", "active"),
    ],
)
def test_a_case_that_rewrites_its_own_column_is_counted_before_and_after_not_against_itself(
    table: str, column: str, old: str, new: str
) -> None:
    """maybe's `UPDATE entries SET entryable_type = CASE WHEN entryable_type = 'Account::Transaction' THEN
    'Transaction' … END` was given `SELECT entryable_type, entryable_type, count(*)`, the column against itself:
    the old value is gone once the row is written."""
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(40), other varchar(40));\n-- migration\n"
    in_place = f"UPDATE {table} SET {column} = CASE WHEN {column} = '{old}' THEN '{new}' ELSE {column} END;"
    queries = review_sql(schema + in_place).verification_queries
    assert not [q for q in queries if "against the old" in q.purpose]
    [counted] = [
        q for q in queries if q.sql == f"SELECT {column}, count(*) FROM {table} GROUP BY 1 ORDER BY 2 DESC;"
    ]
    assert counted.when == "before and after deploy" and f"`'{new}'`" in counted.purpose
    mapped = f"UPDATE {table} SET other = CASE WHEN {column} = '{old}' THEN '{new}' ELSE other END;"
    purposes = [q.purpose for q in review_sql(schema + mapped).verification_queries]
    assert f"distribution of the new `other` against the old `{column}`" in purposes


@pytest.mark.parametrize(
    ("table", "parent", "column", "key"),
    [
        ("spree_prices", "spree_countries", "country_iso", "iso"),
        ("shipments", "carriers", "carrier_code", "code"),
    ],
)
def test_orphans_are_counted_against_the_referenced_column(
    table: str, parent: str, column: str, key: str
) -> None:
    """solidus' `add_foreign_key :spree_prices, :spree_countries, column: :country_iso, primary_key: :iso` was
    checked with `parent.id = child.country_iso`, which PostgreSQL refuses (bigint = text)."""
    schema = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY, {key} text UNIQUE);\n"
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n"
    )
    wanted = f"WHERE parent.{key} = child.{column});"
    sql = f"ALTER TABLE {table} ADD CONSTRAINT {table}_fk FOREIGN KEY ({column}) REFERENCES {parent} ({key});"
    rails = (
        "class AddKey < ActiveRecord::Migration[7.0]\n  def change\n"
        f"    add_foreign_key :{table}, :{parent}, column: :{column}, primary_key: :{key}\n  end\nend\n"
    )
    path = "db/migrate/20250709073151_add_key.rb"
    for result in (
        review_sql(schema + "-- migration\n" + sql),
        review_sql(rails, path=path, base={"db/migrations/000_schema.sql": schema}),
    ):
        [orphans] = [q.sql for q in result.verification_queries if "AS orphans" in q.sql]
        assert orphans.endswith(wanted)


def test_an_update_whose_condition_reads_other_rows_is_checked_by_its_written_values() -> None:
    """A self-join UPDATE (`… FROM comments AS parent WHERE reply.parent_id = parent.id`) cannot be counted
    by its condition alone: the check counts the values it writes and says why, not that code builds it."""
    for table, column, key in (("comments", "resolved_at", "parent_id"), ("tasks", "closed_by", "epic_id")):
        sql = (
            f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text, {key} bigint);\n-- migration\n"
            f"UPDATE {table} AS child SET {column} = parent.{column} FROM {table} AS parent "
            f"WHERE child.{key} = parent.id AND parent.{column} IS NOT NULL AND child.{column} IS NULL;\n"
        )
        texts = [q.purpose for q in review_sql(sql).verification_queries]
        assert any("reads other rows or tables" in t for t in texts), texts
        assert not any("built by code" in t for t in texts)


# (table, column, old type, new type, USING expression that can give NULL)
CONVERSIONS = [
    ("tc_devices", "positionid", "integer", "bigint", "nullif(positionid, 0)::bigint"),
    ("orders", "total", "numeric(10, 2)", "numeric(12, 2)", "nullif(total, 0)::numeric(12, 2)"),
]


def test_a_conversion_counts_nulls_only_where_it_can_make_them() -> None:
    """PostgreSQL's casts give no NULL for a value (they convert it or fail): a type change without USING loses
    no value to NULL, and a count of NULLs before and after checks nothing. A USING expression can give NULL."""
    for table, column, old, new, using in CONVERSIONS:
        schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} {old});\n-- migration\n"
        plain = review_sql(schema + f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {new};\n")
        assert not [q for q in plain.verification_queries if f"WHERE {column} IS NULL" in q.sql]
        converted = review_sql(
            schema + f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {new} USING {using};\n"
        )
        assert [q for q in converted.verification_queries if f"WHERE {column} IS NULL" in q.sql]
