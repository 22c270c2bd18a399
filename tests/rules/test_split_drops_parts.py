"""split-drops-parts: a value split into columns by numbered parts keeps only those parts."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

RULE = "split-drops-parts"
NAMES = [("users", "name", "first_name", "last_name", "' '"), ("places", "address", "street", "city", "', '")]


def _found(sql: str, dialect: str | None = None) -> list[str]:
    return [f.message for f in review_sql(sql, dialect=dialect).active if f.rule == RULE]


def _schema(table: str, source: str, a: str, b: str, text: str = "text") -> str:
    return f"CREATE TABLE {table} (id bigint PRIMARY KEY, {source} {text}, {a} {text}, {b} {text}, email {text});\n-- migration\n"


@pytest.mark.parametrize(("table", "source", "a", "b", "sep"), NAMES)
def test_numbered_parts_into_columns_lose_the_rest(table: str, source: str, a: str, b: str, sep: str) -> None:
    schema = _schema(table, source, a, b)
    for sql in (
        f"UPDATE {table} SET {a} = split_part({source}, {sep}, 1), {b} = trim(split_part({source}, {sep}, 2));",
        f"UPDATE {table} SET {a} = (string_to_array({source}, {sep}))[1], {b} = (string_to_array({source}, {sep}))[2];",
        # one statement per column: the same split
        f"UPDATE {table} SET {a} = split_part({source}, {sep}, 1);\nUPDATE {table} SET {b} = split_part({source}, {sep}, 2);",
    ):
        (message,) = _found(schema + sql)
        assert f"parts of `{source}` split on {sep}" in message and "after the second" in message, message
    mysql = _schema(table, source, a, b, "varchar(200)")
    for second in (
        f"SUBSTRING_INDEX(SUBSTRING_INDEX({source}, {sep}, 2), {sep}, -1)",
        f"SUBSTRING_INDEX({source}, {sep}, -1)",
    ):
        sql = f"UPDATE {table} SET {a} = SUBSTRING_INDEX({source}, {sep}, 1), {b} = {second};"
        assert _found(mysql + sql, "mysql"), sql


@pytest.mark.parametrize(("table", "source", "a", "b", "sep"), NAMES)
def test_the_rest_taken_a_shape_chosen_or_one_part_derived_is_quiet(
    table: str, source: str, a: str, b: str, sep: str
) -> None:
    schema = _schema(table, source, a, b)
    for sql in (
        f"UPDATE {table} SET {a} = split_part({source}, {sep}, 1), {b} = substr({source}, length(split_part({source}, {sep}, 1)) + 2);",
        f"UPDATE {table} SET {a} = split_part({source}, {sep}, 1), {b} = split_part({source}, {sep}, 2) WHERE {source} ~ '^[^ ]+ [^ ]+$';",
        f"UPDATE {table} SET {a} = split_part(email, '@', 2);",  # one part: a value derived, not a split
    ):
        assert not _found(schema + sql), sql
    mysql = _schema(table, source, a, b, "varchar(200)")
    sql = f"UPDATE {table} SET {a} = SUBSTRING_INDEX({source}, {sep}, 1), {b} = TRIM(SUBSTRING({source}, LOCATE({sep}, {source}) + 1));"
    assert not _found(mysql + sql, "mysql")
