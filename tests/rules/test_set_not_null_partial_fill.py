"""SET NOT NULL after UPDATEs that fill the new column only in the rows they name (one per lookup row:
`UPDATE job SET short_name = 'LA_USUM' WHERE name = 'Update loan Summary'`). The finding says what those
UPDATEs leave NULL, never that nothing fills the column; a row the migrations inserted that none of them
names holds NULL on every database, so the statement fails there for certain."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review
from tests.conftest import review_sql

RULE = "set-not-null"
NAMES = [
    ("job", "name", ("Update loan Summary", "Loan COB", "Apply Holidays"), "short_name"),
    ("permission", "code", ("READ_LOAN", "CREATE_CLIENT", "DELETE_USER"), "grouping"),
]
DIALECTS = ["postgres", "mariadb"]


def _schema(table: str, key: str, values: tuple[str, ...]) -> str:
    rows = ", ".join(f"({i}, '{v}')" for i, v in enumerate(values, 1))
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {key} varchar(100) NOT NULL);\n"
        f"INSERT INTO {table} (id, {key}) VALUES {rows};\n"
        "-- migration\n"
    )


def _fills(table: str, key: str, column: str, values: tuple[str, ...]) -> str:
    return "".join(
        f"UPDATE {table} SET {column} = 'v{i}' WHERE {key} = '{v}';\n" for i, v in enumerate(values)
    )


def _not_null(table: str, column: str, dialect: str) -> str:
    if dialect == "postgres":
        return f"ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL;\n"
    return f"ALTER TABLE {table} MODIFY {column} varchar(8) NOT NULL;\n"


def _finding(sql: str, dialect: str, table: str) -> tuple[str, str]:
    path = "db/migrations/001_change.sql"
    found = [f for f in review_sql(sql, path=path, dialect=dialect).active if f.rule == RULE]
    assert len(found) == 1, [f.message for f in found]
    return found[0].severity, found[0].message


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(("table", "key", "values", "column"), NAMES)
def test_a_seeded_row_no_update_names_holds_null_and_fails_the_statement(
    table: str, key: str, values: tuple[str, ...], column: str, dialect: str
) -> None:
    sql = (
        _schema(table, key, values)
        + f"ALTER TABLE {table} ADD COLUMN {column} varchar(8);\n"
        + _fills(table, key, column, values[:2])
        + _not_null(table, column, dialect)
    )
    severity, message = _finding(sql, dialect, table)
    assert severity == "critical"
    assert f"`{key}` = '{values[2]}'" in message
    assert f"`{key}` = '{values[0]}'" not in message
    assert "Nothing before it fills" not in message
    assert "only in the rows their conditions pick" in message


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(("table", "key", "values", "column"), NAMES)
def test_updates_naming_every_seeded_row_leave_only_rows_added_since(
    table: str, key: str, values: tuple[str, ...], column: str, dialect: str
) -> None:
    sql = (
        _schema(table, key, values)
        + f"ALTER TABLE {table} ADD COLUMN {column} varchar(8);\n"
        + _fills(table, key, column, values)
        + _not_null(table, column, dialect)
    )
    severity, message = _finding(sql, dialect, table)
    assert severity != "critical" or dialect == "postgres"  # PostgreSQL's lock on an assumed-large table
    assert "only in the rows their conditions pick" in message
    assert "inserted are named by none" not in message
    assert "Nothing before it fills" not in message


@pytest.mark.parametrize(("table", "key", "values", "column"), NAMES)
def test_a_fill_by_any_other_condition_makes_no_claim_about_seeded_rows(
    table: str, key: str, values: tuple[str, ...], column: str
) -> None:
    """`WHERE id > 1` may reach any of the rows: the seeds cannot tell which are left."""
    sql = (
        _schema(table, key, values)
        + f"ALTER TABLE {table} ADD COLUMN {column} varchar(8);\n"
        + f"UPDATE {table} SET {column} = 'x' WHERE {key} = '{values[0]}';\n"
        + f"UPDATE {table} SET {column} = 'y' WHERE id > 1;\n"
        + _not_null(table, column, "mariadb")
    )
    severity, message = _finding(sql, "mariadb", table)
    assert severity == "warning"
    assert "inserted are named by none" not in message


@pytest.mark.parametrize(("table", "key", "values", "column"), NAMES)
def test_fills_in_an_earlier_migration_of_the_change_are_read(
    table: str, key: str, values: tuple[str, ...], column: str
) -> None:
    """The column is added and filled in one migration, made NOT NULL in the next (Liquibase's changelogs of
    one release)."""
    schema = _schema(table, key, values).replace("-- migration\n", "")
    first = f"ALTER TABLE {table} ADD COLUMN {column} varchar(8);\n" + _fills(table, key, column, values[1:])
    second = _not_null(table, column, "mariadb")
    base = {"db/migrations/001_schema.sql": schema}
    head = {**base, "db/migrations/002_fill.sql": first, "db/migrations/003_required.sql": second}
    changeset = ChangeSet(
        base="base",
        head="head",
        files=(
            ChangedFile("db/migrations/002_fill.sql", "added", None, first),
            ChangedFile("db/migrations/003_required.sql", "added", None, second),
        ),
        head_tree=MemoryTree(head),
        base_tree=MemoryTree(base),
    )
    found = [f for f in review(changeset, dialect="mariadb").active if f.rule == RULE]
    assert len(found) == 1
    assert found[0].severity == "critical"
    assert f"`{key}` = '{values[0]}'" in found[0].message
    assert "`db/migrations/002_fill.sql:" in found[0].message


@pytest.mark.parametrize(("table", "key", "values", "column"), NAMES)
def test_one_fill_is_said_in_the_singular(table: str, key: str, values: tuple[str, ...], column: str) -> None:
    sql = (
        _schema(table, key, values)
        + f"ALTER TABLE {table} ADD COLUMN {column} varchar(8);\n"
        + _fills(table, key, column, values[:1])
        + _not_null(table, column, "postgres")
    )
    _, message = _finding(sql, "postgres", table)
    assert f"The UPDATE before it (line 2) writes `{column}` only in the rows its condition picks" in message
