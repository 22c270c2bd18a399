"""`sequence-reset`: a sequence set back below the ids a table holds hands them out again; a sequence set from
the table, or reset on a table the migration created or emptied, is quiet."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

TABLES = ["users", "invoices", "audit_events"]


def _found(sql: str, dialect: str | None = None) -> list[tuple[str, str]]:
    return [
        (f.severity.value, f.message)
        for f in review_sql(sql, dialect=dialect).active
        if f.rule == "sequence-reset"
    ]


def _serial(table: str) -> str:
    return f"CREATE TABLE {table} (id bigserial PRIMARY KEY, note text);\n-- migration\n"


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize(
    "reset",
    [
        "ALTER SEQUENCE {t}_id_seq RESTART;",
        "ALTER SEQUENCE public.{t}_id_seq RESTART WITH 1;",
        "SELECT setval('{t}_id_seq', 1);",
        "SELECT setval('public.{t}_id_seq'::regclass, 1, false);",
        "SELECT pg_catalog.setval('{t}_id_seq', 2, false);",
        "SELECT SETVAL('{t}_id_seq', 1);",
        "alter sequence {t}_id_seq restart with 1;",
    ],
)
def test_a_sequence_set_back_to_its_first_ids_is_critical(table: str, reset: str) -> None:
    [(severity, message)] = _found(_serial(table) + reset.format(t=table))
    assert severity == "critical" and f"`{table}.id`" in message


@pytest.mark.parametrize("table", TABLES)
def test_an_identity_column_restarted_is_critical(table: str) -> None:
    sql = (
        f"CREATE TABLE {table} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);\n-- migration\n"
        f"ALTER TABLE {table} ALTER COLUMN id RESTART WITH 1;"
    )
    [(severity, message)] = _found(sql)
    assert severity == "critical" and f"`{table}.id`" in message


@pytest.mark.parametrize(
    ("sequence", "table", "column"), [("order_numbers", "orders", "number"), ("ticket_no", "tickets", "code")]
)
def test_a_sequence_a_default_draws_from_is_followed_to_its_column(
    sequence: str, table: str, column: str
) -> None:
    sql = (
        f"CREATE SEQUENCE {sequence};\nCREATE TABLE {table} (id bigint PRIMARY KEY, {column} bigint DEFAULT "
        f"nextval('{sequence}'::regclass));\n-- migration\nALTER SEQUENCE {sequence} RESTART;"
    )
    [(severity, message)] = _found(sql)
    assert severity == "critical" and f"`{table}.{column}`" in message


@pytest.mark.parametrize("table", TABLES)
def test_a_large_constant_is_a_warning_that_names_the_check(table: str) -> None:
    [(severity, message)] = _found(_serial(table) + f"SELECT setval('{table}_id_seq', 5000000);")
    assert severity == "warning" and "5000001" in message


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize(
    "safe",
    [
        "SELECT setval('{t}_id_seq', (SELECT coalesce(max(id), 0) + 1 FROM {t}), false);",
        "SELECT setval(pg_get_serial_sequence('{t}', 'id'), coalesce(max(id), 1)) FROM {t};",
        "TRUNCATE {t} RESTART IDENTITY;",
        "TRUNCATE {t};\nALTER SEQUENCE {t}_id_seq RESTART WITH 1;",
        "ALTER SEQUENCE {t}_id_seq INCREMENT BY 10;",
    ],
)
def test_a_sequence_that_follows_the_rows_is_quiet(table: str, safe: str) -> None:
    assert _found(_serial(table) + safe.format(t=table)) == []


@pytest.mark.parametrize("table", TABLES)
def test_a_sequence_of_a_table_the_migration_creates_is_quiet(table: str) -> None:
    sql = (
        f"CREATE TABLE {table} (id bigserial PRIMARY KEY);\nALTER SEQUENCE {table}_id_seq RESTART WITH 1000;"
    )
    assert _found(sql) == []


def test_mysql_auto_increment_never_goes_below_the_rows() -> None:
    """InnoDB refuses an AUTO_INCREMENT at or below the largest id: it is quiet."""
    sql = "CREATE TABLE users (id bigint AUTO_INCREMENT PRIMARY KEY);\n-- migration\nALTER TABLE users AUTO_INCREMENT = 1;"
    assert _found(sql, dialect="mysql") == []


def test_a_sequence_no_column_draws_from_is_a_warning() -> None:
    [(severity, message)] = _found(_serial("users") + "ALTER SEQUENCE legacy_counter RESTART;")
    assert severity == "warning" and "`legacy_counter`" in message
