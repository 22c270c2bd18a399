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


SYNC = (
    "MERGE INTO {people} p USING staged s ON p.id = s.id"
    " WHEN MATCHED THEN UPDATE SET {first} = s.{first}"
    " WHEN NOT MATCHED BY SOURCE AND p.{last} = 'keep' THEN UPDATE SET {full} = 'detached'"
    " WHEN NOT MATCHED BY SOURCE THEN DELETE;"
)


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_merge_not_matched_by_source_deletes_the_rows_the_source_lacks(
    names: dict[str, str], framework
) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL 17's `WHEN NOT MATCHED BY SOURCE THEN DELETE` removes every row of the target that the
    source does not hold (not the matched ones), and the cascade with them; the backup keeps exactly those."""
    result = _review(names, SYNC, framework)
    people, child = names["people"], names["child"]
    found = _rules(result, "cascading-delete")
    assert found and child in found[0].message
    unbatched = [f.message for f in _rules(result, "unbatched-data-change") if "DELETE" in f.message]
    assert unbatched and "NOT EXISTS(SELECT 1 FROM staged" in unbatched[0]
    commands = [s.command for s in result.rollback_plan]
    backup = next(c for c in commands if c.startswith(f"CREATE TABLE {people}_backup "))
    assert "NOT EXISTS(SELECT 1 FROM staged AS s" in backup
    # the DELETE clause only gets the rows the conditional clause before it did not take
    assert f"NOT ({people}.{names['last']} = 'keep') IS TRUE" in backup
    assert any(c.startswith(f"CREATE TABLE {child}_cascade_backup ") and "NOT EXISTS" in c for c in commands)
    detached = next(c for c in commands if c.startswith(f"CREATE TABLE {people}_{names['full']}_backup "))
    assert (
        f"NOT EXISTS(SELECT 1 FROM staged AS s WHERE {people}.id = s.id) AND {people}.{names['last']} = 'keep'"
        in detached
    )


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_merge_without_by_source_deletes_nothing(names: dict[str, str], framework) -> None:  # type: ignore[no-untyped-def]
    matched = SYNC.split(" WHEN NOT MATCHED BY SOURCE")[0] + ";"
    result = _review(names, matched, framework)
    assert not _rules(result, "cascading-delete")
    assert not [
        s for s in result.rollback_plan if s.command.startswith(f"CREATE TABLE {names['people']}_backup")
    ]


@pytest.mark.parametrize("names", NAMES)
def test_merge_by_source_delete_is_lost_on_rollback(names: dict[str, str]) -> None:
    deleting = "MERGE INTO {people} p USING staged s ON p.id = s.id WHEN NOT MATCHED BY SOURCE THEN DELETE;"
    found = _rules(_review(names, deleting, FRAMEWORKS[0]), "data-lost-on-rollback")
    assert found and f"rows of `{names['people']}`" in found[0].message and "NOT EXISTS" in found[0].message
    filling = (
        "MERGE INTO {people} p USING staged s ON p.id = s.id"
        " WHEN NOT MATCHED BY SOURCE AND p.{full} IS NULL THEN UPDATE SET {full} = 'unknown';"
    )
    assert not _rules(_review(names, filling, FRAMEWORKS[0]), "data-lost-on-rollback")


def test_merge_clause_after_an_unconditional_one_of_its_kind_never_runs() -> None:
    names = NAMES[0]
    shadowed = (
        "MERGE INTO {people} p USING staged s ON p.id = s.id"
        " WHEN NOT MATCHED BY SOURCE THEN UPDATE SET {full} = 'gone'"
        " WHEN NOT MATCHED BY SOURCE THEN DELETE;"
    )
    result = _review(names, shadowed, FRAMEWORKS[0])
    assert not _rules(result, "cascading-delete")
