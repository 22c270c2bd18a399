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


@pytest.mark.parametrize(
    ("table", "flag", "source"), [("users", "active", "status"), ("orders", "paid", "state")]
)
def test_a_boolean_set_from_a_comparison_is_null_where_the_column_is(
    table: str, flag: str, source: str
) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {source} text, {flag} boolean);\n-- migration\n"

    def found(sql: str) -> list:  # type: ignore[type-arg]
        return [
            f for f in review_sql(schema + sql, dialect="postgres").active if f.rule == "null-propagation"
        ]

    (finding,) = found(f"UPDATE {table} SET {flag} = ({source} = 'done') WHERE id < 1000;")
    assert f"where `{source}` is NULL" in finding.message and "coalesce" in finding.fix
    for quiet in (
        f"UPDATE {table} SET {flag} = coalesce({source} = 'done', false) WHERE id < 1000;",
        f"UPDATE {table} SET {flag} = ({source} = 'done') WHERE {source} IS NOT NULL AND id < 1000;",
        f"UPDATE {table} SET {flag} = CASE WHEN {source} = 'done' THEN true ELSE false END WHERE id < 1000;",
        f"UPDATE {table} SET {flag} = ({source} IS NOT DISTINCT FROM 'done') WHERE id < 1000;",
    ):
        assert not found(quiet), quiet
