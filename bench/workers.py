"""Reviews per minute on the PostgreSQL job engine with 1, 2 and 4 worker processes.

One `serve --no-worker` receives `pull_request.opened` for N pull requests (each adding one migration,
served by the fake GitHub); W `migration-review worker` processes review them. The figure is N divided by
the time from the first delivery to the last completed check run. Next to it, the baseline: how many
deliveries per minute a bare Starlette endpoint under the same uvicorn acknowledges (what the receiving
side could take at most; the difference is the review itself).

Run from the repository root: `python bench/workers.py [--pulls 40] [--workers 1 2 4]`; PostgreSQL from
MIGRATION_REVIEW_BENCH_PG (default postgresql://postgres@127.0.0.1:5432/postgres), in a schema of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from webhook import (
    _deliveries,
    _fake_github,
    _key,
    _load,
    _opened,
    _port,
    _serve,
    _wait_http,
)

from tests.fakegithub import BASE_FILES, FakePull

PG = os.environ.get("MIGRATION_REVIEW_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def reviews_per_minute(tmp: Path, private: str, public: str, workers: int, pulls: int) -> float:
    schema = f"mr_bench_{os.getpid()}_{workers}"
    with psycopg.connect(PG, autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.execute(f"CREATE SCHEMA {schema}")
    url = f"{PG}{'&' if '?' in PG else '?'}options=-csearch_path%3D{schema}"
    fake, repo, port, server = _fake_github(public)
    base = fake.commit(repo, dict(BASE_FILES))
    heads = {}
    for number in range(1, pulls + 1):
        migration = f"ALTER TABLE users ADD COLUMN c{number} text;\n"
        heads[number] = fake.commit(repo, BASE_FILES | {f"db/migrations/{number:06}_add.up.sql": migration})
        repo.pulls[number] = FakePull(number, base, heads[number], "Adds a column.")
    app_port = _port()
    env = {"DATABASE_URL": url, "MIGRATION_REVIEW_WRITE_INTERVAL": "0"}
    receiver = _serve(tmp, private, f"http://127.0.0.1:{port}", app_port, "--no-worker", env_extra=env)
    processes = []
    try:
        worker_env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
        worker_env |= {
            "GITHUB_APP_ID": "29310",
            "GITHUB_PRIVATE_KEY": private,
            "GITHUB_WEBHOOK_SECRET": "bench-secret",
            "GITHUB_API_URL": f"http://127.0.0.1:{port}",
            "MIGRATION_REVIEW_CACHE_DIR": str(tmp / "cache"),
            **env,
        }
        for _ in range(workers):
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bot", "worker"],
                    env=worker_env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        while not _ready(app_port):
            time.sleep(0.1)
        started = time.perf_counter()
        for number, head in heads.items():
            body, headers = _opened(number, head, f"bench-{workers}-{number}")
            httpx.post(
                f"http://127.0.0.1:{app_port}/webhooks/github", content=body, headers=headers, timeout=10
            )
        wanted = set(heads.values())
        while len({r["head_sha"] for r in repo.check_runs if r["status"] == "completed"} & wanted) < pulls:
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        for process in [*processes, receiver]:
            process.terminate()
        for process in [*processes, receiver]:
            process.wait(timeout=30)
        server.should_exit = True
        with psycopg.connect(PG, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    return pulls / elapsed * 60


def _ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def baseline(seconds: float = 2.0, rate: float = 500.0) -> float:
    """Deliveries per minute a bare Starlette endpoint acknowledged, offered more than it can take."""
    port = _port()
    bare = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve().parent / "webhook.py"), "--bare", str(port)]
    )
    try:
        _wait_http(f"http://127.0.0.1:{port}/webhooks/github")
        started = time.perf_counter()
        answered = asyncio.run(
            _load(
                f"http://127.0.0.1:{port}/webhooks/github",
                rate,
                seconds,
                _deliveries(int(rate * seconds) + 20, "b"),
            )
        )
        return len(answered) / (time.perf_counter() - started) * 60
    finally:
        bare.terminate()
        bare.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pulls", type=int, default=40)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    private, public = _key()
    print(f"reviews per minute, {args.pulls} pull requests of one migration each, PostgreSQL job engine:")
    with tempfile.TemporaryDirectory() as scratch:
        for count in args.workers:
            rate = reviews_per_minute(Path(scratch), private, public, count, args.pulls)
            print(f"  {count} worker{'s' if count > 1 else ''}: {rate:7.1f} reviews/min")
    print(f"  baseline, bare Starlette acknowledging 202s: {baseline():9.0f} deliveries/min")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
