"""Time a shadow run against the same SQL run with `psql`: a 10-table migration over 100,000 rows.

    .venv/bin/python bench/shadow.py [--dsn postgresql://postgres@127.0.0.1:5432/postgres] [--runs 3]

Both sides create a scratch database, build the same 10-table schema, load 10,000 rows per table, run
the up, the down and the up again, and drop the database. `psql` only runs the SQL; the shadow run also
generates its rows, reads the schema and the values before and after the down, watches the locks of
every statement from a second session and checks each table's file. The target: our median wall time
below 2x psql's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree  # noqa: E402
from bot.shadow.run import Limits, shadow  # noqa: E402
from bot.shadow.target import shadow_target  # noqa: E402

TABLES = 10
ROWS = 10_000  # per table: 100,000 in all


def schema() -> str:
    return "\n".join(
        f"CREATE TABLE t{i} (id bigint PRIMARY KEY, name varchar(40), amount numeric(12, 2), "
        f"flag boolean, created date, note text);"
        for i in range(TABLES)
    )


def up() -> str:
    parts = []
    for i in range(TABLES):
        parts.append(f"ALTER TABLE t{i} ADD COLUMN status integer DEFAULT 0;")
        parts.append(f"UPDATE t{i} SET status = 1 WHERE flag;")
        parts.append(f"CREATE INDEX t{i}_name_idx ON t{i} (name);")
    return "\n".join(parts)


def down() -> str:
    parts = []
    for i in reversed(range(TABLES)):
        parts.append(f"DROP INDEX t{i}_name_idx;")
        parts.append(f"ALTER TABLE t{i} DROP COLUMN status;")
    return "\n".join(parts)


def rows_sql() -> str:
    return "\n".join(
        f"INSERT INTO t{i} SELECT g, CASE WHEN g % 5 = 4 THEN NULL ELSE 'name ' || (g % 97) END, "
        f"(g % 1000) * 1.5, g % 2 = 0, DATE '2000-01-01' + (g % 9000), CASE WHEN g % 5 = 0 THEN NULL "
        f"ELSE repeat('x', g % 50) END FROM generate_series(1, {ROWS}) g;"
        for i in range(TABLES)
    )


def changeset() -> ChangeSet:
    base = {"db/migrations/000001_schema.up.sql": schema()}
    added = {"db/migrations/000002_change.up.sql": up(), "db/migrations/000002_change.down.sql": down()}
    files = tuple(ChangedFile(p, "added", None, t) for p, t in added.items())
    return ChangeSet("base", "head", files, MemoryTree({**base, **added}), MemoryTree(base))


def time_shadow(dsn: str) -> float:
    start = time.perf_counter()
    result = shadow(changeset(), shadow_target(dsn), dialect="postgres", limits=Limits(rows_per_table=ROWS))
    elapsed = time.perf_counter() - start
    steps = {s.name: s.status for s in result.steps}
    rows = sum(n for _, n in result.rows)
    assert result.ran and steps.get("up-again") == "ok" and result.dropped, (steps, result.errors)
    assert rows == TABLES * ROWS, rows
    return elapsed


def time_psql(dsn: str) -> float:
    parts = urlsplit(dsn)
    env = {**os.environ, "PGHOST": parts.hostname or "127.0.0.1", "PGPORT": str(parts.port or 5432)}
    env["PGUSER"] = parts.username or "postgres"
    name = f"mr_bench_psql_{os.getpid()}"
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as file:
        file.write("\n".join([schema(), rows_sql(), up(), down(), up()]))
        script = file.name
    start = time.perf_counter()
    quiet = {"check": True, "env": env, "capture_output": True}
    subprocess.run(["psql", "-qX", "-d", "postgres", "-c", f'CREATE DATABASE "{name}"'], **quiet)  # type: ignore[call-overload]
    subprocess.run(["psql", "-qX", "-v", "ON_ERROR_STOP=1", "-d", name, "-f", script], **quiet)  # type: ignore[call-overload]
    subprocess.run(["psql", "-qX", "-d", "postgres", "-c", f'DROP DATABASE "{name}" WITH (FORCE)'], **quiet)  # type: ignore[call-overload]
    elapsed = time.perf_counter() - start
    Path(script).unlink()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--dsn",
        default=os.environ.get("MIGRATION_REVIEW_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ours, theirs = [], []
    for _ in range(args.runs):
        theirs.append(time_psql(args.dsn))
        ours.append(time_shadow(args.dsn))
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"{TABLES} tables, {TABLES * ROWS:,} rows, up + down + up, {args.runs} runs each")
    print(f"psql:        median {b:.2f} s  ({', '.join(f'{t:.2f}' for t in theirs)})")
    print(f"shadow run:  median {a:.2f} s  ({', '.join(f'{t:.2f}' for t in ours)})")
    print(f"ratio: {a / b:.2f}x (target < 2x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
