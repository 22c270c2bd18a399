"""A DELETE with no WHERE empties the table: unbatched-data-change says so, and without a way back it loses data as
surely as a TRUNCATE (missing-down-migration is critical). A DELETE of chosen rows keeps its warnings."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("orders", "status"), ("audit_events", "kind")]


def _found(sql: str, dialect: str) -> dict[str, tuple[str, str]]:
    return {f.rule: (f.severity.value, f.message) for f in review_sql(sql, dialect=dialect).active}


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_a_delete_of_every_row_empties_the_table(table: str, column: str, dialect: str) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(20));\n-- migration\n"
    found = _found(schema + f"DELETE FROM {table};", dialect)
    assert found["unbatched-data-change"] == (
        "critical",
        f"`DELETE FROM {table}` has no WHERE: it deletes every row of the table, in one statement.",
    )
    assert found["missing-down-migration"][0] == "critical"


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_a_delete_of_chosen_rows_stays_a_warning(table: str, column: str, dialect: str) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(20));\n-- migration\n"
    found = _found(schema + f"DELETE FROM {table} WHERE {column} = 'test';", dialect)
    assert (
        found["unbatched-data-change"][0] == "warning"
        and "has no WHERE" not in found["unbatched-data-change"][1]
    )
    assert found["missing-down-migration"][0] == "warning"
