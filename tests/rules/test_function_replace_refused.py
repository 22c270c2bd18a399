"""function-replace-refused: `CREATE OR REPLACE FUNCTION` over an existing function with another result or other
parameter names fails on PostgreSQL (shown on the real server below); the same result, another argument list (an
overload) or a DROP first are quiet."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

RULE = "function-replace-refused"
NAMES = [("user_score", "users", "uid"), ("order_total", "orders", "order_id")]


def _schema(function: str, table: str, parameter: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, score int);\n"
        f"CREATE FUNCTION {function}({parameter} bigint) RETURNS int LANGUAGE sql AS "
        f"$$ SELECT score FROM {table} WHERE id = {parameter} $$;\n"
    )


def _found(sql: str) -> list[str]:
    return [f.message for f in review_sql(sql, dialect="postgres").active if f.rule == RULE]


@pytest.mark.parametrize(("function", "table", "parameter"), NAMES)
def test_a_replacement_that_changes_the_result_or_the_names_is_refused(
    function: str, table: str, parameter: str
) -> None:
    schema = _schema(function, table, parameter) + "-- migration\n"
    body = f"LANGUAGE sql AS $$ SELECT score FROM {table} WHERE id = 1 $$;"
    (message,) = _found(
        schema + f"CREATE OR REPLACE FUNCTION {function}({parameter} bigint) RETURNS bigint {body}"
    )
    assert "from `integer` to `bigint`" in message and "cannot change return type" in message
    (message,) = _found(
        schema + f"CREATE OR REPLACE FUNCTION {function}({parameter} bigint) RETURNS TABLE (s int) {body}"
    )
    assert "to `(s integer)`" in message
    (message,) = _found(schema + f"CREATE OR REPLACE FUNCTION {function}(other_id bigint) RETURNS int {body}")
    assert f"from ({parameter}) to (other_id)" in message


@pytest.mark.parametrize(("function", "table", "parameter"), NAMES)
def test_the_same_result_an_overload_or_a_drop_first_are_quiet(
    function: str, table: str, parameter: str
) -> None:
    schema = _schema(function, table, parameter) + "-- migration\n"
    body = f"LANGUAGE sql AS $$ SELECT score FROM {table} WHERE id = 1 $$;"
    for sql in (
        f"CREATE OR REPLACE FUNCTION {function}({parameter} bigint) RETURNS integer {body}",
        f"CREATE OR REPLACE FUNCTION {function}({parameter} int) RETURNS bigint {body}",  # an overload
        f"DROP FUNCTION {function}(bigint);\nCREATE OR REPLACE FUNCTION {function}({parameter} bigint) RETURNS bigint {body}",
        f"CREATE OR REPLACE FUNCTION {function}_v2({parameter} bigint) RETURNS bigint {body}",
    ):
        assert not _found(schema + sql), sql


def test_postgres_refuses_both(pg: Any) -> None:
    import psycopg

    for statement in _schema("frr_score", "frr_users", "uid").strip().split(";\n"):
        pg.execute(statement)
    with pytest.raises(psycopg.errors.InvalidFunctionDefinition, match="return type"):
        pg.execute(
            "CREATE OR REPLACE FUNCTION frr_score(uid bigint) RETURNS bigint LANGUAGE sql AS $$ SELECT 1::bigint $$"
        )
    with pytest.raises(psycopg.errors.InvalidFunctionDefinition, match="name of input parameter"):
        pg.execute(
            "CREATE OR REPLACE FUNCTION frr_score(other bigint) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$"
        )
