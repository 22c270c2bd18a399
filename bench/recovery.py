"""Time to recovery after a worker is SIGKILLed mid-review, on the PostgreSQL job engine.

One `serve --no-worker` and one `migration-review worker`; a pull request adding one migration is
delivered, and the fake GitHub holds the worker's snapshot download (the review is under way). A second
worker is started and sends its heartbeat; then, in a round with a kill, the first worker is SIGKILLed and
the download let go at once: the figure is the time from the kill to the pull request's completed check
run, published by the second worker once it found the first one silent and took its job over.

The baseline, `no kill`, is the same round without the kill: the download is let go and the worker that
holds the job finishes it. Its time is the review's own (download, review in a child process, publish);
the difference between the two is what a kill costs: noticing the silent worker (no heartbeat for
engine.STALLED seconds, looked for every engine.RECOVERY), handing the job over, and the second run.

The embedded default (SQLite, one `serve` running its own worker) is measured the same way, the server
killed and started again at once as a supervisor would: its figure includes the restart.

Run from the repository root: `python bench/recovery.py [--rounds 5]`; PostgreSQL from
MIGRATION_REVIEW_BENCH_PG (default postgresql://postgres@127.0.0.1:5432/postgres), in a schema of its own.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from webhook import _fake_github, _key, _opened, _port, _serve
from workers import _ready

from tests.fakegithub import BASE_FILES, FakePull, FakeRepo

PG = os.environ.get("MIGRATION_REVIEW_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
ROOT = Path(__file__).resolve().parent.parent


class Bench:
    """The receiver, the fake GitHub and the worker processes of one run of this script."""

    def __init__(self, tmp: Path, private: str, public: str) -> None:
        self.schema = f"mr_recovery_{os.getpid()}"
        with psycopg.connect(PG, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
            admin.execute(f"CREATE SCHEMA {self.schema}")
        self.url = f"{PG}{'&' if '?' in PG else '?'}options=-csearch_path%3D{self.schema}"
        self.fake, self.repo, port, self.server = _fake_github(public)
        self.base = self.fake.commit(self.repo, dict(BASE_FILES))
        self.tmp = tmp
        self.app_port = _port()
        env = {"DATABASE_URL": self.url, "MIGRATION_REVIEW_WRITE_INTERVAL": "0"}
        self.receiver = _serve(
            tmp, private, f"http://127.0.0.1:{port}", self.app_port, "--no-worker", env_extra=env
        )
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "GITHUB_APP_ID": "29310",
            "GITHUB_PRIVATE_KEY": private,
            "GITHUB_WEBHOOK_SECRET": "bench-secret",
            "GITHUB_API_URL": f"http://127.0.0.1:{port}",
            "MIGRATION_REVIEW_CACHE_DIR": str(tmp / "cache"),
            **env,
        }
        self.workers: list[subprocess.Popen[bytes]] = []
        self.number = 0

    def start_worker(self) -> subprocess.Popen[bytes]:
        worker = subprocess.Popen(
            [sys.executable, "-m", "bot", "worker"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.workers.append(worker)
        return worker

    def live(self) -> list[subprocess.Popen[bytes]]:
        return [worker for worker in self.workers if worker.poll() is None]

    def round(self, kill: bool) -> float:
        """Seconds from the kill (or, without one, from letting the download go) to the completed check run."""
        self.number += 1
        number = self.number
        migration = f"ALTER TABLE users ADD COLUMN c{number} text;\n"
        head = self.fake.commit(self.repo, BASE_FILES | {f"db/migrations/{number:06}_add.up.sql": migration})
        self.repo.pulls[number] = FakePull(number, self.base, head, "Adds a column.")
        while len(self.live()) > 1:  # one worker takes the job: the one killed
            self.live()[0].terminate()
            time.sleep(0.2)
        if not self.live():
            self.start_worker()
        holder = self.live()[0]
        _until(lambda: _ready(self.app_port) and self.beating(holder), "the worker's heartbeat")
        gate = self.fake.hold(r"/_codeload/")
        body, headers = _opened(number, head, f"recovery-{number}")
        httpx.post(
            f"http://127.0.0.1:{self.app_port}/webhooks/github", content=body, headers=headers, timeout=10
        )
        _until(lambda: self.fake.waiting(r"/_codeload/") > 0, "the review to start")
        second = self.start_worker()
        _until(lambda: self.beating(second), "the second worker's heartbeat")
        time.sleep(1.0)  # its procrastinate worker is listening too, not only our heartbeat
        started = time.perf_counter()
        if kill:
            holder.send_signal(signal.SIGKILL)
            holder.wait(timeout=10)
        gate.set()
        _until(lambda: _completed(self.repo, head), "the check run", timeout=120)
        return time.perf_counter() - started

    def beating(self, worker: subprocess.Popen[bytes]) -> bool:
        """The worker process sent its heartbeat in the last seconds (a killed one's row stays a while)."""
        with psycopg.connect(self.url, autocommit=True) as db:
            row = db.execute(
                "SELECT count(*) FROM workers WHERE name LIKE %s AND seen_at > extract(epoch FROM now()) - 5",
                (f"%:{worker.pid}",),
            ).fetchone()
        return bool(row and row[0])

    def close(self) -> None:
        for process in [*self.workers, self.receiver]:
            if process.poll() is None:
                process.terminate()
        for process in [*self.workers, self.receiver]:
            process.wait(timeout=30)
        self.server.should_exit = True
        with psycopg.connect(PG, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")


def embedded_round(tmp: Path, private: str, public: str, kill: bool) -> float:
    """The embedded default (SQLite, one `serve` with its worker): in a round with a kill, the server is
    SIGKILLed mid-review and started again at once, as a supervisor would; seconds from the kill (or from
    letting the download go) to the completed check run, the restart included."""
    fake, repo, port, server = _fake_github(public)
    base = fake.commit(repo, dict(BASE_FILES))
    head = fake.commit(
        repo, BASE_FILES | {"db/migrations/000002_add.up.sql": "ALTER TABLE users ADD c text;\n"}
    )
    repo.pulls[2] = FakePull(2, base, head, "Adds a column.")
    app_port = _port()
    scratch = tmp / f"embedded-{app_port}"
    scratch.mkdir()
    api = f"http://127.0.0.1:{port}"
    serve = _serve(scratch, private, api, app_port)
    try:
        gate = fake.hold(r"/_codeload/")
        body, headers = _opened(2, head, f"embedded-{app_port}")
        httpx.post(f"http://127.0.0.1:{app_port}/webhooks/github", content=body, headers=headers, timeout=10)
        _until(lambda: fake.waiting(r"/_codeload/") > 0, "the review to start")
        started = time.perf_counter()
        if kill:
            serve.send_signal(signal.SIGKILL)
            serve.wait(timeout=10)
            gate.set()
            serve = _serve(scratch, private, api, app_port)
        else:
            gate.set()
        _until(lambda: _completed(repo, head), "the check run", timeout=120)
        return time.perf_counter() - started
    finally:
        serve.terminate()
        serve.wait(timeout=30)
        server.should_exit = True


def _completed(repo: FakeRepo, head: str) -> bool:
    return any(r["head_sha"] == head and r["status"] == "completed" for r in repo.check_runs)


def _until(condition: Callable[[], object], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.02)


def _line(name: str, values: list[float]) -> str:
    return (
        f"  {name}: median {statistics.median(values):5.2f} s, max {max(values):5.2f} s"
        f" ({', '.join(f'{v:.2f}' for v in values)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from bot.app import engine

    print(
        f"time to a completed check run, PostgreSQL job engine, {args.rounds} rounds each"
        f" (heartbeat every {engine.HEARTBEAT} s, stalled after {engine.STALLED} s,"
        f" looked for every {engine.RECOVERY} s)"
    )
    print(f"load average before the runs {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    private, public = _key()
    killed: list[float] = []
    kept: list[float] = []
    restarted: list[float] = []
    alone: list[float] = []
    with tempfile.TemporaryDirectory() as scratch:
        bench = Bench(Path(scratch), private, public)
        try:
            for _ in range(args.rounds):  # interleaved, so that both see the same load
                kept.append(bench.round(kill=False))
                killed.append(bench.round(kill=True))
        finally:
            bench.close()
        for _ in range(args.rounds):
            alone.append(embedded_round(Path(scratch), private, public, kill=False))
            restarted.append(embedded_round(Path(scratch), private, public, kill=True))
    print(_line("worker SIGKILLed mid-review, from the kill", killed))
    print(_line("no kill (baseline: the same review, let go)", kept))
    print(f"  what a kill costs: {statistics.median(killed) - statistics.median(kept):.2f} s (medians)")
    print("embedded default (SQLite, one serve): the server SIGKILLed mid-review and started again at once")
    print(_line("from the kill, restart included", restarted))
    print(_line("no kill (baseline: the same review, let go)", alone))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
