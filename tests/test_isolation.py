"""Reviews run in a child process with limits: a huge migration never delays webhook acknowledgements,
and a review over its time or memory limit blocks instead of passing. Through HTTP, against the fake
GitHub served on 127.0.0.1 and `migration-review serve` as a real process."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from bot.app.changes import TOO_LARGE_TITLE
from tests.conftest import Scenario
from tests.fakegithub import BASE_FILES
from tests.test_e2e_app import Server, _wait, github_url  # noqa: F401 (a fixture)

Payload = Callable[..., bytes]
BIG = "db/migrations/000002_backfill.up.sql"


def _backfill(size: int) -> str:
    statement = "UPDATE users SET email = lower(email) WHERE id = {i} AND email <> lower(email);\n"
    lines, total, i = [], 0, 0
    while total < size:
        line = statement.format(i=i)
        lines.append(line)
        total, i = total + len(line), i + 1
    return "".join(lines)


@pytest.fixture
def limited(tmp_path: Path, github_url: str, key_pair: tuple[str, str]) -> Iterator[Server]:  # noqa: F811
    server = Server(tmp_path, github_url, key_pair[0])
    server.env |= {
        "MIGRATION_REVIEW_FILE_MAX_BYTES": str(16 * 2**20),  # let the 5 MB migration reach the parser
        "MIGRATION_REVIEW_REVIEW_MAX_BYTES": str(16 * 2**20),
        "MIGRATION_REVIEW_REVIEW_TIMEOUT": "4",
    }
    server.start()
    yield server
    server.stop()


def test_webhooks_are_acknowledged_while_a_5mb_migration_is_reviewed(
    limited: Server, scenario: Scenario, webhook: Payload
) -> None:
    head = scenario.fake.commit(scenario.repo, BASE_FILES | {BIG: _backfill(5 * 2**20)})
    scenario.open_pull(2, head)
    for sha in (scenario.base, head):  # the fake GitHub shares this process: build its tarballs first
        scenario.fake.tarball(scenario.repo, sha)
    opened = webhook("pull_request__opened", number=2, pull_request__number=2, pull_request__head__sha=head)
    assert limited.send("pull_request", opened, "d-big").status_code == 202
    _wait(lambda: scenario.fake.seen("GET", "/_codeload/") == 2, what="the review to read the snapshots")
    for n in range(10):  # answered while the review runs (bench/webhook.py measures how fast)
        assert limited.send("ping", webhook("ping"), f"d-ping-{n}").status_code == 202
        health = httpx.get(f"{limited.url}/healthz", timeout=5)
        assert health.status_code == 200 and health.json()["unfinished_jobs"] == 1  # still reviewing
        time.sleep(0.1)
    [run] = _wait(
        lambda: [r for r in scenario.repo.check_runs if r["status"] == "completed"], what="the review"
    )
    assert run["conclusion"] == "failure"
    assert run["output"]["title"] == TOO_LARGE_TITLE
    assert "longer than 4 seconds" in run["output"]["summary"]


def test_a_review_over_its_memory_limit_blocks(
    tmp_path: Path,
    github_url: str,  # noqa: F811
    key_pair: tuple[str, str],
    scenario: Scenario,
    webhook: Payload,
) -> None:
    server = Server(tmp_path, github_url, key_pair[0])
    server.env |= {
        "MIGRATION_REVIEW_FILE_MAX_BYTES": str(16 * 2**20),
        "MIGRATION_REVIEW_REVIEW_MAX_BYTES": str(16 * 2**20),
        "MIGRATION_REVIEW_REVIEW_MEMORY_MB": "64",
    }
    server.start()
    try:
        head = scenario.fake.commit(scenario.repo, BASE_FILES | {BIG: _backfill(2 * 2**20)})
        scenario.open_pull(2, head)
        opened = webhook(
            "pull_request__opened", number=2, pull_request__number=2, pull_request__head__sha=head
        )
        assert server.send("pull_request", opened, "d-mem").status_code == 202
        [run] = _wait(
            lambda: [r for r in scenario.repo.check_runs if r["status"] == "completed"], what="the review"
        )
    finally:
        server.stop()
    assert run["conclusion"] == "failure"
    assert run["output"]["title"] == TOO_LARGE_TITLE
    assert "MiB" in run["output"]["summary"] or "exit code" in run["output"]["summary"]
