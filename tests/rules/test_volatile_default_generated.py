"""A STORED generated column is computed for every existing row when added; PostgreSQL 18's VIRTUAL one
(its default when neither word is written) is computed when read and rewrites nothing."""

from __future__ import annotations

import pytest

from bot.model.config import Config
from bot.model.findings import Finding
from tests.conftest import review_sql

NAMES = [
    ("releases", "version", "sort_key"),
    ("orders", "total", "total_cents"),
    ("users", "email", "domain"),
]


def _found(sql: str) -> list[Finding]:
    config = Config(database_version="18")
    return [f for f in review_sql(sql, config=config).active if f.rule == "volatile-default"]


def _schema(table: str, source: str) -> str:
    return f"CREATE TABLE {table} (id bigint PRIMARY KEY, {source} text);\n-- migration\n"


@pytest.mark.parametrize(("table", "source", "column"), NAMES)
def test_a_stored_generated_column_rewrites_the_table(table: str, source: str, column: str) -> None:
    sql = _schema(table, source) + (
        f"ALTER TABLE {table} ADD COLUMN {column} text GENERATED ALWAYS AS (lower({source})) STORED;"
    )
    [finding] = _found(sql)
    assert f"`{table}.{column}` (a stored generated expression) is added" in finding.message
    assert "VIRTUAL" in (finding.fix or "") and "trigger" in (finding.fix or "")


@pytest.mark.parametrize(("table", "source", "column"), NAMES)
@pytest.mark.parametrize("kind", [" VIRTUAL", ""])
def test_a_virtual_generated_column_rewrites_nothing(table: str, source: str, column: str, kind: str) -> None:
    sql = _schema(table, source) + (
        f"ALTER TABLE {table} ADD COLUMN {column} text GENERATED ALWAYS AS (lower({source})){kind};"
    )
    assert not _found(sql)


@pytest.mark.parametrize(("table", "source", "column"), NAMES)
def test_columns_added_by_one_statement_are_one_rewrite(table: str, source: str, column: str) -> None:
    sql = _schema(table, source) + (
        f"ALTER TABLE {table}\n  ADD COLUMN {column} text GENERATED ALWAYS AS (lower({source})) STORED,\n"
        f"  ADD COLUMN {column}_set boolean GENERATED ALWAYS AS ({source} IS NOT NULL) STORED;"
    )
    [finding] = _found(sql)
    assert f"`{table}.{column}`" in finding.message and f"`{table}.{column}_set`" in finding.message
    assert " are added" in finding.message


@pytest.mark.parametrize(("table", "source", "column"), NAMES)
def test_a_volatile_default_keeps_the_default_fix(table: str, source: str, column: str) -> None:
    sql = _schema(table, source) + f"ALTER TABLE {table} ADD COLUMN {column} uuid DEFAULT gen_random_uuid();"
    [finding] = _found(sql)
    assert "default `gen_random_uuid()`" in finding.message.lower() and "trigger" not in (finding.fix or "")


@pytest.mark.parametrize(("table", "source", "column"), NAMES)
def test_columns_added_by_one_statement_of_an_ecto_execute_are_one_rewrite(
    table: str, source: str, column: str
) -> None:
    migration = (
        "defmodule App.Repo.Migrations.AddKeys do\n  use Ecto.Migration\n\n  def up do\n"
        f'    execute("""\n    ALTER TABLE {table}\n'
        f"    ADD COLUMN {column} text GENERATED ALWAYS AS (lower({source})) STORED NOT NULL,\n"
        f"    ADD COLUMN {column}_set boolean GENERATED ALWAYS AS ({source} IS NOT NULL) STORED\n"
        '    """)\n  end\nend\n'
    )
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {source} text);\n"
    result = review_sql(
        migration,
        path="priv/repo/migrations/20260814120000_add_keys.exs",
        base={"priv/repo/structure.sql": schema},
        config=Config(database_version="18"),
    )
    [finding] = [f for f in result.active if f.rule == "volatile-default"]
    assert f"`{table}.{column}`" in finding.message and f"`{table}.{column}_set`" in finding.message
