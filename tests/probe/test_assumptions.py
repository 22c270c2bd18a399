"""Every assumption a change makes, asked of a real PostgreSQL and MariaDB with skewed data: the hazardous
variant is found, the safe one is APPROVED with the probe configured."""

from __future__ import annotations

from typing import Any

import pytest

from bot.model.facts import EXACT, SAMPLE, STATISTICS, Facts
from bot.model.findings import Review
from bot.probe.policy import Policy, target_for_dsn
from bot.production import verify
from bot.review import review
from tests.probe import members
from tests.probe.shop import changeset

PG_CASES = members.BOTH + members.POSTGRES_ONLY
MYSQL_CASES = members.BOTH + members.MYSQL_ONLY


def _review(dsn: str, sql: str, dialect: str, policy: Policy | None = None) -> tuple[Facts, Review]:
    change = changeset(sql)
    facts = verify(change, target_for_dsn(dsn, policy), dialect=dialect)
    return facts, review(change, dialect=dialect, facts=facts)


def _found(result: Review, rule: str) -> list[str]:
    return [f"{f.message} {f.blast_radius}" for f in result.active if f.rule == rule]


@pytest.fixture
def pg_members(pg: Any) -> str:
    return members.fill_postgres(pg)


@pytest.fixture
def mariadb_members(mariadb: Any) -> str:
    return members.fill_mariadb(mariadb)


@pytest.mark.parametrize(("name", "hazard", "rule", "safe"), PG_CASES, ids=[c[0] for c in PG_CASES])
def test_postgres_finds_the_hazard_and_approves_the_safe_variant(
    pg_members: str, name: str, hazard: str, rule: str, safe: str
) -> None:
    facts, result = _review(pg_members, hazard, "postgres")
    assert facts.failures == (), facts.failures
    assert _found(result, rule), f"{name}: {rule} not raised"
    facts, result = _review(pg_members, safe, "postgres")
    assert facts.failures == (), facts.failures
    assert result.approval == "APPROVED", [(f.rule, f.message) for f in result.active]


@pytest.mark.parametrize(("name", "hazard", "rule", "safe"), MYSQL_CASES, ids=[c[0] for c in MYSQL_CASES])
def test_mariadb_finds_the_hazard_and_approves_the_safe_variant(
    mariadb_members: str, name: str, hazard: str, rule: str, safe: str
) -> None:
    facts, result = _review(mariadb_members, hazard, "mariadb")
    assert facts.failures == (), facts.failures
    assert _found(result, rule), f"{name}: {rule} not raised"
    facts, result = _review(mariadb_members, safe, "mariadb")
    assert facts.failures == (), facts.failures
    assert result.approval == "APPROVED", [(f.rule, f.message) for f in result.active]


@pytest.mark.parametrize("dialect", ["postgres", "mariadb"])
def test_a_hidden_label_is_compared_in_the_database_and_never_read(
    request: pytest.FixtureRequest, dialect: str
) -> None:
    dsn = request.getfixturevalue("pg_members" if dialect == "postgres" else "mariadb_members")
    facts, result = _review(dsn, members.BOTH[0][1], dialect)
    [lookup] = facts.lookups
    assert lookup.table == "statuses" and lookup.via == "members.status_id"
    assert lookup.found == (("2", (("name", "<hidden>"),)),) and ("1", "active") in lookup.equals
    [message] = _found(result, "production-id-mismatch")
    assert "`'active'` → 2, but production's row 2 does not carry that label" in message
    assert "`'active'` is ID 1 there" in message and "suspended" not in message
    lookups = [q.sql for q in facts.queries if "statuses" in q.sql and "SELECT CAST" in q.sql]
    assert lookups and all("'suspended'" not in sql for sql in lookups)


def test_a_batched_backfill_is_reported_once_over_the_rows_its_batches_touch(pg_members: str) -> None:
    facts, result = _review(pg_members, members.BOTH[3][1], "postgres")
    [message] = _found(result, "unmapped-production-value")
    assert "in 3 statements" in message and "`'closed'`: 1,200 rows, 2 %" in message
    assert "of the rows the statements touch" in message and "overwriting" in message
    status = facts.column("members", "status")
    assert status is not None and "BETWEEN 1 AND 20000" in status.scope and status.rows == members.ROWS


def test_a_truncated_distribution_never_yields_a_share(pg_members: str) -> None:
    sql = "UPDATE members SET tier = CASE nickname WHEN 'nick1' THEN 'x' ELSE tier END WHERE id BETWEEN 1 AND 60000;\n"
    facts, result = _review(pg_members, sql, "postgres")
    nickname = facts.column("members", "nickname")
    assert nickname is not None and nickname.source == EXACT and not nickname.complete
    assert abs(nickname.null_share - 0.01) < 0.001  # counted over every row, not over the 200 listed
    item = next(i for i in result.checklist if i.text == "Query production for actual value distribution")
    assert "only the most common values were counted" in item.detail


def test_samples_and_statistics_are_estimates_never_verified(pg_members: str) -> None:
    sql = "UPDATE members SET tier = CASE status WHEN 'active' THEN 'a' ELSE tier END WHERE id BETWEEN 1 AND 60000;\n"
    for policy, source in ((Policy(row_budget=6_000), SAMPLE), (Policy(exact_counts=False), STATISTICS)):
        facts, result = _review(pg_members, sql, "postgres", policy)
        status = facts.column("members", "status")
        assert status is not None and status.source == source
        assert (status.margin > 0) == (source == SAMPLE)
        item = next(i for i in result.checklist if i.text == "Query production for actual value distribution")
        assert "verified by" not in item.detail and item.detail.startswith("estimated by the probe")
