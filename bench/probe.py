"""Time the production probe on a 10-million-row table: statistics only, sampled and exact, next to count(*).

    python bench/probe.py [--dsn DSN] [--rows N] [--runs N]

The table lives in the schema `mr_bench` and is built once (generate_series, then ANALYZE); later runs
reuse it when it has the wanted number of rows. Rows read come from pg_stat_user_tables (sequential
tuples read plus index tuples fetched), measured around each run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.facts import Facts
from bot.probe.policy import Policy, target_for_dsn
from bot.production import verify

DSN = os.environ.get("MIGRATION_REVIEW_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
SCHEMA = "mr_bench"
MIGRATION = """\
UPDATE orders SET state = CASE status WHEN 'paid' THEN 'settled' WHEN 'open' THEN 'pending' END;
ALTER TABLE orders ALTER COLUMN status SET NOT NULL;
ALTER TABLE orders ALTER COLUMN code TYPE varchar(20);
"""


def _table(connection: Any, rows: int) -> float:
    """Build mr_bench.orders with `rows` rows unless it is there already; seconds spent building."""
    connection.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    found = connection.execute(
        "SELECT c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = 'orders'",
        (SCHEMA,),
    ).fetchone()
    if found is not None and abs(found[0] - rows) <= rows * 0.01:
        return 0.0
    start = time.perf_counter()
    connection.execute(f"DROP TABLE IF EXISTS {SCHEMA}.orders")
    connection.execute(
        f"CREATE UNLOGGED TABLE {SCHEMA}.orders (id bigint PRIMARY KEY, status text, state text, code varchar(60))"
    )
    connection.execute(
        f"""INSERT INTO {SCHEMA}.orders
            SELECT g, CASE WHEN g %% 10000 = 0 THEN 'refunded' WHEN g %% 1000 = 1 THEN NULL
                           WHEN g %% 100 = 2 THEN 'PAID' WHEN g %% 10 < 6 THEN 'paid' ELSE 'open' END,
                   NULL, repeat('x', g %% 30)
            FROM generate_series(1, %s) g""",
        (rows,),
    )
    connection.execute(f"ANALYZE {SCHEMA}.orders")
    return time.perf_counter() - start


def _read(connection: Any) -> int:
    connection.execute("SELECT pg_stat_clear_snapshot()")
    row = connection.execute(
        "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) FROM pg_stat_user_tables "
        "WHERE schemaname = %s AND relname = 'orders'",
        (SCHEMA,),
    ).fetchone()
    return int(row[0]) if row else 0


def _probe(dsn: str, policy: Policy) -> Facts:
    path = "db/migrations/002_orders.sql"
    change = ChangeSet(
        "base", "head", (ChangedFile(path, "added", None, MIGRATION),), MemoryTree({path: MIGRATION})
    )
    return verify(change, target_for_dsn(dsn, policy))


def _measure(connection: Any, label: str, run: Any, runs: int) -> tuple[str, float, float, int, str]:
    times, read, note = [], 0, ""
    for _ in range(runs):
        before = _read(connection)
        start = time.perf_counter()
        note = run()
        times.append(time.perf_counter() - start)
        time.sleep(0.6)  # let the backend's statistics reach the shared counters
        read = _read(connection) - before
    return label, statistics.median(times), min(times), read, note


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dsn", default=DSN)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    connection = psycopg.connect(args.dsn, autocommit=True)
    built = _table(connection, args.rows)
    dsn = f"{args.dsn}{'&' if '?' in args.dsn else '?'}options=-csearch_path%3D{SCHEMA}"

    def probe(policy: Policy) -> Any:
        def run() -> str:
            facts = _probe(dsn, policy)
            if facts.failures and policy.exact_counts:
                raise SystemExit(f"the probe failed: {facts.failures[0].reason}")
            status = facts.column("orders", "status")
            return f"{len(facts.queries)} queries, source {status.source if status else '-'}"

        return run

    def count() -> str:
        return f"{connection.execute(f'SELECT count(*) FROM {SCHEMA}.orders').fetchone()[0]:,} rows"

    long = Policy(statement_timeout_ms=600_000)
    results = [
        _measure(connection, "probe, statistics only", probe(Policy(exact_counts=False)), args.runs),
        _measure(connection, "probe, sampled (1M budget)", probe(long), args.runs),
        _measure(
            connection,
            "probe, exact",
            probe(Policy(row_budget=args.rows * 2, statement_timeout_ms=600_000)),
            args.runs,
        ),
        _measure(connection, "SELECT count(*)", count, args.runs),
    ]
    print(
        f"probe benchmark: {SCHEMA}.orders, {args.rows:,} rows, {args.runs} runs each"
        + (f" (table built in {built:.1f}s)" if built else " (table reused)")
    )
    print(f"{'run':<30}{'median':>10}{'min':>10}{'rows read':>14}  detail")
    for label, median, best, read, note in results:
        print(f"{label:<30}{median:>9.3f}s{best:>9.3f}s{read:>14,}  {note}")
    stats_only = results[0][1]
    print(f"target: statistics only under 1 s: {'met' if stats_only < 1 else 'NOT MET'} ({stats_only:.3f}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
