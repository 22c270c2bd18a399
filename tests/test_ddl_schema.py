"""A module's `ddl.sql` beside its versioned migrations is the schema a new install loads: the whole schema as
the migrations leave it (Kill Bill keeps one per module and updates it with each migration). Read as the schema
before the change, like a `schema.sql`: a column it declares has a known type."""

from __future__ import annotations

import pytest

from bot.model.findings import Severity
from tests.conftest import review_sql

NAMES = [
    ("usage/src/main/resources/org/acme/usage", "rolled_up_usage", "amount"),
    ("db", "invoices", "total"),
]


@pytest.mark.parametrize(("folder", "table", "column"), NAMES)
def test_a_ddl_file_beside_the_migrations_is_the_schema(folder: str, table: str, column: str) -> None:
    ddl = f"CREATE TABLE {table} (record_id bigint NOT NULL AUTO_INCREMENT, {column} decimal(18,9) NOT NULL, PRIMARY KEY (record_id));\n"
    first = f"{folder}/migration/V20200101000000__first.sql"
    base = {f"{folder}/ddl.sql": ddl, first: f"CREATE INDEX {table}_idx ON {table} (record_id);\n"}
    change = f"ALTER TABLE {table} MODIFY {column} decimal(17,9) NOT NULL;\n"
    result = review_sql(
        change, path=f"{folder}/migration/V20220101000000__narrow.sql", base=base, dialect="mysql"
    )
    rules = {f.rule: f for f in result.active}
    assert rules["lossy-type-change"].severity is Severity.CRITICAL
    assert "from `decimal(18, 9)`" in rules["type-change-rewrite"].message


@pytest.mark.parametrize(("folder", "table", "column"), NAMES)
def test_the_migrations_decide_for_the_tables_they_create(folder: str, table: str, column: str) -> None:
    """`ddl.sql` is what new installs load, and may already hold a change whose migration comes later: a table
    the migrations create keeps the shape they give it (existing databases have that one)."""
    ddl = f"CREATE TABLE {table} (record_id bigint NOT NULL, {column} decimal(18,9) NOT NULL, PRIMARY KEY (record_id));\n"
    first = f"{folder}/migration/V20200101000000__first.sql"
    created = f"CREATE TABLE {table} (record_id bigint NOT NULL, {column} decimal(15,9) NOT NULL, PRIMARY KEY (record_id));\n"
    base = {f"{folder}/ddl.sql": ddl, first: created}
    change = f"ALTER TABLE {table} MODIFY {column} decimal(18,9) NOT NULL;\n"
    result = review_sql(
        change, path=f"{folder}/migration/V20220101000000__widen.sql", base=base, dialect="mysql"
    )
    [rewrite] = [f for f in result.active if f.rule == "type-change-rewrite"]
    assert "from `decimal(15, 9)`" in rewrite.message and rewrite.severity is Severity.CRITICAL
