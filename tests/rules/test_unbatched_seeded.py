"""An UPDATE or DELETE that names, by its values, a row the migrations inserted (a jobs, settings or roles
table they fill) changes the lookup rows every database has: no bulk change to batch."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

RULE = "unbatched-data-change"
NAMES = [
    ("job", "name", "Update loan Summary", "short_name"),
    ("c_configuration", "name", "enable-payment-hub", "enabled"),
    ("roles", "code", "admin", "label"),
]


def _schema(table: str, key: str, value: str, column: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {key} varchar(100) NOT NULL, {column} text);\n"
        f"INSERT INTO {table} (id, {key}, {column}) VALUES (1, '{value}', NULL), (2, 'other', NULL);\n"
        "-- migration\n"
    )


@pytest.mark.parametrize(("table", "key", "value", "column"), NAMES)
def test_a_row_the_migrations_inserted_named_by_its_values_is_no_bulk_change(
    table: str, key: str, value: str, column: str
) -> None:
    sql = _schema(table, key, value, column) + f"UPDATE {table} SET {column} = 'x' WHERE {key} = '{value}';"
    assert RULE not in {f.rule for f in review_sql(sql).active}


@pytest.mark.parametrize(("table", "key", "value", "column"), NAMES)
def test_a_value_no_migration_inserted_may_match_any_number_of_rows(
    table: str, key: str, value: str, column: str
) -> None:
    sql = _schema(table, key, value, column) + f"UPDATE {table} SET {column} = 'x' WHERE {key} = 'unknown';"
    assert RULE in {f.rule for f in review_sql(sql).active}


@pytest.mark.parametrize(("table", "key", "value", "column"), NAMES)
def test_a_delete_of_another_seeded_row_by_its_value_keeps_the_rest_known(
    table: str, key: str, value: str, column: str
) -> None:
    """A later migration deleted one lookup row by its value (`DELETE FROM job WHERE name = 'other'`): the rows
    it left are still the ones every database has. A DELETE of every row leaves none known."""
    base = {"db/migrations/001_prune.sql": f"DELETE FROM {table} WHERE {key} = 'other';\n"}
    sql = _schema(table, key, value, column) + f"UPDATE {table} SET {column} = 'x' WHERE {key} = '{value}';"
    path = "db/migrations/002_change.sql"
    assert RULE not in {f.rule for f in review_sql(sql, path=path, base=base).active}
    emptied = {"db/migrations/001_prune.sql": f"DELETE FROM {table} WHERE id > 0;\n"}
    assert RULE in {f.rule for f in review_sql(sql, path=path, base=emptied).active}


@pytest.mark.parametrize(("table", "key", "value", "column"), NAMES)
@pytest.mark.parametrize("deleted", ["'other'", "'unknown'"])
def test_a_lookup_row_a_later_migration_deleted_is_still_no_bulk_change(
    table: str, key: str, value: str, column: str, deleted: str
) -> None:
    """fineract deleted its 'Update loan Summary' job in 0014 and gave it a short name by that name in 0145 (an
    UPDATE that matches nothing now): a lookup row's value, never a bulk of rows. A value no migration ever
    inserted may still match any number."""
    base = {"db/migrations/001_prune.sql": f"DELETE FROM {table} WHERE {key} = 'other';\n"}
    sql = _schema(table, key, value, column) + f"UPDATE {table} SET {column} = 'x' WHERE {key} = {deleted};"
    path = "db/migrations/002_change.sql"
    flagged = RULE in {f.rule for f in review_sql(sql, path=path, base=base).active}
    assert flagged is (deleted == "'unknown'")
