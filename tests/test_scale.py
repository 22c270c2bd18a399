"""Scale-out on PostgreSQL, end to end: two web processes and two workers, 500 webhooks over 100 pull
requests with five pushes each, one worker SIGKILLed midway and replaced. Every pull request ends with
exactly one completed check run for its last head, one comment, and nothing left in the queue.

It runs in CI (CI=true) or with MIGRATION_REVIEW_SCALE=1: a few minutes of two CPUs otherwise spent on
the unit tests.
"""

from __future__ import annotations

import json
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Scenario
from tests.test_e2e_app import Server, _wait, github_url  # noqa: F401 (a fixture)
from tests.test_engine import Workers, schema  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        os.environ.get("CI") != "true" and os.environ.get("MIGRATION_REVIEW_SCALE") != "1",
        reason="the scale test runs in CI or with MIGRATION_REVIEW_SCALE=1",
    ),
]

PULLS = 100
PUSHES = 5


def test_two_webs_two_workers_500_webhooks_one_worker_killed(
    tmp_path: Path,
    github_url: str,  # noqa: F811
    key_pair: tuple[str, str],
    schema: tuple[Any, str],  # noqa: F811
    scenario: Scenario,
    webhook: Any,
) -> None:
    webs = []
    for n in range(2):
        web = Server(tmp_path / f"web{n}", github_url, key_pair[0])
        web.log.parent.mkdir()
        web.env["DATABASE_URL"] = schema[1]
        web.env["MIGRATION_REVIEW_WORKERS"] = "4"
        web.start("--no-worker")
        webs.append(web)
    workers = Workers(webs[0])
    workers.start()
    workers.start()
    base_files = scenario.repo.commits[scenario.blocked]
    heads: dict[int, list[str]] = {}
    for number in range(100, 100 + PULLS):
        heads[number] = [
            scenario.fake.commit(scenario.repo, base_files | {"NOTES.md": f"pull {number}, push {push}\n"})
            for push in range(PUSHES)
        ]
        scenario.open_pull(number, heads[number][0])
    template = json.loads(webhook("pull_request__synchronize"))
    started = time.monotonic()

    def push(step: int) -> int:
        number, attempt = 100 + step % PULLS, step // PULLS
        scenario.repo.pulls[number].head_sha = heads[number][attempt]  # GitHub moves the head, then tells
        template_copy = json.loads(json.dumps(template))
        template_copy["number"] = template_copy["pull_request"]["number"] = number
        template_copy["pull_request"]["head"]["sha"] = heads[number][attempt]
        body = json.dumps(template_copy).encode()
        return webs[step % 2].send("pull_request", body, f"scale-{step}").status_code

    try:
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(push, range(PULLS * PUSHES // 2)))
            workers.processes[0].send_signal(signal.SIGKILL)  # midway, with reviews running
            workers.start()  # a replacement, as an orchestrator would start one
            statuses += list(pool.map(push, range(PULLS * PUSHES // 2, PULLS * PUSHES)))
        assert statuses == [202] * (PULLS * PUSHES)

        def settled() -> bool:
            done = {r["head_sha"] for r in scenario.repo.check_runs if r["status"] == "completed"} & {
                h[-1] for h in heads.values()
            }
            return len(done) == PULLS and all(web.idle() for web in webs)

        _wait(settled, timeout=240, what="every pull request's last head to be reviewed")
        elapsed = time.monotonic() - started
    finally:
        workers.stop()
        for web in webs:
            web.stop()
    for number, pushed in heads.items():
        last = [r for r in scenario.repo.check_runs if r["head_sha"] == pushed[-1]]
        assert [r["status"] for r in last] == ["completed"], (number, last)
        assert len([c for c in scenario.repo.comments if c["issue"] == number]) == 1, number
    stuck = [r for r in scenario.repo.check_runs if r["status"] != "completed"]
    older = {h for pushed in heads.values() for h in pushed[:-1]}
    assert all(r["head_sha"] in older for r in stuck)  # only runs of heads a newer push replaced
    print(f"500 webhooks, 100 pull requests, one worker killed: settled in {elapsed:.0f} s")
