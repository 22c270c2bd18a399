"""Values a data change writes, judged against production's own enum and CHECK definitions on the real
PostgreSQL and MariaDB: a refused value blocks, accepted values are APPROVED, and production's rows are not
read for it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.model.facts import Facts
from bot.model.findings import Review
from bot.probe.policy import target_for_dsn
from bot.production import verify
from bot.review import review
from tests.conftest import MARIADB_DSN, PG_DSN
from tests.probe.shop import changeset

POSTGRES = [
    "CREATE TYPE parcel_state AS ENUM ('packed', 'shipped', 'delivered')",
    "CREATE TABLE parcels (id bigint PRIMARY KEY, state parcel_state, carrier text,"
    " priority integer CONSTRAINT parcels_priority_range CHECK (priority BETWEEN 1 AND 5),"
    " CONSTRAINT parcels_carrier_known CHECK (carrier IN ('dhl', 'ups', 'post')))",
    "INSERT INTO parcels SELECT g, 'packed', 'dhl', 1 FROM generate_series(1, 2000) g",
]
MYSQL = [
    "CREATE TABLE parcels (id bigint PRIMARY KEY, state ENUM('packed', 'shipped', 'delivered'),"
    " carrier varchar(10), priority integer,"
    " CONSTRAINT parcels_priority_range CHECK (priority BETWEEN 1 AND 5),"
    " CONSTRAINT parcels_carrier_known CHECK (carrier IN ('dhl', 'ups', 'post')))",
    "INSERT INTO parcels SELECT seq, 'packed', 'dhl', 1 FROM seq_1_to_2000",
]

CASES = [
    (
        "enum",
        "UPDATE parcels SET state = 'returned' WHERE id < 100;",
        "UPDATE parcels SET state = 'shipped' WHERE id < 100;",
        "'returned'",
    ),
    (
        "check on text",
        "UPDATE parcels SET carrier = CASE carrier WHEN 'dhl' THEN 'fedex' ELSE 'ups' END WHERE id < 100;",
        "UPDATE parcels SET carrier = CASE carrier WHEN 'dhl' THEN 'post' ELSE 'ups' END WHERE id < 100;",
        "'fedex'",
    ),
    (
        "check on a number",
        "UPDATE parcels SET priority = 9 WHERE id < 100;",
        "UPDATE parcels SET priority = 5 WHERE id < 100;",
        "'9'",
    ),
]


def _review(dsn: str, sql: str, dialect: str) -> tuple[Facts, Review]:
    change = changeset(sql)
    facts = verify(change, target_for_dsn(dsn), dialect=dialect)
    return facts, review(change, dialect=dialect, facts=facts)


@pytest.fixture
def pg_parcels(pg: Any) -> str:
    for statement in POSTGRES:
        pg.execute(statement)
    schema = pg.execute("SELECT current_schema()").fetchone()[0]
    return f"{PG_DSN}?options=-csearch_path%3D{schema}"


@pytest.fixture
def mariadb_parcels(mariadb: Any) -> str:
    with mariadb.cursor() as cursor:
        for statement in MYSQL:
            cursor.execute(statement)
        cursor.execute("SELECT DATABASE()")
        database = cursor.fetchone()[0]
    return f"{MARIADB_DSN.rsplit('/', 1)[0]}/{database}"


@pytest.mark.parametrize("dialect", ["postgres", "mariadb"])
@pytest.mark.parametrize(("name", "hazard", "safe", "value"), CASES, ids=[c[0] for c in CASES])
def test_a_refused_value_blocks_and_accepted_values_are_approved(
    request: pytest.FixtureRequest, dialect: str, name: str, hazard: str, safe: str, value: str
) -> None:
    dsn = request.getfixturevalue("pg_parcels" if dialect == "postgres" else "mariadb_parcels")
    facts, result = _review(dsn, hazard, dialect)
    assert facts.failures == (), facts.failures
    found = [f.message for f in result.active if f.rule == "value-refused-in-production"]
    assert found and value in found[0], (name, [(f.rule, f.message) for f in result.active])
    assert result.approval == "BLOCKED"
    facts, result = _review(dsn, safe, dialect)
    assert facts.failures == (), facts.failures
    assert result.approval == "APPROVED", [(f.rule, f.message) for f in result.active]
    # the verdict comes from the column's definition; no row of parcels is read for it
    judged = [q.sql for q in facts.queries if "written value" in q.purpose or "enum labels" in q.purpose]
    assert judged and all("FROM parcels" not in sql for sql in judged)
