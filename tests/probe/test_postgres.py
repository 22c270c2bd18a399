"""The probe against a real PostgreSQL: skewed data in, findings and numbers out."""

from __future__ import annotations

from typing import Any

from bot.model.facts import EXACT, SAMPLE, STATISTICS, Facts
from bot.model.findings import Review
from bot.probe.policy import Policy, target_for_dsn
from bot.production import verify
from bot.review import review
from tests.probe.shop import MIGRATION, ROWS, changeset, fill_postgres


def _run(pg: Any, sql: str = MIGRATION, policy: Policy | None = None) -> tuple[Facts, Review]:
    dsn = fill_postgres(pg)
    change = changeset(sql)
    facts = verify(change, target_for_dsn(dsn, policy))
    return facts, review(change, facts=facts)


def _one(pg: Any, sql: str) -> int:
    return int(pg.execute(sql).fetchone()[0])


def _finding(result: Review, rule: str) -> str:
    [found] = [f for f in result.active if f.rule == rule]
    return found.message


def test_exact_counts_within_the_budget_find_every_problem(pg: Any) -> None:
    facts, result = _run(pg)
    assert facts.failures == ()
    status = facts.column("orders", "status")
    assert status is not None and status.source == EXACT and status.complete
    counted = {v.value: v.rows for v in status.values}
    assert counted["refunded"] == _one(pg, "SELECT count(*) FROM orders WHERE status = 'refunded'") == 300
    assert counted["PAID"] == _one(pg, "SELECT count(*) FROM orders WHERE status = 'PAID'")
    assert counted[None] == _one(pg, "SELECT count(*) FROM orders WHERE status IS NULL") == 300
    unmapped = _finding(result, "unmapped-production-value")
    assert "`'refunded'`: 300 rows, 0.1 %" in unmapped
    assert "`'PAID'` (a case or whitespace variant of `'paid'`)" in unmapped
    assert "NULL (no WHEN matches NULL): 300 rows" in unmapped
    assert "300 NULLs" in _finding(result, "nulls-before-not-null")
    assert "60 duplicate rows" in _finding(result, "duplicates-before-unique")
    orphans = _one(
        pg, "SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = o.user_id)"
    )
    assert f"{orphans:,} rows of `orders`" in _finding(result, "orphans-before-foreign-key")
    too_long = _one(pg, "SELECT count(*) FROM orders WHERE length(code) > 20")
    assert f"{too_long:,} values longer than 20 characters" in _finding(result, "values-rejected-by-type")
    swap = _finding(result, "production-id-mismatch")
    assert "`'high'` → 1, but production's row 1 says code = 'low'; `'high'` is ID 3 there" in swap


def test_table_sizes_scale_the_locking_findings(pg: Any) -> None:
    facts, result = _run(pg)
    size = facts.table("orders")
    assert size is not None and size.source == STATISTICS and abs(size.rows - ROWS) < ROWS * 0.05
    assert size.analyzed_at is not None
    assert any(
        "(~" in f.blast_radius and "rows)" in f.blast_radius
        for f in result.active
        if f.rule == "set-not-null"
    )


def test_sensitive_and_high_cardinality_values_are_never_shown(pg: Any) -> None:
    sql = "UPDATE orders SET state = CASE email WHEN 'a@example.com' THEN 'x' END;\n"
    facts, result = _run(pg, sql)
    email = facts.column("orders", "email")
    assert email is not None and email.hidden
    assert all(v.hidden and "@" not in str(v.value) for v in email.values)
    assert "@example.com" not in "".join(f.message + f.blast_radius for f in result.findings).replace(
        "a@example.com", ""
    )


def test_statistics_only_reads_no_rows(pg: Any) -> None:
    facts, result = _run(pg, policy=Policy(exact_counts=False))
    status = facts.column("orders", "status")
    assert status is not None and status.source == STATISTICS
    shares = {v.value: v.share for v in status.values}
    assert abs(shares["paid"] - 0.59) < 0.03 and abs(shares["open"] - 0.40) < 0.03
    scans = [q.sql for q in facts.queries if 'FROM "' in q.sql and 'WHERE "id" IN' not in q.sql]
    assert scans == []  # catalogs and key lookups only, never a scan of the table
    assert any("needs exact counts" in f.reason for f in facts.failures)
    assert "unmapped-production-value" in {
        f.rule for f in result.active
    }  # PAID and NULL are in the statistics


def test_above_the_budget_it_samples(pg: Any) -> None:
    facts, _ = _run(pg, policy=Policy(row_budget=30_000))
    status = facts.column("orders", "status")
    assert status is not None and status.source == SAMPLE
    assert any("TABLESAMPLE SYSTEM" in q.sql for q in facts.queries)
    nulls = facts.count("nulls", "orders", ("status",))
    assert nulls is not None and nulls.source == SAMPLE


def test_checklist_is_verified_by_the_probe_when_production_agrees(pg: Any) -> None:
    sql = (
        "UPDATE orders SET state = CASE status WHEN 'paid' THEN 'settled' WHEN 'open' THEN 'pending' "
        "ELSE state END WHERE id BETWEEN 1 AND 1000;\n"
    )
    facts, result = _run(pg, sql)
    item = next(i for i in result.checklist if i.text == "Query production for actual value distribution")
    assert item.state == "checked" and item.source == "probe"
    assert item.detail.startswith(f"verified by the probe against {facts.connection} (exact, ")
    assert "production values not verified" not in " ".join(result.reasons)


def test_every_query_is_recorded_with_its_timing_in_the_json(pg: Any) -> None:
    import json

    from bot.render.formats import to_json

    facts, result = _run(pg)
    data = json.loads(to_json(result))["probe"]
    assert data["connection"] == facts.connection and "@" in data["connection"]
    assert len(data["queries"]) == len(facts.queries) > 5
    assert all(q["milliseconds"] >= 0 and q["sql"] and q["purpose"] for q in data["queries"])


def test_the_review_says_where_and_when_it_probed(pg: Any) -> None:
    facts, result = _run(pg)
    [note] = [n for n in result.notes if n.startswith("Production probe:")]
    server = f"{facts.connection} (server version {facts.version}) at {facts.taken_at}"
    assert f"{server}, {len(facts.queries)} read-only queries" in note
    assert "production values not verified" not in " ".join(result.reasons)  # the findings say why instead


def test_a_filter_on_a_value_production_never_holds(pg: Any) -> None:
    _, result = _run(pg, "UPDATE orders SET state = 'closed' WHERE status = 'refundd';\n")
    message = _finding(result, "where-matches-no-rows")
    assert "never holds `'refundd'` (but `'refunded'` has 300 rows)" in message


def test_the_servers_own_version_decides_what_depends_on_it(pg: Any) -> None:
    from bot.model.config import Config

    build = "CREATE INDEX CONCURRENTLY orders_code_idx ON orders (code);"
    facts, _ = _run(pg, build)
    server = str(pg.execute("SHOW server_version").fetchone()[0])
    assert facts.version == server and any("server_version" in q.sql for q in facts.queries)
    # The configuration says 14.2, which had the concurrent-build bug; the server says what it really runs.
    declared = Config(database_version="14.2")
    assert any(
        f.rule == "concurrent-index-corruption" for f in review(changeset(build), config=declared).active
    )
    verified = review(changeset(build), config=declared, facts=facts)
    assert not any(f.rule == "concurrent-index-corruption" for f in verified.active)
