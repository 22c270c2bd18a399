"""constraint-not-valid: what the validation under lock can find, said for what the migration did before."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("orders", "customers", "customer_id"), ("tickets", "queues", "queue_id")]


def _blast(sql: str) -> list[str]:
    return [f.blast_radius for f in review_sql(sql).active if f.rule == "constraint-not-valid"]


@pytest.mark.parametrize(("table", "parent", "column"), NAMES)
def test_a_foreign_key_dropped_and_added_again_with_another_on_delete_finds_no_orphan(
    table: str, parent: str, column: str
) -> None:
    schema = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n"
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} bigint, other_id bigint);\n"
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_fkey FOREIGN KEY ({column}) REFERENCES {parent} (id);\n"
        "-- migration\n"
    )
    drop = f"ALTER TABLE {table} DROP CONSTRAINT {table}_{column}_fkey;\n"
    again = (
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_fkey FOREIGN KEY ({column}) REFERENCES {parent} (id) "
        "ON DELETE CASCADE;"
    )
    [blast] = _blast(schema + drop + again)
    assert (
        f"no row can be an orphan (`{table}_{column}_fkey`, the same key" in blast
        and "every row is read" in blast
    )
    # another column, or no key dropped before: rows may be orphans
    other = again.replace(f"({column}) REFERENCES", "(other_id) REFERENCES")
    assert ["the migration fails on the first orphan row" in b for b in _blast(schema + drop + other)] == [
        True
    ]
    second = again.replace(f"{table}_{column}_fkey FOREIGN", f"{table}_{column}_cascade_fkey FOREIGN")
    assert ["the migration fails on the first orphan row" in b for b in _blast(schema + second)] == [True]


@pytest.mark.parametrize(
    ("table", "column"), [("comments", "parent_id"), ("categories", "parent_category_id")]
)
def test_a_key_to_its_own_table_names_the_table_once(table: str, column: str) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} bigint);\n-- migration\n"
    key = f"ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_fkey FOREIGN KEY ({column}) REFERENCES {table} (id);"
    [blast] = _blast(schema + key)
    assert blast.startswith(f"Writes to `{table}` (size unknown, assumed large) wait"), blast
