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
