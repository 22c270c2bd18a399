"""The scale-out job engine on PostgreSQL, through HTTP against the fake GitHub: web-only and worker-only
processes, a worker killed mid-review, a dropped database connection, pushes collapsed per pull request."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import Scenario
from tests.test_e2e_app import Server, _completed, _wait, github_url  # noqa: F401 (a fixture)

Payload = Any
PG_URL = os.environ.get("MIGRATION_REVIEW_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def schema() -> Iterator[tuple[Any, str]]:
    """A fresh PostgreSQL schema; (admin connection, DATABASE_URL that uses it)."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is not reachable: {error}")
        pytest.skip(f"PostgreSQL is not reachable: {error}")
    name = f"mr_engine_{os.getpid()}"
    admin.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    admin.execute(f"CREATE SCHEMA {name}")
    joiner = "&" if "?" in PG_URL else "?"
    yield admin, f"{PG_URL}{joiner}options=-csearch_path%3D{name}&application_name={name}"
    admin.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    admin.close()


class Workers:
    """`migration-review worker` processes on the receiver's settings."""

    def __init__(self, receiver: Server) -> None:
        self.receiver = receiver
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        with (self.receiver.log.parent / f"worker-{len(self.processes)}.log").open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "worker"],
                env=self.receiver.env,
                cwd=self.receiver.log.parent,
                stdout=log,
                stderr=log,
            )
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@pytest.fixture
def receiver(
    tmp_path: Path,
    github_url: str,  # noqa: F811
    key_pair: tuple[str, str],
    schema: tuple[Any, str],
) -> Iterator[tuple[Server, Workers]]:
    server = Server(tmp_path, github_url, key_pair[0])
    server.env["DATABASE_URL"] = schema[1]
    server.start("--no-worker")
    workers = Workers(server)
    yield server, workers
    workers.stop()
    server.stop()


def _opened(webhook: Payload, scenario: Scenario, number: int) -> bytes:
    body: bytes = webhook(
        "pull_request__opened",
        number=number,
        pull_request__number=number,
        pull_request__head__sha=scenario.repo.pulls[number].head_sha,
    )
    return body


def test_a_worker_killed_mid_review_is_recovered_by_another(
    receiver: tuple[Server, Workers], scenario: Scenario, webhook: Payload
) -> None:
    """SIGKILL mid-review: the other worker finds the silent worker's job and resumes it, reusing its check
    run. (How long that takes is measured by bench/recovery.py, not here.)"""
    server, workers = receiver
    gate = scenario.fake.hold(r"/_codeload/")
    first = workers.start()
    scenario.open_pull(2, scenario.blocked)
    assert server.send("pull_request", _opened(webhook, scenario, 2), "d-killed").status_code == 202
    _wait(lambda: scenario.fake.waiting(r"/_codeload/"), timeout=60, what="the review to start")
    workers.start()  # a second worker, alive before the first dies
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    gate.set()
    _wait(lambda: _completed(scenario), timeout=60, what="another worker to finish the review")
    _wait(server.idle, what="the queue to empty")
    [run] = _completed(scenario)
    assert run["conclusion"] == "failure" and run["head_sha"] == scenario.blocked
    assert [r["status"] for r in scenario.repo.check_runs] == ["completed"]  # resumed, not duplicated
    assert len([c for c in scenario.repo.comments if c["issue"] == 2]) == 1
    assert scenario.fake.seen("POST", r"/access_tokens$") == 1  # both worker processes used one token
    handed_on = [
        line for line in _log_lines(server.log.parent / "worker-1.log") if line.get("event") == _HANDED_ON
    ]
    assert len(handed_on) == 1  # by the stalled-job recovery, once


_HANDED_ON = "job of a stalled worker queued again"


def test_a_dropped_database_connection_is_recovered(
    receiver: tuple[Server, Workers], scenario: Scenario, webhook: Payload, schema: tuple[Any, str]
) -> None:
    server, workers = receiver
    admin, _ = schema
    workers.start()
    scenario.open_pull(3, scenario.safe)
    assert server.send("pull_request", _opened(webhook, scenario, 3), "d-before").status_code == 202
    _wait(lambda: len(_completed(scenario)) == 1, timeout=60, what="the first review")
    name = admin.execute("SELECT current_setting('search_path')").fetchone()  # the admin's, not the app's
    cut = admin.execute(  # every connection of the web process and its worker
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name LIKE 'mr_engine_%'"
    ).fetchone()
    assert name is not None and cut is not None and cut[0] >= 2
    health = httpx.get(f"{server.url}/healthz", timeout=10)
    assert health.status_code == 200
    scenario.open_pull(4, scenario.blocked)
    answer = server.send("pull_request", _opened(webhook, scenario, 4), "d-after")
    assert answer.status_code == 202, answer.text
    _wait(lambda: len(_completed(scenario)) == 2, timeout=60, what="a review after the connection dropped")
    ready = httpx.get(f"{server.url}/readyz", timeout=10)
    assert ready.status_code == 200, ready.text


