"""Operating the app: bounded metrics, readiness, JSON logs with the work's context, start-up checks,
and no internal detail in a pull request. Through HTTP (in-process and `migration-review serve`),
against the fake GitHub."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import httpx
import pytest
import uvicorn

from bot.app import jobs, tasks
from bot.app.github import GitHubApp
from bot.app.metrics import Metrics
from bot.app.settings import Settings
from bot.app.store import Job, Store
from bot.app.web import create_app
from tests.conftest import NAME, OWNER, App, Scenario, headers, in_process, make_settings, payload
from tests.fakegithub import BASE_FILES
from tests.test_e2e_app import ROOT, Server, _free_port, _wait, github_url  # noqa: F401 (a fixture)

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def _measured(settings: Settings, transport: httpx.AsyncBaseTransport | None) -> AsyncIterator[App]:
    """The app in-process, its worker and GitHub client reporting to the page's metrics."""
    async with in_process(settings, transport, metrics=Metrics()) as running:
        yield running


@pytest.fixture
async def measured(tmp_path: Path, key_pair: tuple[str, str], scenario: Scenario) -> AsyncIterator[App]:
    settings = make_settings(tmp_path, key_pair[0])
    async with _measured(settings, httpx.ASGITransport(app=scenario.fake.app())) as app:
        yield app


def _series(page: str, name: str) -> list[str]:
    return [line for line in page.splitlines() if line.startswith(name + "{") or line.startswith(name + " ")]


async def test_unsigned_requests_cannot_grow_the_metrics(measured: App) -> None:
    for n in range(50):
        body = b'{"action": "x%d"}' % n
        await measured.client.post(
            "/webhooks/github",
            content=body,
            headers={
                "X-GitHub-Event": f"bogus-{n}",
                "X-GitHub-Delivery": f"d{n}",
                "X-Hub-Signature-256": "sha256=0",
            },
        )
    signed = payload("ping")
    for n, event in enumerate(["made-up-event", "another-one"]):
        await measured.client.post(
            "/webhooks/github", content=signed, headers=headers(event, signed, f"s{n}")
        )
    page = (await measured.client.get("/metrics")).text
    assert "bogus" not in page and "made-up" not in page
    assert _series(page, "migration_review_webhooks_total") == [
        'migration_review_webhooks_total{event="unverified",outcome="bad_signature"} 50.0',
        'migration_review_webhooks_total{event="other",outcome="unknown"} 2.0',
    ]


async def test_latency_queue_and_github_calls_are_measured(measured: App, scenario: Scenario) -> None:
    scenario.open_pull(2, scenario.blocked)
    opened = payload("pull_request__opened", number=2, pull_request__number=2)
    assert (await measured.send("pull_request", opened)).status_code == 202
    page = (await measured.client.get("/metrics")).text
    assert 'migration_review_acknowledgement_seconds_count{outcome="queued"} 1.0' in page
    assert 'migration_review_jobs{state="queued"} 1.0' in page
    [age] = _series(page, 'migration_review_job_age_seconds{state="queued"}')
    assert float(age.split()[-1]) >= 0
    assert await measured.drain() == 1
    page = (await measured.client.get("/metrics")).text
    assert 'migration_review_job_seconds_count{kind="review",state="done"} 1.0' in page
    assert 'migration_review_jobs{state="queued"} 0.0' in page
    [gets] = _series(page, 'migration_review_github_request_seconds_count{method="GET"}')
    assert float(gets.split()[-1]) >= 3  # the pull request, its files, the snapshots at least
    assert 'migration_review_github_request_seconds_count{method="POST"}' in page


async def test_github_errors_are_counted_by_status(measured: App, scenario: Scenario) -> None:
    opened = payload("pull_request__opened", number=404, pull_request__number=404)  # no such pull request
    await measured.send("pull_request", opened)
    await measured.drain()
    page = (await measured.client.get("/metrics")).text
    [errors] = _series(page, 'migration_review_github_errors_total{status="404"}')
    assert float(errors.split()[-1]) >= 1


