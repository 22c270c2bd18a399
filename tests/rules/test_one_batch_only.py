"""one-batch-only: an UPDATE or DELETE bounded by a LIMIT in a SQL migration changes one batch, once."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("orders", "status"), ("sessions", "expired")]


def _found(sql: str, path: str = "db/migrations/002_change.sql", dialect: str | None = None) -> list[object]:
    return [f for f in review_sql(sql, path=path, dialect=dialect).active if f.rule == "one-batch-only"]


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_mysql_update_with_a_limit(table: str, column: str) -> None:
    sql = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(20));\n-- migration\nUPDATE {table} SET {column} = 'x' WHERE {column} IS NULL LIMIT 1000;"
    (finding,) = _found(sql, dialect="mysql")
    assert "1,000" in finding.message and f"`{table}`" in finding.message  # type: ignore[attr-defined]


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_postgres_delete_of_a_limited_sub_query_of_the_same_table(table: str, column: str) -> None:
    sql = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n-- migration\n"
        f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE {column} = 'x' LIMIT 5000);"
    )
    assert _found(sql)
    assert _found(sql, path="prisma/migrations/20260101000000_purge/migration.sql")


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM {t} WHERE {c} = 'x';",  # every row
        "UPDATE {t} SET {c} = 'y' WHERE id IN (SELECT id FROM {t} WHERE {c} = 'x' ORDER BY id LIMIT 1);",  # one row
        # a loop runs the batches until none is left
        "DO $$\nBEGIN\n  LOOP\n    DELETE FROM {t} WHERE id IN (SELECT id FROM {t} WHERE {c} = 'x' LIMIT 5000);\n"
        "    EXIT WHEN NOT FOUND;\n  END LOOP;\nEND $$;",
    ],
)
def test_every_row_or_a_loop_is_quiet(table: str, column: str, statement: str) -> None:
    sql = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n-- migration\n" + statement.format(
        t=table, c=column
    )
    assert not _found(sql)


def test_code_that_can_loop_over_the_statement_is_left_to_its_reader() -> None:
    text = (
        "class PurgeSessions < ActiveRecord::Migration[7.1]\n  def up\n    loop do\n"
        '      deleted = execute("DELETE FROM sessions WHERE expired LIMIT 5000").cmd_tuples\n'
        "      break if deleted.zero?\n    end\n  end\nend\n"
    )
    base = {"db/structure.sql": "CREATE TABLE sessions (id bigint PRIMARY KEY, expired boolean);\n"}
    result = review_sql(text, path="db/migrate/20260101000000_purge_sessions.rb", base=base, dialect="mysql")
    assert "one-batch-only" not in {f.rule for f in result.active}
