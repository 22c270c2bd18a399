"""A constant default rewrites the table only on old servers: the finding says which server the repository
runs and why, so the team can tell a version's cost from a volatile expression's."""

from __future__ import annotations

import pytest

from bot.model.config import Config
from tests.conftest import review_sql

SCHEMA = "CREATE TABLE {table} (id bigint PRIMARY KEY);\n-- migration\n"


@pytest.mark.parametrize(("table", "column"), [("users", "is_staff"), ("invoices", "archived")])
def test_a_constant_default_on_postgresql_before_11_says_the_version(table: str, column: str) -> None:
    sql = (SCHEMA + "ALTER TABLE {table} ADD COLUMN {column} boolean NOT NULL DEFAULT false;\n").format(
        table=table, column=column
    )
    old = [
        f
        for f in review_sql(sql, config=Config(database_version="10")).active
        if f.rule == "volatile-default"
    ]
    assert len(old) == 1 and "PostgreSQL 10" in old[0].message and "before 11" in old[0].message
    new = [
        f
        for f in review_sql(sql, config=Config(database_version="14")).active
        if f.rule == "volatile-default"
    ]
    assert not new


@pytest.mark.parametrize(("table", "column"), [("orders", "number"), ("tickets", "seq")])
def test_an_identity_column_added_to_an_existing_table_rewrites_it(table: str, column: str, pg) -> None:  # type: ignore[no-untyped-def]
    """Every existing row takes the sequence's next value: the table is rewritten (shown on the real server: the
    table's file changes); on a table the migration creates, nothing is rewritten."""
    added = f"ALTER TABLE {table} ADD COLUMN {column} bigint GENERATED ALWAYS AS IDENTITY;"
    found = [f for f in review_sql(SCHEMA.format(table=table) + added).active if f.rule == "volatile-default"]
    assert len(found) == 1 and "identity column" in found[0].message
    fresh = f"-- migration\nCREATE TABLE {table} (id bigint PRIMARY KEY);\n{added}"
    assert not [f for f in review_sql(fresh).active if f.rule == "volatile-default"]
    pg.execute(f"CREATE TABLE {table} (id bigint PRIMARY KEY)")
    pg.execute(f"INSERT INTO {table} SELECT generate_series(1, 10)")
    before = pg.execute(f"SELECT pg_relation_filenode('{table}')").fetchone()
    pg.execute(added)
    assert pg.execute(f"SELECT pg_relation_filenode('{table}')").fetchone() != before
    assert pg.execute(f"SELECT count(DISTINCT {column}) FROM {table}").fetchone() == (10,)
