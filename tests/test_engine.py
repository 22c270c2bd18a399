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
    admin, url = schema
    workers.start()
    scenario.open_pull(3, scenario.safe)
    assert server.send("pull_request", _opened(webhook, scenario, 3), "d-before").status_code == 202
    _wait(lambda: len(_completed(scenario)) == 1, timeout=60, what="the first review")
    cut = admin.execute(  # every connection of this test's web process and worker, nobody else's
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name=%s",
        (_schema_name(url),),
    ).fetchone()
    assert cut is not None and cut[0] >= 2
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


# --- an upgrade across procrastinate releases ---------------------------------------------------------

_CATALOG = {
    "columns": "SELECT table_name, column_name, data_type, is_nullable, column_default"
    " FROM information_schema.columns WHERE table_schema=%(s)s AND table_name LIKE 'procrastinate%%'",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes"
    " WHERE schemaname=%(s)s AND tablename LIKE 'procrastinate%%'",
    "functions": "SELECT p.proname, pg_get_function_identity_arguments(p.oid), pg_get_function_result(p.oid),"
    " regexp_replace(p.prosrc, '\\s+', ' ', 'g') FROM pg_proc p WHERE p.pronamespace=%(s)s::regnamespace",
    "triggers": "SELECT event_object_table, trigger_name, action_timing, event_manipulation, action_statement"
    " FROM information_schema.triggers WHERE trigger_schema=%(s)s",
    "enums": "SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text FROM pg_type t"
    " JOIN pg_enum e ON e.enumtypid=t.oid WHERE t.typnamespace=%(s)s::regnamespace GROUP BY 1",
    "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
    " WHERE connamespace=%(s)s::regnamespace AND conrelid::regclass::text LIKE '%%procrastinate%%'",
}


def _catalog(admin: Any, schema: str) -> dict[str, set[tuple[str, ...]]]:
    """procrastinate's tables, indexes, functions, triggers, enum values and constraints, schema-free."""
    return {
        what: {
            tuple(str(v).replace(f"{schema}.", "") for v in row) for row in admin.execute(sql, {"s": schema})
        }
        for what, sql in _CATALOG.items()
    }


def _as_released(url: str, release: str) -> None:
    """The engine's tables as procrastinate `release` left them: its migration files from the first one
    up to that release (the package ships every step since its baseline), and that release recorded."""
    import procrastinate
    import psycopg

    shipped = Path(procrastinate.__file__).parent / "sql" / "migrations"
    prefix = ".".join(f"{int(part):02}" for part in release.split("."))
    with psycopg.connect(url, autocommit=True) as db:
        for path in sorted(shipped.glob("*.sql")):
            if path.name[:8] <= prefix:
                db.execute(path.read_text(encoding="utf-8"))
        db.execute("CREATE TABLE engine_schema (version TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)")
        db.execute("INSERT INTO engine_schema VALUES (%s, 0)", (release,))


def _schema_name(url: str) -> str:
    """The schema (and application name) of the `schema` fixture's DATABASE_URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        row = db.execute("SELECT current_schema()").fetchone()
    assert row is not None
    return str(row[0])


@pytest.mark.parametrize("release", ["0.5.0", "1.0.0", "2.0.0", "2.6.0", "3.0.0", "3.3.0"])
def test_a_database_of_an_earlier_procrastinate_is_upgraded_to_the_installed_schema(
    schema: tuple[Any, str], release: str
) -> None:
    """Start-up takes procrastinate's migrations since the recorded release (enum values added by one
    file and used by the next included): the engine's tables end as a new database gets them."""
    from bot.app.store import Store

    admin, url = schema
    name = _schema_name(url)
    Store(url).close()
    fresh = _catalog(admin, name)
    admin.execute(f"DROP SCHEMA {name} CASCADE")
    admin.execute(f"CREATE SCHEMA {name}")
    _as_released(url, release)
    assert _catalog(admin, name) != fresh
    Store(url).close()
    upgraded = _catalog(admin, name)
    assert {what: sorted(fresh[what] ^ upgraded[what]) for what in fresh} == {what: [] for what in fresh}
    Store(url).close()  # a second start has nothing left to take


def test_a_job_queued_under_an_earlier_procrastinate_is_reviewed_after_the_upgrade(
    tmp_path: Path,
    github_url: str,  # noqa: F811
    key_pair: tuple[str, str],
    schema: tuple[Any, str],
    scenario: Scenario,
    webhook: Payload,
) -> None:
    """A database procrastinate 2.0.0 made (no heartbeats, no worker column, older functions), with a
    review still queued: the web process upgrades it at start, a worker takes the old job and a new one."""
    import dataclasses

    import procrastinate
    import psycopg

    from bot.app.engine import QUEUE, TASK_NAME
    from bot.app.webhooks import Task

    _, url = schema
    _as_released(url, "2.0.0")
    scenario.open_pull(2, scenario.blocked)
    task = Task("review", 1, scenario.repo.owner, scenario.repo.name, scenario.repo.id, 2, scenario.blocked)
    with psycopg.connect(url, autocommit=True) as db:  # as procrastinate 2.0.0 queued a job
        db.execute(
            "INSERT INTO procrastinate_jobs (queue_name, task_name, lock, queueing_lock, args)"
            " VALUES (%s, %s, %s, %s, %s)",
            (QUEUE, TASK_NAME, task.key, task.key, json.dumps(dataclasses.asdict(task))),
        )
    server = Server(tmp_path, github_url, key_pair[0])
    server.env["DATABASE_URL"] = url
    server.start("--no-worker")
    workers = Workers(server)
    try:
        workers.start()
        _wait(lambda: _completed(scenario), timeout=60, what="the job queued before the upgrade")
        scenario.open_pull(3, scenario.safe)
        assert server.send("pull_request", _opened(webhook, scenario, 3), "d-upgraded").status_code == 202
        _wait(lambda: len(_completed(scenario)) == 2, timeout=60, what="a review queued after the upgrade")
        _wait(server.idle, what="the queue to empty")
    finally:
        workers.stop()
        server.stop()
    assert {(r["head_sha"], r["conclusion"]) for r in _completed(scenario)} == {
        (scenario.blocked, "failure"),
        (scenario.safe, "success"),
    }
    with psycopg.connect(url, autocommit=True) as db:
        recorded = [row[0] for row in db.execute("SELECT version FROM engine_schema ORDER BY applied_at")]
    assert recorded == ["2.0.0", procrastinate.__version__]
