"""ignore-drops-rows: MySQL's IGNORE on ALTER TABLE … ADD UNIQUE and on a copy that turns errors into
silently dropped or altered rows."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

RULE = "ignore-drops-rows"


def _found(sql: str, dialect: str = "mysql") -> list[Any]:
    return [f for f in review_sql(sql, dialect=dialect).active if f.rule == RULE]


@pytest.mark.parametrize(("table", "column"), [("users", "email"), ("devices", "serial")])
def test_alter_ignore_deletes_duplicates_on_mariadb(mariadb, table, column) -> None:  # type: ignore[no-untyped-def]
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(100) NOT NULL);\n"
    change = f"ALTER IGNORE TABLE {table} ADD UNIQUE INDEX {table}_{column} ({column});"
    (finding,) = _found(schema + "-- migration\n" + change, dialect="mariadb")
    assert "deletes" in finding.message and f"`{table}`" in finding.blast_radius
    assert not _found(schema + "-- migration\n" + change.replace("ALTER IGNORE", "ALTER"), dialect="mariadb")
    with mariadb.cursor() as cursor:
        cursor.execute(schema.rstrip(";\n"))
        cursor.execute(f"INSERT INTO {table} VALUES (1, 'a'), (2, 'a'), (3, 'b')")
        cursor.execute(change.rstrip(";"))
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone() == (2,)  # one of the two 'a' rows is gone, without an error


@pytest.mark.parametrize(("old", "new"), [("users", "users_v2"), ("events", "events_copy")])
def test_insert_ignore_into_a_copy(old, new) -> None:  # type: ignore[no-untyped-def]
    schema = f"CREATE TABLE {old} (id bigint PRIMARY KEY, name varchar(40));\n-- migration\n"
    create = f"CREATE TABLE {new} (id bigint PRIMARY KEY, name varchar(20) NOT NULL);\n"
    copy = f"INSERT IGNORE INTO {new} (id, name) SELECT id, name FROM {old};\n"
    assert _found(schema + create + copy)
    assert not _found(schema + create + copy.replace("INSERT IGNORE", "INSERT"))
    # rows added to a table that keeps its own: IGNORE skips the keys it has
    kept = f"CREATE TABLE {old} (id bigint PRIMARY KEY, name varchar(40));\n{create}-- migration\n"
    assert not _found(kept + copy)
    assert _found(kept + copy + f"DROP TABLE {old};")
