"""The probe cannot write, waits for no lock for long, and quotes every name a migration gives it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.probe.policy import Policy, target_for_dsn
from bot.probe.session import ProbeError, read_only
from bot.production import FORK, verify
from bot.review import review
from tests.probe import members
from tests.probe.shop import MIGRATION, changeset, fill_postgres

HOSTILE = 'orders"; DROP TABLE victims; --'


TABLES = ("orders", "users", "priorities", "tickets", "members", "statuses", "teams")


def _fingerprint(pg: Any) -> tuple[Any, ...]:
    rows = tuple(
        pg.execute(
            f"SELECT count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM {table} t"
        ).fetchone()
        for table in TABLES
    )
    schema = pg.execute(
        "SELECT md5(string_agg(c.relname || ':' || c.relkind::text, ',' ORDER BY c.relname)),"
        " (SELECT md5(string_agg(conname || convalidated::text, ',' ORDER BY conname)) FROM pg_constraint"
        "  WHERE connamespace = current_schema()::regnamespace)"
        " FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace"
    ).fetchone()
    return (*rows, schema)


def test_a_probe_with_write_rights_leaves_the_data_unchanged(pg: Any) -> None:
    dsn = fill_postgres(pg)  # the role owns the schema: it could write
    members.fill_postgres(pg)
    before = _fingerprint(pg)
    facts = verify(changeset(MIGRATION), target_for_dsn(dsn))
    assert facts.queries and not facts.failures
    kinds = set()
    for _, hazard, _, safe in members.BOTH + members.POSTGRES_ONLY:  # every question the probe asks
        for sql in (hazard, safe):
            asked = verify(changeset(sql), target_for_dsn(dsn))
            assert asked.queries and not asked.failures, asked.failures
            kinds |= {c.kind for c in asked.counts} | {"lookup" for _ in asked.lookups}
            kinds |= {"distribution" for _ in asked.columns}
    assert _fingerprint(pg) == before
    assert pg.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'orders_ref'").fetchone()[0] == 0
    assert kinds >= {"lookup", "distribution", "duplicates", "orphans", "domain"}


def test_a_mariadb_probe_with_write_rights_leaves_the_data_unchanged(mariadb: Any) -> None:
    dsn = members.fill_mariadb(mariadb)

    def fingerprint() -> tuple[Any, ...]:
        with mariadb.cursor() as cursor:
            cursor.execute("CHECKSUM TABLE members, statuses, teams EXTENDED")
            sums = tuple(cursor.fetchall())
            cursor.execute(
                "SELECT COUNT(*), GROUP_CONCAT(CONSTRAINT_NAME ORDER BY CONSTRAINT_NAME)"
                " FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE()"
            )
            return (*sums, cursor.fetchone())

    before = fingerprint()
    for _, hazard, _, safe in members.BOTH + members.MYSQL_ONLY:
        for sql in (hazard, safe):
            asked = verify(changeset(sql), target_for_dsn(dsn), dialect="mariadb")
            assert asked.queries and not asked.failures, asked.failures
    assert fingerprint() == before


def test_the_session_is_read_only_and_time_limited(pg: Any) -> None:
    dsn = fill_postgres(pg)
    target = target_for_dsn(dsn, Policy(statement_timeout_ms=150, lock_timeout_ms=50))
    with read_only(target) as session:
        assert session.fetch("SHOW transaction_read_only", "test") == [("on",)]
        assert session.fetch("SHOW statement_timeout", "test") == [("150ms",)]
        assert session.fetch("SHOW lock_timeout", "test") == [("50ms",)]
        with pytest.raises(ProbeError, match="read-only transaction"):
            session.fetch("DELETE FROM orders", "a write")
        with pytest.raises(ProbeError, match="statement timeout"):
            session.fetch("SELECT pg_sleep(2)", "a slow query")
        assert session.fetch("SELECT 1", "still usable after a failure") == [(1,)]
    assert pg.execute("SELECT count(*) FROM orders").fetchone()[0] > 0


def test_a_lock_held_elsewhere_times_out_instead_of_waiting(pg: Any) -> None:
    import psycopg

    dsn = fill_postgres(pg)
    holder = psycopg.connect(dsn)
    holder.execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE")
    try:
        target = target_for_dsn(dsn, Policy(lock_timeout_ms=100))
        facts = verify(changeset("ALTER TABLE orders ALTER COLUMN status SET NOT NULL;\n"), target)
    finally:
        holder.rollback()
        holder.close()
    assert any("lock timeout" in f.reason for f in facts.failures)


def test_a_hostile_identifier_is_quoted_not_executed(pg: Any) -> None:
    dsn = fill_postgres(pg)
    pg.execute("CREATE TABLE victims (id integer)")
    pg.execute(f'CREATE TABLE "{HOSTILE.replace(chr(34), chr(34) * 2)}" (status text)')
    pg.execute(f"INSERT INTO \"{HOSTILE.replace(chr(34), chr(34) * 2)}\" VALUES ('paid'), ('lost')")
    quoted = HOSTILE.replace('"', '""')
    sql = f"UPDATE \"{quoted}\" SET status = CASE status WHEN 'paid' THEN 'done' END;\n"
    facts = verify(changeset(sql), target_for_dsn(dsn))
    assert pg.execute("SELECT to_regclass('victims') IS NOT NULL").fetchone()[0]
    counted = facts.column(HOSTILE, "status")
    assert counted is not None and {v.value for v in counted.values} == {"paid", "lost"}
    assert any(f'"{quoted}"' in q.sql for q in facts.queries)


def test_pull_requests_from_forks_are_never_probed() -> None:
    target = target_for_dsn("postgresql://probe@127.0.0.1:1/none")  # would fail to connect if tried
    change = changeset(MIGRATION, from_fork=True)
    facts = verify(change, target)
    assert [f.reason for f in facts.failures] == [FORK] and facts.queries == ()
    item = next(i for i in review(change, facts=facts).checklist if i.text.startswith("Query production"))
    assert item.state == "unchecked" and item.detail == f"not verified: {FORK}"


def test_a_probe_that_cannot_connect_degrades_to_not_verified() -> None:
    change = changeset(MIGRATION)
    facts = verify(change, target_for_dsn("postgresql://probe@127.0.0.1:1/none"))
    [failure] = facts.failures
    assert failure.table == "" and failure.reason.startswith(
        "cannot connect to postgresql://probe@127.0.0.1:1/none"
    )
    result = review(change, facts=facts)
    item = next(i for i in result.checklist if i.text.startswith("Query production"))
    assert item.state == "unchecked" and item.detail.startswith("not verified: cannot connect")
    assert result.approval == "BLOCKED"


def test_questions_left_when_the_time_budget_is_spent_stay_unverified(pg: Any) -> None:
    dsn = fill_postgres(pg)
    facts = verify(changeset(MIGRATION), target_for_dsn(dsn, Policy(time_budget_ms=1)))
    assert any("time budget (0.001 s) was spent" in f.reason for f in facts.failures)
    assert facts.counts == () and facts.columns == ()
