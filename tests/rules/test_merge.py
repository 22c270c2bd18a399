"""MERGE (PostgreSQL 15+) read into the same write analysis as UPDATE, INSERT … SELECT and DELETE: each WHEN
clause is judged like the statement it performs."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding
from tests.conftest import review_sql
from tests.rules.test_data_expressions import FRAMEWORKS, NAMES, SCHEMA

STAGED = "CREATE TABLE staged (id bigint PRIMARY KEY, {first} text, {last} text, {ref} bigint, kind text);\n"


def _review(names: dict[str, str], sql: str, framework):  # type: ignore[no-untyped-def]
    path, text = framework(sql.format(**names))
    schema = (SCHEMA + STAGED).format(**names)
    return review_sql(text, path=path, base={"db/structure.sql": schema})


def _rules(result, rule: str) -> list[Finding]:  # type: ignore[no-untyped-def]
    return [f for f in result.active if f.rule == rule]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_merge_update_is_read_like_an_update(names: dict[str, str], framework) -> None:  # type: ignore[no-untyped-def]
    bad = (
        "MERGE INTO {people} p USING staged s ON p.id = s.id"
        " WHEN MATCHED THEN UPDATE SET {full} = s.{first} || ' ' || s.{last};"
    )
    found = _rules(_review(names, bad, framework), "null-propagation")
    assert found and f"`{names['first']}` or `{names['last']}`" in found[0].message
    good = (
        "MERGE INTO {people} p USING staged s ON p.id = s.id"
        " WHEN MATCHED THEN UPDATE SET {full} = concat_ws(' ', s.{first}, s.{last});"
    )
    assert not _rules(_review(names, good, framework), "null-propagation")


@pytest.mark.parametrize("names", NAMES)
def test_merge_insert_and_delete(names: dict[str, str]) -> None:
    swapped = (
        "MERGE INTO {people} p USING staged s ON p.id = s.id"
        " WHEN NOT MATCHED THEN INSERT (id, {first}, {last}) VALUES (s.id, s.{last}, s.{first});"
    )
    assert _rules(_review(names, swapped, FRAMEWORKS[0]), "swapped-values")
    straight = swapped.replace("s.{last}, s.{first}", "s.{first}, s.{last}")
    assert not _rules(_review(names, straight, FRAMEWORKS[0]), "swapped-values")
    deleting = (
        "MERGE INTO {people} p USING staged s ON p.id = s.id WHEN MATCHED AND s.kind = 'gone' THEN DELETE;"
    )
    found = _rules(_review(names, deleting, FRAMEWORKS[0]), "cascading-delete")
    assert found and names["child"] in found[0].message


def test_merge_values_are_judged_against_the_schema() -> None:
    schema = (
        "CREATE TABLE orders (id bigint PRIMARY KEY, status text CHECK (status IN ('open', 'paid')));\n"
        "CREATE TABLE incoming (id bigint PRIMARY KEY, paid boolean);\n-- migration\n"
    )
    merge = (
        "MERGE INTO orders o USING incoming i ON o.id = i.id WHEN MATCHED AND i.paid THEN UPDATE SET status = '{v}'"
        " WHEN NOT MATCHED THEN INSERT (id, status) VALUES (i.id, 'open');"
    )
    found = [
        f for f in review_sql(schema + merge.format(v="settled")).active if f.rule == "value-not-allowed"
    ]
    assert found and "'settled'" in found[0].message
    assert not [
        f for f in review_sql(schema + merge.format(v="paid")).active if f.rule == "value-not-allowed"
    ]
