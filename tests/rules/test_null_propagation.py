"""null-propagation: when a value computed from one column keeps its NULLs faithfully."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql


@pytest.mark.parametrize(
    ("table", "source", "target", "expression"),
    [
        ("products", "price_dollars", "price_cents", "price_dollars * 100"),
        ("files", "size_kb", "size_bytes", "size_kb * 1024"),
    ],
)
def test_one_column_converted_into_an_empty_column_keeps_its_nulls_faithfully(
    table, source, target, expression
) -> None:  # type: ignore[no-untyped-def]
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {source} integer, {target} bigint);\n-- migration\n"
    )
    added = schema.replace(f", {target} bigint", "") + f"ALTER TABLE {table} ADD COLUMN {target} bigint;\n"
    for sql in (
        added + f"UPDATE {table} SET {target} = {expression} WHERE id BETWEEN 1 AND 1000;",
        schema
        + f"UPDATE {table} SET {target} = {expression} WHERE {target} IS NULL AND id BETWEEN 1 AND 1000;",
    ):
        assert not [f for f in review_sql(sql).active if f.rule == "null-propagation"]
    # overwriting values the column had with NULL is still reported
    overwrite = schema + f"UPDATE {table} SET {target} = {expression} WHERE id BETWEEN 1 AND 1000;"
    assert [f for f in review_sql(overwrite).active if f.rule == "null-propagation"]
