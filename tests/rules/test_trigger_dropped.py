"""trigger-dropped: a trigger that keeps a column or another table up to date is dropped, nothing takes over."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

RULE = "trigger-dropped"


def _found(sql: str, **kw: Any) -> list[Any]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


def _schema(table: str, column: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, name text, {column} tsvector);\n"
        f"CREATE TABLE {table}_audit (id bigserial PRIMARY KEY, row_id bigint);\n"
        f"CREATE FUNCTION {table}_fill() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
        f"  -- keep the vector in step; UPDATE the audit\n"
        f"  IF NEW.name = '' THEN RAISE NOTICE 'empty name'; END IF;\n"
        f"  NEW.{column} := to_tsvector('simple', coalesce(NEW.name, ''));\n"
        f"  INSERT INTO {table}_audit (row_id) VALUES (NEW.id);\n  RETURN NEW;\nEND $$;\n"
        f"CREATE TRIGGER {table}_fill BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_fill();\n"
        "-- migration\n"
    )


@pytest.mark.parametrize(("table", "column"), [("users", "search"), ("articles", "body_vector")])
def test_a_dropped_maintenance_trigger_is_found(pg, table, column) -> None:  # type: ignore[no-untyped-def]
    schema = _schema(table, column)
    (finding,) = _found(schema + f"DROP TRIGGER {table}_fill ON {table};")
    assert f"`{table}.{column}`" in finding.message and f"`{table}_audit`" in finding.message
    assert f"`{table}.name`" not in finding.message  # compared, never set
    pg.execute(schema.replace("-- migration\n", ""))
    pg.execute(f"DROP TRIGGER {table}_fill ON {table}")
    pg.execute(f"INSERT INTO {table} (id, name) VALUES (1, 'Ada')")
    assert pg.execute(f"SELECT {column} FROM {table}").fetchone() == (None,)  # what it says: no longer kept


@pytest.mark.parametrize(("table", "column"), [("users", "search"), ("articles", "body_vector")])
@pytest.mark.parametrize(
    "after",
    [
        "CREATE TRIGGER {t}_fill2 BEFORE INSERT OR UPDATE ON {t} FOR EACH ROW EXECUTE FUNCTION {t}_fill();",
        "ALTER TABLE {t} DROP COLUMN {c};",
        "DROP TABLE {t};",
    ],
)
def test_quiet_when_something_takes_over(table, column, after) -> None:  # type: ignore[no-untyped-def]
    change = f"DROP TRIGGER {table}_fill ON {table};\n" + after.format(t=table, c=column)
    assert not _found(_schema(table, column) + change)


@pytest.mark.parametrize("table", ["orders", "invoices"])
def test_mysql_trigger_that_sets_a_column(table) -> None:  # type: ignore[no-untyped-def]
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, qty int, price int, total int);\n"
        f"CREATE TRIGGER {table}_total BEFORE INSERT ON {table} FOR EACH ROW SET NEW.total = NEW.qty * NEW.price;\n"
        "-- migration\n"
    )
    (finding,) = _found(schema + f"DROP TRIGGER {table}_total;", dialect="mysql")
    assert f"`{table}.total`" in finding.message
    assert not _found(
        schema + f"DROP TRIGGER {table}_total;\nALTER TABLE {table} DROP COLUMN total;", dialect="mysql"
    )
