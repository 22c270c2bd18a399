"""`table-renamed`: what is a table's rename and what is not."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql


@pytest.mark.parametrize(
    ("table", "renamed"),
    [("extras_customfield_content_types", "extras_customfield_object_types"), ("orders", "purchases")],
)
@pytest.mark.parametrize("sequence", [True, False])
def test_the_sequence_of_a_serial_column_renamed_with_alter_table_is_no_table(
    table: str, renamed: str, sequence: bool
) -> None:
    """NetBox renames `…_content_types_id_seq` with `ALTER TABLE IF EXISTS … RENAME TO …` after renaming the
    join table: a sequence, which the column's default names by oid; the table itself is still reported."""
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, note text);\n-- migration\n"
    old, new = (f"{table}_id_seq", f"{renamed}_id_seq") if sequence else (table, renamed)
    result = review_sql(schema + f"ALTER TABLE IF EXISTS {old} RENAME TO {new};\n", dialect="postgres")
    assert ("table-renamed" in {f.rule for f in result.active}) is not sequence


@pytest.mark.parametrize(
    ("table", "schema", "code"),
    [
        (
            "tokens",
            "private",
            'defmodule Tokens do\n  def all, do: Repo.query!("SELECT access FROM tokens")\nend\n',
        ),
        (
            "audit_events",
            "archive",
            "def events(cursor):\n    cursor.execute('SELECT * FROM audit_events')\n",
        ),
    ],
)
def test_a_table_moved_to_another_schema_breaks_the_running_release_as_a_rename(
    table: str, schema: str, code: str
) -> None:
    path = "lib/tokens.ex" if code.startswith("defmodule") else "app/events.py"
    result = review_sql(
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, access text);\n-- migration\n"
        f"CREATE SCHEMA IF NOT EXISTS {schema};\nALTER TABLE public.{table} SET SCHEMA {schema};\n",
        base={path: code},
    )
    [moved] = [f for f in result.findings if f.rule == "table-renamed"]
    assert f"Table `{table}` is moved to schema `{schema}` (`{schema}.{table}`)" in moved.message
    assert any(r.path == path for r in moved.references), moved.references
    assert moved.line == 2


@pytest.mark.parametrize(
    "statement", ["ALTER VIEW {t}_summary SET SCHEMA reporting", "ALTER TABLE {t} SET SCHEMA public"]
)
def test_a_view_moved_or_a_table_left_in_its_schema_is_no_table_rename(statement: str) -> None:
    for table in ("tokens", "audit_events"):
        result = review_sql(
            f"CREATE TABLE {table} (id bigint PRIMARY KEY);\nCREATE VIEW {table}_summary AS SELECT id FROM {table};\n"
            f"-- migration\n{statement.format(t=table)};\n"
        )
        assert "table-renamed" not in {f.rule for f in result.findings}
