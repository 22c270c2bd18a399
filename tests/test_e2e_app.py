"""End to end: `migration-review serve` as a real process, the fake GitHub served on 127.0.0.1.

Signed deliveries built from GitHub's example payloads go in over HTTP; the assertions are on what the
fake GitHub received.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from tests.conftest import APP_ID, SECRET, Scenario, headers

ROOT = Path(__file__).resolve().parent.parent
Payload = Callable[..., bytes]
# one TLS context for every request to the server: httpx would load the CA bundle for each (the scale
# test's 500 deliveries spent more CPU on that than the server spent on them)
_TLS = httpx.create_ssl_context()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(predicate: Callable[[], Any], timeout: float = 60.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def github_url(scenario: Scenario) -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(scenario.fake.app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    _wait(lambda: server.started, what="the fake GitHub to start")
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)


class Server:
    """`migration-review serve` in a subprocess; can be killed and started again on the same store."""

    def __init__(self, tmp_path: Path, github_url: str, private_key: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / "serve.log"
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "GITHUB_APP_ID": str(APP_ID),
            "GITHUB_PRIVATE_KEY": private_key,
            "GITHUB_WEBHOOK_SECRET": SECRET.decode(),
            "GITHUB_API_URL": github_url.rstrip("/"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
            "MIGRATION_REVIEW_CACHE_DIR": str(tmp_path / "cache"),
            "MIGRATION_REVIEW_WRITE_INTERVAL": "0",
            "MIGRATION_REVIEW_LEASE": "2",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *extra: str) -> None:
        command = [
            sys.executable,
            "-m",
            "bot",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            *extra,
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env, cwd=self.log.parent, stdout=log, stderr=log
            )
        _wait(self._healthy, timeout=30, what="migration-review serve to answer /healthz")

    def _healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"serve exited: {self.log.read_text()}")
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1, verify=_TLS).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def send(self, event: str, body: bytes, delivery: str, secret: bytes = SECRET) -> httpx.Response:
        return httpx.post(
            f"{self.url}/webhooks/github",
            content=body,
            headers=headers(event, body, delivery, secret),
            timeout=10,
            verify=_TLS,
        )

    def idle(self) -> bool:
        return httpx.get(f"{self.url}/healthz", timeout=2, verify=_TLS).json()["unfinished_jobs"] == 0


@pytest.fixture
def server(tmp_path: Path, github_url: str, key_pair: tuple[str, str]) -> Iterator[Server]:
    process = Server(tmp_path, github_url, key_pair[0])
    process.start()
    yield process
    process.stop()


def _completed(scenario: Scenario) -> list[dict[str, Any]]:
    return [r for r in scenario.repo.check_runs if r["status"] == "completed"]


def _comments(scenario: Scenario, number: int) -> list[dict[str, Any]]:
    return [c for c in scenario.repo.comments if c["issue"] == number]


def test_review_push_recheck_and_refusal(server: Server, scenario: Scenario, webhook: Payload) -> None:
    pull = scenario.open_pull(2, scenario.blocked)
    opened = webhook(
        "pull_request__opened", number=2, pull_request__number=2, pull_request__head__sha=scenario.blocked
    )
    assert server.send("pull_request", opened, "d-opened").status_code == 202
    [run] = _wait(lambda: _completed(scenario), what="the first check run")
    assert run["name"] == "Migration Review" and run["conclusion"] == "failure"
    assert run["head_sha"] == scenario.blocked
    assert any(a["path"] == "db/migrations/000002_add_plan.up.sql" for a in run["annotations"])
    assert len(_comments(scenario, 2)) == 1

    pull.head_sha = scenario.safe
    pushed = webhook(
        "pull_request__synchronize", number=2, pull_request__number=2, pull_request__head__sha=scenario.safe
    )
    assert server.send("pull_request", pushed, "d-push").status_code == 202
    _wait(lambda: len(_completed(scenario)) == 2, what="the check run of the second push")
    assert _completed(scenario)[1]["conclusion"] == "success"
    [comment] = _comments(scenario, 2)
    assert comment["edits"] == 1

    recheck = webhook(
        "issue_comment__created",
        issue__number=2,
        issue__pull_request={"url": "u"},
        comment__id=501,
        comment__body="/recheck",
        comment__user__login="Codertocat",
    )
    assert server.send("issue_comment", recheck, "d-recheck").status_code == 202
    _wait(lambda: (501, "rocket") in scenario.repo.reactions, what="the /recheck to finish")
    assert len(_completed(scenario)) == 3 and (501, "eyes") in scenario.repo.reactions

    assert server.send("issue_comment", recheck, "d-recheck").status_code == 200  # the same delivery again
    refused = webhook(
        "issue_comment__created",
        issue__number=2,
        issue__pull_request={"url": "u"},
        comment__id=502,
        comment__body="/recheck",
        comment__user__login="reader",
    )
    assert server.send("issue_comment", refused, "d-reader").status_code == 202
    _wait(lambda: (502, "confused") in scenario.repo.reactions, what="the refusal")
    _wait(server.idle, what="the queue to empty")
    assert len(scenario.repo.check_runs) == 3
    assert len(_comments(scenario, 2)) == 2  # the review and one polite refusal

    assert server.send("pull_request", opened, "d-forged", secret=b"forged").status_code == 401
    assert scenario.fake.seen("POST", r"/check-runs$") == 3


def test_a_job_resumes_after_the_server_is_killed(
    server: Server, scenario: Scenario, webhook: Payload
) -> None:
    gate = scenario.fake.hold(r"/_codeload/")
    scenario.open_pull(2, scenario.blocked)
    opened = webhook(
        "pull_request__opened", number=2, pull_request__number=2, pull_request__head__sha=scenario.blocked
    )
    assert server.send("pull_request", opened, "d-opened").status_code == 202
    _wait(lambda: scenario.fake.seen("GET", r"/_codeload/"), what="the job to reach the tarball")
    server.kill()
    assert [r["status"] for r in scenario.repo.check_runs] == ["in_progress"]
    gate.set()
    server.start()
    _wait(lambda: _completed(scenario), what="the resumed job to publish")
    [run] = scenario.repo.check_runs
    assert run["conclusion"] == "failure"
    assert len(_comments(scenario, 2)) == 1


def test_a_server_killed_and_started_again_takes_its_review_back_at_once(
    tmp_path: Path, github_url: str, key_pair: tuple[str, str], scenario: Scenario, webhook: Payload
) -> None:
    """With no other worker alive, the review the killed process held is resumed by the new one at
    start, not when its lease (here ten minutes) runs out."""
    server = Server(tmp_path, github_url, key_pair[0])
    server.env["MIGRATION_REVIEW_LEASE"] = "600"
    server.start()
    try:
        gate = scenario.fake.hold(r"/_codeload/")
        scenario.open_pull(3, scenario.safe)
        opened = webhook(
            "pull_request__opened", number=3, pull_request__number=3, pull_request__head__sha=scenario.safe
        )
        assert server.send("pull_request", opened, "d-orphan").status_code == 202
        _wait(lambda: scenario.fake.waiting(r"/_codeload/"), what="the job to reach the tarball")
        server.kill()
        gate.set()
        server.start()
        _wait(lambda: _completed(scenario), what="the review taken back by the new process")
    finally:
        server.stop()
    [run] = scenario.repo.check_runs  # resumed: the check run of the killed process is reused
    assert run["conclusion"] == "success"
    assert len(_comments(scenario, 3)) == 1


def test_a_separate_worker_process(
    tmp_path: Path, github_url: str, key_pair: tuple[str, str], scenario: Scenario, webhook: Payload
) -> None:
    receiver = Server(tmp_path, github_url, key_pair[0])
    receiver.start("--no-worker")
    worker = subprocess.Popen(
        [sys.executable, "-m", "bot", "worker"],
        env=receiver.env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        scenario.open_pull(3, scenario.safe)
        opened = webhook(
            "pull_request__opened", number=3, pull_request__number=3, pull_request__head__sha=scenario.safe
        )
        assert receiver.send("pull_request", opened, "d-1").status_code == 202
        [run] = _wait(lambda: _completed(scenario), what="the worker to publish")
        assert run["conclusion"] == "success"
    finally:
        worker.terminate()
        worker.wait(timeout=10)
        receiver.stop()


def test_a_missing_setting_is_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "DATABASE_URL"))}
    env |= {"PYTHONPATH": str(ROOT), "GITHUB_APP_ID": "1", "GITHUB_PRIVATE_KEY": "x"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "migration-review: GITHUB_WEBHOOK_SECRET is not set"


def test_a_job_interrupted_by_a_graceful_stop_starts_again_at_once(
    server: Server, scenario: Scenario, webhook: Payload
) -> None:
    server.env["MIGRATION_REVIEW_LEASE"] = "600"  # no waiting for a lease: the stop hands the job back
    server.stop()
    server.start()
    gate = scenario.fake.hold(r"/_codeload/")
    scenario.open_pull(2, scenario.blocked)
    opened = webhook(
        "pull_request__opened", number=2, pull_request__number=2, pull_request__head__sha=scenario.blocked
    )
    assert server.send("pull_request", opened, "d-opened").status_code == 202
    _wait(lambda: scenario.fake.seen("GET", r"/_codeload/"), what="the job to reach the tarball")
    server.stop()
    gate.set()
    server.start()
    [run] = _wait(lambda: _completed(scenario), timeout=20, what="the job to run again")
    assert run["conclusion"] == "failure"


def test_scale_out_on_postgresql(
    tmp_path: Path, github_url: str, key_pair: tuple[str, str], scenario: Scenario, webhook: Payload
) -> None:
    psycopg = pytest.importorskip("psycopg")
    url = os.environ.get("MIGRATION_REVIEW_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
    try:
        admin = psycopg.connect(url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is not reachable: {error}")
        pytest.skip(f"PostgreSQL is not reachable: {error}")
    schema = f"mr_e2e_{os.getpid()}"
    admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    admin.execute(f"CREATE SCHEMA {schema}")
    receiver = Server(tmp_path, github_url, key_pair[0])
    receiver.env["DATABASE_URL"] = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    receiver.start("--no-worker")
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "worker"],
            env=receiver.env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        for number in (11, 12, 13):
            scenario.open_pull(number, scenario.blocked if number % 2 else scenario.safe)
            body = webhook(
                "pull_request__opened",
                number=number,
                pull_request__number=number,
                pull_request__head__sha=scenario.repo.pulls[number].head_sha,
            )
            assert receiver.send("pull_request", body, f"pg-{number}").status_code == 202
        _wait(lambda: len(_completed(scenario)) == 3, what="two workers to publish three reviews")
        _wait(receiver.idle, what="the queue to empty")
        assert sorted(r["conclusion"] for r in scenario.repo.check_runs) == ["failure", "failure", "success"]
        assert sorted(c["issue"] for c in scenario.repo.comments) == [11, 12, 13]
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=10)
        receiver.stop()
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.close()
