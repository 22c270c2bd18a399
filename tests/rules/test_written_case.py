"""Names a migration writes in camelCase without quotes: the database folds them (PostgreSQL to lower case;
MySQL's columns and SQLite's names compare without case), and code still names them as written."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("userAccounts", "displayName", "fullName"), ("orderLines", "unitPrice", "priceCents")]


def _code(table: str, column: str) -> dict[str, str]:
    return {
        "src/queries.js": (
            "export async function load(db, id) {\n"
            f'  return db.query("SELECT id, {column} FROM {table} WHERE id = ?", [id]);\n'
            "}\n"
        )
    }


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
@pytest.mark.parametrize("dialect", ["mysql", "sqlite", "postgres"])
def test_a_dropped_camel_case_column_is_found_in_the_code_that_writes_it_so(
    dialect: str, table: str, column: str, other: str
) -> None:
    schema = f"CREATE TABLE {table} (id integer PRIMARY KEY, {column} integer, {other} integer);\n"
    result = review_sql(
        f"{schema}-- migration\nALTER TABLE {table} DROP COLUMN {column};\n",
        dialect=dialect,
        head=_code(table, column),
    )
    [dropped] = [f for f in result.active if f.rule == "column-dropped"]
    assert dropped.severity.value == "critical"
    assert [(r.path, r.line) for r in dropped.references] == [("src/queries.js", 2)]
    # the code reads another column: nothing uses the dropped one
    kept = review_sql(
        f"{schema}-- migration\nALTER TABLE {table} DROP COLUMN {column};\n",
        dialect=dialect,
        head=_code(table, other),
    )
    [dropped] = [f for f in kept.active if f.rule == "column-dropped"]
    assert dropped.references == ()


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_a_renamed_camel_case_column_is_found_where_the_code_still_reads_the_old_name(
    table: str, column: str, other: str
) -> None:
    schema = f"CREATE TABLE {table} (id integer PRIMARY KEY, {column} integer);\n"
    sql = f"{schema}-- migration\nALTER TABLE {table} RENAME COLUMN {column} TO {other};\n"
    result = review_sql(sql, dialect="mysql", head=_code(table, column))
    [renamed] = [f for f in result.active if f.rule == "column-renamed"]
    assert [(r.path, r.line) for r in renamed.references] == [("src/queries.js", 2)]


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_a_dropped_camel_case_table_is_found_in_the_code_that_writes_it_so(
    table: str, column: str, other: str
) -> None:
    schema = f"CREATE TABLE {table} (id integer PRIMARY KEY, {column} integer);\n"
    result = review_sql(
        f"{schema}-- migration\nDROP TABLE {table};\n", dialect="mysql", head=_code(table, column)
    )
    [dropped] = [f for f in result.active if f.rule == "table-dropped"]
    assert ("src/queries.js", 2) in [(r.path, r.line) for r in dropped.references]