def test_pushes_to_one_pull_request_collapse_into_one_review_of_the_last_head(
    receiver: tuple[Server, Workers], scenario: Scenario, webhook: Payload
) -> None:
    server, workers = receiver
    scenario.open_pull(5, scenario.blocked)
    for n in range(4):  # queued before any worker runs: they collapse into the one waiting review
        assert server.send("pull_request", _opened(webhook, scenario, 5), f"d-push-{n}").status_code == 202
    scenario.repo.pulls[5].head_sha = scenario.safe  # the last push
    assert server.send("pull_request", _opened(webhook, scenario, 5), "d-push-last").status_code == 202
    workers.start()
    _wait(lambda: _completed(scenario), timeout=60, what="the review")
    _wait(server.idle, what="the queue to empty")
    [run] = _completed(scenario)
    assert run["head_sha"] == scenario.safe and run["conclusion"] == "success"
    assert len(scenario.repo.check_runs) == 1


def _log_lines(path: Path) -> list[dict[str, Any]]:
    lines = []
    for line in path.read_text(errors="replace").splitlines():
        with contextlib.suppress(ValueError):
            lines.append(json.loads(line))
    return lines


def _taken_over(jobs: Any) -> bool:
    """The review's job was handed on by a recovery and taken again (procrastinate counts an attempt)."""
    row = jobs.execute(
        "SELECT count(*) FROM procrastinate_jobs WHERE status='doing' AND attempts>=1"
    ).fetchone()
    return bool(row and row[0])


def test_a_starved_worker_taken_for_stalled_publishes_nothing_and_ends_nothing(
    receiver: tuple[Server, Workers], scenario: Scenario, webhook: Payload, schema: tuple[Any, str]
) -> None:
    """A worker stopped (SIGSTOP: alive, but its heartbeat late, as under CPU starvation) loses its job
    to another worker. When it runs again and finishes its review, it must neither publish nor end the
    job under the run that took it over: one completed check run, one comment, nothing stuck.

    Each step waits for a state, never for a count of requests: the stopped worker's own requests still
    in flight, or a held request repeated after a client timeout, must not pass for the other run's.
    """
    server, workers = receiver
    import psycopg

    jobs = psycopg.connect(schema[1], autocommit=True)  # the app's schema, to see its jobs
    server.env["MIGRATION_REVIEW_GITHUB_TIMEOUT"] = (
        "600"  # requests are held here for as long as a step takes
    )
    tarballs = scenario.fake.hold(r"/_codeload/")
    first = workers.start()
    scenario.open_pull(2, scenario.blocked)
    assert server.send("pull_request", _opened(webhook, scenario, 2), "d-starved").status_code == 202
    _wait(lambda: scenario.fake.waiting(r"/_codeload/"), timeout=60, what="the review to start")
    first.send_signal(signal.SIGSTOP)
    try:
        second = workers.start()
        _wait(lambda: _taken_over(jobs), timeout=60, what="the second worker to take the job over")
        looks = scenario.fake.hold(r"/pulls/2$")  # the runs' looks at the pull request, before publishing
        tarballs.set()
        first.send_signal(signal.SIGCONT)
        _wait(
            lambda: scenario.fake.waiting(r"/pulls/2$") == 2,
            timeout=60,
            what="both runs to look at the pull request (the late one before publishing)",
        )
        second.send_signal(signal.SIGSTOP)  # the late run goes first
        try:
            looks.set()
            log = server.log.parent / "worker-0.log"
            _wait(
                lambda: any(
                    line.get("event") == "job finished" and line.get("state") == "superseded"
                    for line in _log_lines(log)
                ),
                timeout=60,
                what="the late run to end",
            )
        finally:
            second.send_signal(signal.SIGCONT)
    finally:
        first.send_signal(signal.SIGCONT)
    _wait(lambda: _completed(scenario), timeout=60, what="the run that took the job over to publish")
    _wait(server.idle, what="the queue to empty")
    assert [r["status"] for r in scenario.repo.check_runs] == ["completed"]
    assert scenario.repo.check_runs[0]["updates"] == 1  # concluded once, by one run
    assert len([c for c in scenario.repo.comments if c["issue"] == 2]) == 1
    jobs.close()
