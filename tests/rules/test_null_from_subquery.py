"""A SET from a correlated scalar sub-query writes NULL where the sub-query finds no row."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql
from tests.rules.test_data_expressions import FRAMEWORKS

SCHEMA = """CREATE TABLE {parents} (id bigint PRIMARY KEY, {value} text);
CREATE TABLE {rows} (id bigint PRIMARY KEY, {parent}_id bigint, {value} text, required_{value} text NOT NULL DEFAULT '',
  owner_id bigint NOT NULL REFERENCES {parents} (id));
"""
NAMES = [
    {"parents": "customers", "parent": "customer", "rows": "orders", "value": "region"},
    {"parents": "teams", "parent": "team", "rows": "players", "value": "colour"},
]


def _found(names: dict[str, str], sql: str, framework) -> list[Finding]:  # type: ignore[no-untyped-def]
    path, text = framework(sql.format(**names))
    result = review_sql(text, path=path, base={"db/structure.sql": SCHEMA.format(**names)})
    return [f for f in result.active if f.rule == "null-from-subquery"]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_correlated_subquery_without_a_guard(names: dict[str, str], framework) -> None:  # type: ignore[no-untyped-def]
    bad = "UPDATE {rows} r SET {value} = (SELECT p.{value} FROM {parents} p WHERE p.id = r.{parent}_id);"
    found = _found(names, bad, framework)
    assert len(found) == 1 and found[0].severity is Severity.WARNING
    assert f"no `{names['parents']}` row" in found[0].message
    good = bad.replace(";", " WHERE EXISTS (SELECT 1 FROM {parents} p WHERE p.id = r.{parent}_id);")
    assert not _found(names, good, framework)


@pytest.mark.parametrize("names", NAMES)
def test_not_null_target_fails_and_guards_that_keep_the_value(names: dict[str, str]) -> None:
    goose = FRAMEWORKS[0]
    failing = "UPDATE {rows} r SET required_{value} = (SELECT p.{value} FROM {parents} p WHERE p.id = r.{parent}_id);"
    assert [f.severity for f in _found(names, failing, goose)] == [Severity.CRITICAL]
    quiet = [
        "UPDATE {rows} r SET {value} = coalesce((SELECT p.{value} FROM {parents} p WHERE p.id = r.{parent}_id), r.{value});",
        "UPDATE {rows} r SET {value} = (SELECT p.{value} FROM {parents} p WHERE p.id = r.{parent}_id) WHERE {value} IS NULL;",
        "UPDATE {rows} r SET {value} = (SELECT count(*) FROM {parents} p WHERE p.id = r.{parent}_id);",
        "UPDATE {rows} r SET {value} = (SELECT p.{value} FROM {parents} p WHERE p.id = r.owner_id);",  # NOT NULL key
        "UPDATE {rows} r SET {value} = p.{value} FROM {parents} p WHERE p.id = r.{parent}_id;",
    ]
    for sql in quiet:
        assert not _found(names, sql, goose), sql
