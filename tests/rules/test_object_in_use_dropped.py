"""object-in-use-dropped: a type, domain, sequence, function, extension or view dropped while columns, defaults,
triggers or views still use it is refused by PostgreSQL, and with CASCADE takes them along (both shown on the real
server below); moving the users off it first, or dropping an unused object, is quiet."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import refusal, review_sql

RULE = "object-in-use-dropped"
NAMES = [("order_status", "orders", "state"), ("mood", "people", "current_mood")]


def _found(sql: str) -> list[str]:
    return [f.message for f in review_sql(sql, dialect="postgres").active if f.rule == RULE]


def _schema(kind: str, table: str, column: str) -> str:
    return (
        f"CREATE TYPE {kind} AS ENUM ('new', 'done');\n"
        f"CREATE SEQUENCE {table}_number_seq;\n"
        f"CREATE TABLE {table} (id bigserial PRIMARY KEY, {column} {kind} NOT NULL,"
        f" number bigint DEFAULT nextval('{table}_number_seq'), touched_at timestamptz);\n"
        f"CREATE FUNCTION {table}_touch() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN NEW.touched_at := now(); RETURN NEW; END $$;\n"
        f"CREATE TRIGGER {table}_touched BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_touch();\n"
        f"CREATE VIEW open_{table} AS SELECT id FROM {table} WHERE {column} = 'new';\n"
        f"CREATE VIEW open_{table}_count AS SELECT count(*) AS n FROM open_{table};\n"
    )


@pytest.mark.parametrize(("kind", "table", "column"), NAMES)
def test_dropping_what_the_schema_still_uses_is_refused_or_cascades(
    kind: str, table: str, column: str
) -> None:
    schema = _schema(kind, table, column) + "-- migration\n"
    (message,) = _found(schema + f"DROP TYPE {kind};")
    assert f"refuses `DROP TYPE {kind}`: column `{table}.{column}`" in message
    (message,) = _found(schema + f"DROP TYPE IF EXISTS public.{kind} CASCADE;")
    assert f"`DROP TYPE {kind} CASCADE` also drops what uses it: column `{table}.{column}`" in message
    (message,) = _found(schema + f"DROP SEQUENCE {table}_number_seq CASCADE;")
    assert f"the default of `{table}.number`" in message
    (message,) = _found(schema + f"DROP SEQUENCE {table}_id_seq;")  # the serial's own sequence
    assert f"the default of `{table}.id`" in message
    (message,) = _found(schema + f"DROP FUNCTION {table}_touch() CASCADE;")
    assert f"trigger `{table}_touched` on `{table}`" in message
    (message,) = _found(schema + f"DROP VIEW open_{table};")
    assert f"view `open_{table}_count`" in message


@pytest.mark.parametrize(("kind", "table", "column"), NAMES)
def test_what_is_moved_off_first_or_unused_is_quiet(kind: str, table: str, column: str) -> None:
    schema = _schema(kind, table, column) + f"CREATE TYPE {kind}_unused AS ENUM ('x');\n-- migration\n"
    for sql in (
        f"DROP TYPE {kind}_unused;",
        f"DROP VIEW open_{table}_count;",
        f"DROP TRIGGER {table}_touched ON {table};\nDROP FUNCTION {table}_touch();",
        f"ALTER TABLE {table} ALTER COLUMN number DROP DEFAULT;\nDROP SEQUENCE {table}_number_seq;",
        # the enum swap: the old type renamed, every column moved to the new one, then the old one dropped
        f"ALTER TYPE {kind} RENAME TO {kind}_old;\nCREATE TYPE {kind} AS ENUM ('new', 'done', 'held');\n"
        f"DROP VIEW open_{table}_count;\nDROP VIEW open_{table};\n"
        f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {kind} USING {column}::text::{kind};\n"
        f"DROP TYPE {kind}_old;",
    ):
        assert not _found(schema + sql), sql


@pytest.mark.parametrize(("kind", "table", "column"), NAMES)
def test_an_extension_whose_types_or_functions_columns_use(kind: str, table: str, column: str) -> None:
    schema = (
        'CREATE EXTENSION IF NOT EXISTS citext;\nCREATE EXTENSION IF NOT EXISTS "uuid-ossp";\n'
        f"CREATE TABLE {table} (id uuid PRIMARY KEY DEFAULT uuid_generate_v4(), {column} citext);\n"
        "-- migration\n"
    )
    (message,) = _found(schema + "DROP EXTENSION citext CASCADE;")
    assert f"column `{table}.{column}`" in message
    (message,) = _found(schema + 'DROP EXTENSION "uuid-ossp";')
    assert f"the default of `{table}.id`" in message
    assert not _found(schema + "DROP EXTENSION hstore;")


def test_the_server_refuses_without_cascade_and_drops_the_column_with_it(pg: Any) -> None:
    pg.execute("CREATE TYPE mood AS ENUM ('ok', 'sad')")
    pg.execute("CREATE SEQUENCE people_number_seq")
    pg.execute("CREATE TABLE people (id int, mood mood, number bigint DEFAULT nextval('people_number_seq'))")
    pg.execute("INSERT INTO people VALUES (1, 'ok')")
    assert "other objects depend on it" in refusal(pg.execute, "DROP TYPE mood")
    assert "other objects depend on it" in refusal(pg.execute, "DROP SEQUENCE people_number_seq")
    pg.execute("DROP TYPE mood CASCADE")
    pg.execute("DROP SEQUENCE people_number_seq CASCADE")
    columns = pg.execute(
        "SELECT column_name, column_default FROM information_schema.columns"
        " WHERE table_name = 'people' AND table_schema = current_schema() ORDER BY ordinal_position"
    ).fetchall()
    assert columns == [("id", None), ("number", None)]  # the column and the default are gone


@pytest.mark.parametrize(("old", "new"), [("packages", "projects"), ("accounts_user", "users")])
def test_a_trigger_follows_its_table_through_a_rename(old: str, new: str) -> None:
    """The trigger dropped under the table's new name is gone: its function can go, and the trigger's own drop
    is judged (it kept a counter in another table)."""
    schema = (
        "CREATE TABLE row_counts (table_name text PRIMARY KEY, count bigint NOT NULL DEFAULT 0);\n"
        f"CREATE TABLE {old} (id bigint PRIMARY KEY);\n"
        "CREATE FUNCTION count_rows() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN\n"
        "  UPDATE row_counts SET count = count + 1 WHERE table_name = TG_RELNAME; RETURN NULL; END $$;\n"
        f"CREATE TRIGGER update_row_count AFTER INSERT ON {old} FOR EACH ROW EXECUTE FUNCTION count_rows();\n"
        f"ALTER TABLE {old} RENAME TO {new};\n"
        "-- migration\n"
    )
    assert not _found(schema + f"DROP TRIGGER update_row_count ON {new};\nDROP FUNCTION count_rows();")
    (message,) = _found(schema + "DROP FUNCTION count_rows();")
    assert f"trigger `update_row_count` on `{new}`" in message
    dropped = review_sql(schema + f"DROP TRIGGER update_row_count ON {new};", dialect="postgres")
    assert [f.rule for f in dropped.active if f.rule == "trigger-dropped"] == ["trigger-dropped"]


@pytest.mark.parametrize(("table", "column"), [("orders", "id"), ("invoices", "number")])
def test_a_serial_columns_sequence_is_free_once_its_default_is_dropped(
    table: str, column: str, pg: Any
) -> None:
    """Turning a serial column into an identity one: DROP DEFAULT, then DROP SEQUENCE, then ADD GENERATED … AS
    IDENTITY. The sequence is owned by the column, and nothing uses it once the default is gone: PostgreSQL 15
    drops it (shown below), while a DROP SEQUENCE that leaves the default is still refused."""
    schema = f"CREATE TABLE {table} ({column} serial PRIMARY KEY, note text);\n-- migration\n"
    drop = f"DROP SEQUENCE {table}_{column}_seq;\n"
    freed = f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT;\n" + drop
    assert not _found(schema + freed)
    (message,) = _found(schema + drop)
    assert f"the default of `{table}.{column}`" in message
    pg.execute(schema.replace("-- migration\n", ""))
    assert "other objects depend on it" in refusal(pg.execute, drop)
    pg.execute(freed)
    pg.execute(f"ALTER TABLE {table} ALTER COLUMN {column} ADD GENERATED BY DEFAULT AS IDENTITY")
