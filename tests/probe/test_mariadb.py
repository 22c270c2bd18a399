"""The probe against a real MariaDB: the same shop, the same findings, MySQL's own safety settings."""

from __future__ import annotations

from typing import Any

import pytest

from bot.model.facts import EXACT, SAMPLE, STATISTICS, Facts
from bot.model.findings import Review
from bot.probe.policy import Policy, target_for_dsn
from bot.probe.session import ProbeError, read_only
from bot.production import verify
from bot.review import review
from tests.probe.shop import MYSQL_MIGRATION, changeset, fill_mariadb


def _run(db: Any, sql: str = MYSQL_MIGRATION, policy: Policy | None = None) -> tuple[Facts, Review]:
    dsn = fill_mariadb(db)
    change = changeset(sql)
    facts = verify(change, target_for_dsn(dsn, policy), dialect="mariadb")
    return facts, review(change, dialect="mariadb", facts=facts)


def _one(db: Any, sql: str) -> int:
    with db.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.fetchone()[0])


def _message(result: Review, rule: str) -> str:
    return " ".join(f.message for f in result.active if f.rule == rule)


def test_exact_counts_find_every_problem(mariadb: Any) -> None:
    facts, result = _run(mariadb)
    assert facts.failures == ()
    status = facts.column("orders", "status")
    assert status is not None and status.source == EXACT and not status.case_insensitive
    assert {v.value: v.rows for v in status.values}["PAID"] == _one(
        mariadb, "SELECT count(*) FROM orders WHERE status = 'PAID'"
    )
    unmapped = _message(result, "unmapped-production-value")
    assert "`'refunded'`: 300 rows" in unmapped and "`'PAID'` (a case or whitespace variant" in unmapped
    assert "300 NULLs" in _message(result, "nulls-before-not-null")
    assert "60 duplicate rows" in _message(result, "duplicates-before-unique")
    assert "300 rows of `orders`" in _message(result, "orphans-before-foreign-key")
    too_long = _one(mariadb, "SELECT count(*) FROM orders WHERE char_length(code) > 20")
    assert f"{too_long:,} values longer than 20" in _message(result, "values-rejected-by-type")
    assert "production's row 1 says code = 'low'" in _message(result, "production-id-mismatch")


def test_a_case_insensitive_collation_covers_case_variants(mariadb: Any) -> None:
    dsn = fill_mariadb(mariadb)
    with mariadb.cursor() as cursor:
        cursor.execute("ALTER TABLE orders MODIFY status varchar(20) COLLATE utf8mb4_general_ci")
    change = changeset(
        "UPDATE orders SET state = CASE status WHEN 'paid' THEN 's' WHEN 'open' THEN 'p' END;\n"
    )
    facts = verify(change, target_for_dsn(dsn), dialect="mariadb")
    status = facts.column("orders", "status")
    assert status is not None and status.case_insensitive
    message = _message(review(change, dialect="mariadb", facts=facts), "unmapped-production-value")
    assert "PAID" not in message and "`'refunded'`" in message


def test_statistics_only_reads_the_engine_independent_statistics(mariadb: Any) -> None:
    dsn = fill_mariadb(mariadb)
    with mariadb.cursor() as cursor:
        cursor.execute("SET SESSION histogram_type = 'JSON_HB'")
        cursor.execute("ANALYZE TABLE orders PERSISTENT FOR ALL")
    change = changeset(MYSQL_MIGRATION)
    facts = verify(change, target_for_dsn(dsn, Policy(exact_counts=False)), dialect="mariadb")
    status = facts.column("orders", "status")
    assert status is not None and status.source == STATISTICS
    assert abs(status.null_share - 0.001) < 0.001
    shares = {v.value: v.share for v in status.values}
    assert abs(shares["paid"] - 0.59) < 0.05
    nulls = facts.count("nulls", "orders", ("status",))
    assert nulls is not None and nulls.source == STATISTICS and nulls.rows > 0
    assert not [q for q in facts.queries if "FROM `" in q.sql and "WHERE `id` IN" not in q.sql]


def test_above_the_budget_it_reads_a_random_sample_with_its_error_bound(mariadb: Any) -> None:
    facts, result = _run(mariadb, policy=Policy(row_budget=30_000))
    status = facts.column("orders", "status")
    assert status is not None and status.source == SAMPLE and not status.complete
    assert any("RAND() < 0.1" in q.sql for q in facts.queries)
    assert 0 < status.margin < 0.02  # 95 % bound of ~30,000 sampled rows
    paid = _one(mariadb, "SELECT count(*) FROM orders WHERE status = 'paid'") / 300_000
    shares = {v.value: v.share for v in status.values}
    assert abs(shares["paid"] - paid) < 2 * status.margin and abs(status.null_share - 0.001) < 0.001
    nulls = facts.count("nulls", "orders", ("status",))
    assert nulls is not None and nulls.source == SAMPLE and nulls.margin > 0
    assert abs(nulls.rows - 300) <= nulls.margin + 100
    assert "from a sample" in " ".join(f.message for f in result.active if f.rule == "nulls-before-not-null")


def test_the_session_is_read_only_and_time_limited(mariadb: Any) -> None:
    dsn = fill_mariadb(mariadb)
    before = _one(mariadb, "SELECT count(*) FROM orders")
    with read_only(target_for_dsn(dsn, Policy(statement_timeout_ms=200, lock_timeout_ms=1000))) as session:
        assert session.mariadb
        [(limit, lock)] = session.fetch("SELECT @@max_statement_time, @@lock_wait_timeout", "test")
        assert float(limit) == 0.2 and int(lock) == 1
        with pytest.raises(ProbeError, match="READ ONLY"):
            session.fetch("DELETE FROM orders", "a write")
        with pytest.raises(ProbeError, match="max_statement_time"):
            session.fetch("SELECT SLEEP(2) FROM orders LIMIT 2", "a slow query")
    assert _one(mariadb, "SELECT count(*) FROM orders") == before


def test_a_hostile_identifier_is_quoted_not_executed(mariadb: Any) -> None:
    dsn = fill_mariadb(mariadb)
    hostile = "orders`; DROP TABLE victims; --"
    quoted = hostile.replace("`", "``")
    with mariadb.cursor() as cursor:
        cursor.execute("CREATE TABLE victims (id integer)")
        cursor.execute(f"CREATE TABLE `{quoted}` (status varchar(10))")
        cursor.execute(f"INSERT INTO `{quoted}` VALUES ('paid'), ('lost')")
    sql = f"UPDATE `{quoted}` SET status = CASE status WHEN 'paid' THEN 'done' END;\n"
    facts = verify(changeset(sql), target_for_dsn(dsn), dialect="mariadb")
    assert _one(mariadb, "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_NAME = 'victims'") == 1
    counted = facts.column(hostile, "status")
    assert counted is not None and {v.value for v in counted.values} == {"paid", "lost"}


def test_the_server_says_its_version(mariadb: Any) -> None:
    facts, _ = _run(mariadb)
    with mariadb.cursor() as cursor:
        cursor.execute("SELECT VERSION()")
        server = str(cursor.fetchone()[0])
    assert facts.version == server and "MariaDB" in server