async def test_a_slow_github_is_a_timeout_counted_and_retried(
    tmp_path: Path,
    key_pair: tuple[str, str],
    scenario: Scenario,
    github_url: str,  # noqa: F811
) -> None:
    """Over HTTP: the first look at the pull request takes longer than the client waits."""
    settings = make_settings(tmp_path, key_pair[0], api_url=github_url, github_timeout=0.5)
    scenario.open_pull(2, scenario.blocked)
    scenario.fake.slow("GET", r"/pulls/2$", seconds=3.0)
    async with _measured(settings, transport=None) as app:
        opened = payload("pull_request__opened", number=2, pull_request__number=2)
        assert (await app.send("pull_request", opened)).status_code == 202
        assert await app.drain() == 1
        page = (await app.client.get("/metrics")).text
    [timeouts] = _series(page, 'migration_review_github_errors_total{status="timeout"}')
    assert float(timeouts.split()[-1]) == 1
    assert scenario.fake.seen("GET", r"/pulls/2$") >= 3  # the slow one, its retry, the look before publishing
    [run] = scenario.repo.check_runs
    assert run["status"] == "completed" and run["conclusion"] == "failure"


async def test_an_unreachable_github_is_counted_and_retried_until_it_answers(
    tmp_path: Path, key_pair: tuple[str, str], scenario: Scenario
) -> None:
    """Nothing listens on GitHub's port at first: the refused connections are counted, and the requests
    (a token's POST among them: it never left) are tried again until GitHub is back."""
    port = _free_port()
    settings = make_settings(tmp_path, key_pair[0], api_url=f"http://127.0.0.1:{port}/")
    scenario.open_pull(2, scenario.blocked)
    server = uvicorn.Server(
        uvicorn.Config(scenario.fake.app(), host="127.0.0.1", port=port, log_level="warning")
    )
    async with _measured(settings, transport=None) as app:
        opened = payload("pull_request__opened", number=2, pull_request__number=2)
        assert (await app.send("pull_request", opened)).status_code == 202

        async def refused_once() -> None:
            while 'status="connection"' not in (await app.client.get("/metrics")).text:
                await anyio.sleep(0.02)
            thread = threading.Thread(target=server.run, daemon=True)
            thread.start()

        async with anyio.create_task_group() as group:
            group.start_soon(refused_once)
            assert await app.drain() == 1
        page = (await app.client.get("/metrics")).text
    server.should_exit = True
    [refused] = _series(page, 'migration_review_github_errors_total{status="connection"}')
    assert float(refused.split()[-1]) >= 1
    [run] = scenario.repo.check_runs
    assert run["status"] == "completed" and run["conclusion"] == "failure"


async def test_readiness_needs_the_database_the_key_and_a_worker(measured: App) -> None:
    assert (await measured.client.get("/healthz")).status_code == 200
    waiting = await measured.client.get("/readyz")
    assert waiting.status_code == 503
    assert waiting.json() == {"status": "not ready", "database": "ok", "key": "ok", "worker": "failing"}
    measured.store.heartbeat("worker-on-another-machine")  # a worker-only process, anywhere
    ready = await measured.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    measured.store.close()  # the database goes away
    gone = await measured.client.get("/readyz")
    assert gone.status_code == 503 and gone.json()["database"] == "failing"
    alive = await measured.client.get("/healthz")
    assert alive.status_code == 200 and alive.json()["unfinished_jobs"] is None


async def test_a_garbage_key_is_not_ready(tmp_path: Path, key_pair: tuple[str, str]) -> None:
    bad = "-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----\n"
    settings = make_settings(tmp_path, bad)
    store = Store(settings.database_url)
    store.heartbeat("w")
    web = create_app(settings, store)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://t") as client:
        answer = await client.get("/readyz")
    assert answer.status_code == 503 and answer.json()["key"] == "failing"


