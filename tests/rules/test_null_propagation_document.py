"""null-propagation: a JSON document edited in place (`doc || …`, `jsonb_set(doc, …)`, MySQL's `JSON_SET`
and `JSON_MERGE_PATCH`) stays NULL where it was NULL: those rows never get the new keys."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("users", "prefs", "theme"), ("workspaces", "settings", "beta_features")]


def _found(sql: str, dialect: str | None = None) -> list[str]:
    return [f.message for f in review_sql(sql, dialect=dialect).active if f.rule == "null-propagation"]


@pytest.mark.parametrize(("table", "doc", "key"), NAMES)
def test_a_nullable_document_edited_in_place_is_reported(table: str, doc: str, key: str) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {doc} jsonb, label text);\n-- migration\n"
    for value in (f"{doc} || '{{\"{key}\": true}}'::jsonb", f"jsonb_set({doc}, '{{{key}}}', 'true')"):
        messages = _found(schema + f"UPDATE {table} SET {doc} = {value};")
        assert len(messages) == 1 and f"`{table}.{doc}` is edited in place" in messages[0], messages
    # a column the same migration adds is NULL on every row: the update changes nothing
    added = f"CREATE TABLE {table} (id bigint PRIMARY KEY);\n-- migration\nALTER TABLE {table} ADD COLUMN {doc} jsonb;\n"
    result = review_sql(added + f"UPDATE {table} SET {doc} = {doc} || jsonb_build_object('{key}', 1);")
    (finding,) = [f for f in result.active if f.rule == "null-propagation"]
    assert "changes nothing" in finding.blast_radius


@pytest.mark.parametrize(("table", "doc", "key"), NAMES)
def test_a_document_started_empty_guarded_or_not_null_is_quiet(table: str, doc: str, key: str) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {doc} jsonb, kept jsonb NOT NULL DEFAULT '{{}}', label text);\n-- migration\n"
    for update in (
        f"UPDATE {table} SET {doc} = coalesce({doc}, '{{}}'::jsonb) || '{{\"{key}\": true}}'::jsonb;",
        f"UPDATE {table} SET {doc} = {doc} || '{{\"{key}\": true}}'::jsonb WHERE {doc} IS NOT NULL;",
        f"UPDATE {table} SET {doc} = jsonb_set({doc}, '{{{key}}}', 'true') WHERE {doc} ? 'old_{key}';",
        f"UPDATE {table} SET kept = kept || '{{\"{key}\": true}}'::jsonb;",
        f"UPDATE {table} SET {doc} = {doc} - '{key}';",  # removing a key from NULL loses nothing
        f"UPDATE {table} SET label = label || ' (old)';",  # text: NULL stays NULL, nothing was meant for it
    ):
        assert not _found(schema + update), update


@pytest.mark.parametrize(("table", "doc", "key"), NAMES)
def test_mysql_json_functions_return_null_for_a_null_document(table: str, doc: str, key: str) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {doc} json);\n-- migration\n"
    for value in (f"JSON_SET({doc}, '$.{key}', 1)", f"JSON_MERGE_PATCH({doc}, '{{\"{key}\": 1}}')"):
        assert _found(schema + f"UPDATE {table} SET {doc} = {value};", "mysql"), value
    started = f"JSON_SET(COALESCE({doc}, JSON_OBJECT()), '$.{key}', 1)"
    assert not _found(schema + f"UPDATE {table} SET {doc} = {started};", "mysql")
