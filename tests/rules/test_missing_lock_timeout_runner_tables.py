"""A migration runner's own history table (Liquibase's `databasechangelog`, Flyway's `flyway_schema_history`,
Rails' `schema_migrations`) holds a row per migration and is read and written by the runner alone: a lock on it
waits on nothing the application does: no lock timeout is needed for it."""

from __future__ import annotations

import pytest

from bot.model.findings import Severity
from tests.conftest import review_sql


@pytest.mark.parametrize(
    ("table", "column"),
    [("databasechangelog", "orderexecuted"), ("flyway_schema_history", "installed_rank")],
)
def test_a_lock_on_the_runners_own_table_needs_no_lock_timeout(table: str, column: str) -> None:
    schema = f"CREATE TABLE {table} (id varchar(255) NOT NULL, {column} integer);\n-- migration\n"
    result = review_sql(schema + f"ALTER TABLE {table} ADD CONSTRAINT {table}_pk PRIMARY KEY (id);\n")
    assert "missing-lock-timeout" not in {f.rule for f in result.active}
    other = review_sql(
        schema.replace(table, f"{table}_copy")
        + f"ALTER TABLE {table}_copy ADD CONSTRAINT {table}_copy_pk PRIMARY KEY (id);\n"
    )
    assert {f.severity for f in other.active if f.rule == "missing-lock-timeout"} == {Severity.WARNING}
