"""`jsonb_set(doc, path, value)` returns NULL when `value` is NULL: a new value read from a key the document
may lack, or from a nullable column, replaces the whole document of those rows with NULL."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding
from tests.conftest import review_sql

RULE = "null-propagation"
NAMES = [
    ("widgets", "options", "position", "col"),
    ("devices", "settings", "screen", "width"),
    ("users", "prefs", "ui", "zoom"),
]


def _found(table: str, column: str, update: str) -> list[Finding]:
    sql = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} jsonb, factor int, fixed int NOT NULL);\n"
        f"-- migration\n{update}"
    )
    return [f for f in review_sql(sql).active if f.rule == RULE]


@pytest.mark.parametrize(("table", "column", "outer", "key"), NAMES)
def test_a_new_value_from_a_key_the_document_may_lack_empties_the_document(
    table: str, column: str, outer: str, key: str
) -> None:
    update = (
        f"UPDATE {table} SET {column} = jsonb_set({column}, '{{{outer},{key}}}', "
        f"to_jsonb(({column}->'{outer}'->>'{key}')::int * 2));"
    )
    [finding] = _found(table, column, update)
    assert f"`{table}.{column}` is set with `jsonb_set`" in finding.message and f"'{key}'" in finding.message
    assert "jsonb_set_lax" in (finding.fix or "")


@pytest.mark.parametrize(("table", "column", "outer", "key"), NAMES)
def test_a_nullable_column_as_the_new_value_empties_the_document(
    table: str, column: str, outer: str, key: str
) -> None:
    update = f"UPDATE {table} SET {column} = jsonb_set({column}, '{{{outer},{key}}}', to_jsonb(factor));"
    [finding] = _found(table, column, update)
    assert "`factor` is NULL" in finding.message


@pytest.mark.parametrize(("table", "column", "outer", "key"), NAMES)
@pytest.mark.parametrize(
    "value",
    [
        "coalesce(to_jsonb(({column}->'{outer}'->>'{key}')::int * 2), 'null'::jsonb)",
        "to_jsonb(fixed)",
        "'2'::jsonb",
    ],
)
def test_a_value_that_is_never_null_keeps_the_document(
    table: str, column: str, outer: str, key: str, value: str
) -> None:
    new = value.format(column=column, outer=outer, key=key)
    update = f"UPDATE {table} SET {column} = jsonb_set({column}, '{{{outer},{key}}}', {new});"
    # (a document that is itself NULL stays NULL: that is a finding of its own, test_null_propagation_document)
    assert not [f for f in _found(table, column, update) if "is set with `jsonb_set`" in f.message]


@pytest.mark.parametrize(("table", "column", "outer", "key"), NAMES)
def test_rows_without_the_key_kept_out_keep_their_document(
    table: str, column: str, outer: str, key: str
) -> None:
    update = (
        f"UPDATE {table} SET {column} = jsonb_set({column}, '{{{outer},{key}}}', "
        f"to_jsonb(({column}->'{outer}'->>'{key}')::int * 2)) WHERE {column}->'{outer}' ? '{key}';"
    )
    assert not _found(table, column, update)


@pytest.mark.parametrize(("table", "column", "outer", "key"), NAMES)
def test_a_key_moved_by_an_arrow_written_straight_as_the_new_value(
    table: str, column: str, outer: str, key: str
) -> None:
    """`jsonb_set(doc - 'old', '{new}', doc -> 'old')`, the usual rename of a key: an arrow among a function's
    arguments is a JSON extraction (no lambda), NULL in every document without the old key."""
    rename = (
        f"UPDATE {table} SET {column} = jsonb_set({column} - '{key}', '{{{outer}}}', {column} -> '{key}')"
    )
    [finding] = _found(table, column, rename + ";")
    assert f"`{column} -> '{key}'`" in finding.message
    assert not _found(table, column, rename + f" WHERE {column} ? '{key}';")
