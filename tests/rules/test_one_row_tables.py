"""A table the repository's own schema shows to hold one row (a CHECK holding its key to one value, a unique
index on a constant, or a settings table its migrations create with one row) is not assumed large: a lock on it
is a warning, and the finding says why. A table merely named `settings`, or seeded with one row under another
name, is still assumed large."""

from __future__ import annotations

from typing import Any

import psycopg
import pymysql
import pytest

from bot.model.config import Config
from tests.conftest import review_sql

ALTER = "ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar(10);"
SCHEMAS = {
    "check-on-key": "CREATE TABLE {table} (id integer PRIMARY KEY CHECK (id = 1), {column} text);\n",
    "boolean-key": (
        "CREATE TABLE {table} (lock boolean PRIMARY KEY DEFAULT true, {column} text, CONSTRAINT {table}_one "
        "CHECK (lock));\n"
    ),
    "unique-constant": (
        "CREATE TABLE {table} (id bigserial PRIMARY KEY, {column} text);\n"
        "CREATE UNIQUE INDEX {table}_one ON {table} ((true));\n"
    ),
}
NAMES = [("site", "title"), ("instance", "domain")]


def _rewrite(sql: str, config: Config | None = None) -> tuple[str, str]:
    [finding] = [f for f in review_sql(sql, config=config).active if f.rule == "type-change-rewrite"]
    return finding.severity.value, finding.blast_radius


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize("schema", list(SCHEMAS), ids=list(SCHEMAS))
def test_a_table_its_schema_holds_to_one_row_is_not_assumed_large(
    table: str, column: str, schema: str, pg: Any
) -> None:
    created = SCHEMAS[schema].format(table=table, column=column)
    severity, blast = _rewrite(created + "-- migration\n" + ALTER.format(table=table, column=column))
    assert severity == "warning" and f"`{table}` (one row:" in blast, blast
    # the database itself refuses a second row
    pg.execute(created)
    pg.execute(
        f"INSERT INTO {table} ({column}) VALUES ('a')"
        if schema != "check-on-key"
        else f"INSERT INTO {table} (id, {column}) VALUES (1, 'a')"
    )
    with pytest.raises((psycopg.errors.UniqueViolation, psycopg.errors.CheckViolation)):
        pg.execute(
            f"INSERT INTO {table} ({column}) VALUES ('b')"
            if schema != "check-on-key"
            else f"INSERT INTO {table} (id, {column}) VALUES (2, 'b')"
        )


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_check_on_a_column_that_is_not_the_key_is_no_evidence(table: str, column: str) -> None:
    created = (
        f"CREATE TABLE {table} (id bigserial PRIMARY KEY, kind integer CHECK (kind = 1), {column} text);\n"
    )
    severity, blast = _rewrite(created + "-- migration\n" + ALTER.format(table=table, column=column))
    assert severity == "critical" and "assumed large" in blast


@pytest.mark.parametrize(("table", "column"), [("site_settings", "title"), ("configuration", "domain")])
def test_a_settings_table_created_with_one_row_is_small(table: str, column: str) -> None:
    created = (
        f"CREATE TABLE {table} (id bigserial PRIMARY KEY, {column} text);\n"
        f"INSERT INTO {table} ({column}) VALUES ('first');\n"
    )
    severity, blast = _rewrite(created + "-- migration\n" + ALTER.format(table=table, column=column))
    assert severity == "warning" and "its migrations insert one row" in blast, blast
    # more rows: a table that grows
    grown = created + f"INSERT INTO {table} ({column}) VALUES ('second');\n"
    assert _rewrite(grown + "-- migration\n" + ALTER.format(table=table, column=column))[0] == "critical"
    # named as settings, without rows from the migrations: no evidence
    bare = f"CREATE TABLE {table} (id bigserial PRIMARY KEY, {column} text);\n"
    assert _rewrite(bare + "-- migration\n" + ALTER.format(table=table, column=column))[0] == "critical"


@pytest.mark.parametrize(("table", "column"), [("users", "login"), ("orders", "state")])
def test_one_seeded_row_in_another_table_is_no_evidence(table: str, column: str) -> None:
    created = (
        f"CREATE TABLE {table} (id bigserial PRIMARY KEY, {column} text);\n"
        f"INSERT INTO {table} ({column}) VALUES ('first');\n"
    )
    severity, blast = _rewrite(created + "-- migration\n" + ALTER.format(table=table, column=column))
    assert severity == "critical" and "assumed large" in blast


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_the_configuration_still_decides(table: str, column: str) -> None:
    created = SCHEMAS["check-on-key"].format(table=table, column=column)
    config = Config(large_tables=(table,))
    severity, blast = _rewrite(created + "-- migration\n" + ALTER.format(table=table, column=column), config)
    assert severity == "critical" and "listed as large" in blast


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_mariadb_check_on_the_key(table: str, column: str, mariadb: Any) -> None:
    created = f"CREATE TABLE {table} (id tinyint PRIMARY KEY CHECK (id = 1), {column} varchar(40));\n"
    change = f"ALTER TABLE {table} MODIFY {column} varchar(400);"
    found = [
        f
        for f in review_sql(created + "-- migration\n" + change, dialect="mariadb").active
        if f.rule == "type-change-rewrite"
    ]
    assert found and all(f.severity.value != "critical" for f in found), found
    assert f"`{table}` (one row:" in found[0].blast_radius
    with mariadb.cursor() as cursor:
        cursor.execute(created)
        cursor.execute(f"INSERT INTO {table} (id, {column}) VALUES (1, 'a')")
        with pytest.raises(pymysql.err.OperationalError):  # 4025: CONSTRAINT … failed
            cursor.execute(f"INSERT INTO {table} (id, {column}) VALUES (2, 'b')")