def _start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`migration-review serve` that is expected to stop at start-up."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--port", "1"],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_start_up_names_a_bad_key_and_an_unreachable_database(
    tmp_path: Path, key_pair: tuple[str, str]
) -> None:
    bad_key = "-----BEGIN PRIVATE KEY-----\nZ2FyYmFnZQ==\n-----END PRIVATE KEY-----\n"
    common = {"GITHUB_APP_ID": "1", "GITHUB_WEBHOOK_SECRET": "a-long-enough-secret"}
    garbage = _start(
        tmp_path, **common, GITHUB_PRIVATE_KEY=bad_key, DATABASE_URL=f"sqlite:///{tmp_path / 'a.db'}"
    )
    assert garbage.returncode == 2
    lines = [line for line in garbage.stderr.splitlines() if line.startswith("migration-review:")]
    assert lines[0].startswith("migration-review: private key (GITHUB_PRIVATE_KEY): FAILED: not a usable PEM")
    assert lines[1] == "migration-review: webhook secret (GITHUB_WEBHOOK_SECRET): ok: set"
    assert "Traceback" not in garbage.stderr
    unreachable = _start(
        tmp_path,
        **common,
        GITHUB_PRIVATE_KEY=key_pair[0],
        DATABASE_URL="postgresql://reviewer:hunter2@127.0.0.1:1/jobs",
    )
    assert unreachable.returncode == 2
    [line] = [line for line in unreachable.stderr.splitlines() if "DATABASE_URL" in line]
    assert line.startswith("migration-review: database (DATABASE_URL): FAILED: postgresql://127.0.0.1:1/jobs")
    assert "hunter2" not in unreachable.stderr and "Traceback" not in unreachable.stderr


def test_logs_are_json_lines_with_the_delivery_pull_request_and_job(
    tmp_path: Path,
    github_url: str,  # noqa: F811
    key_pair: tuple[str, str],
    scenario: Scenario,
) -> None:
    server = Server(tmp_path, github_url, key_pair[0])
    server.start()
    try:
        scenario.open_pull(2, scenario.blocked)
        opened = payload("pull_request__opened", number=2, pull_request__number=2)
        assert server.send("pull_request", opened, "d-logged").status_code == 202
        _wait(lambda: [r for r in scenario.repo.check_runs if r["status"] == "completed"], what="the review")
        _wait(server.idle, what="the job to be recorded")
        assert httpx.get(f"{server.url}/readyz", timeout=5).json()["status"] == "ready"
    finally:
        server.stop()
    records = [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]
    queued = [r for r in records if r.get("event") == "delivery queued"]
    assert queued and queued[0]["delivery"] == "d-logged"
    assert queued[0]["repository"] == f"{OWNER}/{NAME}" and queued[0]["pull_request"] == 2
    [finished] = [r for r in records if r.get("event") == "job finished"]
    assert finished["delivery"] == "d-logged" and finished["job"] == queued[0]["job"]
    assert finished["pull_request"] == 2 and finished["level"] == "info"


async def test_a_probe_that_cannot_connect_names_no_host_or_role_in_the_comment(
    tmp_path: Path, key_pair: tuple[str, str], scenario: Scenario
) -> None:
    config = tmp_path / "probe.yml"
    config.write_text(
        f"repositories:\n  - repository: {OWNER}/{NAME}\n    name: orders-replica\n"
        "    dsn: 'postgresql://svc_orders_ro:pw@127.0.0.1:1/orders?connect_timeout=1'\n"
    )
    settings = make_settings(tmp_path, key_pair[0], probe_config=config)
    store = Store(settings.database_url)
    transport = httpx.ASGITransport(app=scenario.fake.app())
    context = tasks.Context(settings=settings, store=store, app=GitHubApp(settings, transport=transport))

    async def handle(job: Job) -> str:
        return await tasks.run(job, context)

    async def give_up(job: Job, error: str) -> None:
        await tasks.give_up(job, context, error)

    worker = jobs.Worker(store, handle, give_up, attempts=1)
    web = create_app(settings, store)
    backfill = {
        "db/migrations/000002_backfill.up.sql": "UPDATE users SET tier = CASE tier WHEN 'a' THEN 'b' END;\n"
    }
    head = scenario.fake.commit(scenario.repo, BASE_FILES | backfill)
    scenario.open_pull(7, head)
    body = payload("pull_request__opened", number=7, pull_request__number=7, pull_request__head__sha=head)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://t") as client:
        await client.post("/webhooks/github", content=body, headers=headers("pull_request", body, "d-probe"))
    await worker.drain()
    [comment] = [c["body"] for c in scenario.repo.comments if c["issue"] == 7]
    assert "cannot connect to orders-replica: the connection was refused" in comment
    for internal in ("127.0.0.1", "svc_orders_ro", "orders?", ":1/"):
        assert internal not in comment
    store.close()
