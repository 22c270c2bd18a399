"""The app probes production when PROBE_CONFIG maps the repository, and never for a fork."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.production import FORK
from tests.conftest import NAME, OWNER, App, Scenario, in_process, make_settings, payload

pytestmark = pytest.mark.anyio

BACKFILL = {
    "db/migrations/000002_backfill.up.sql": "UPDATE users SET email = CASE email WHEN 'a' THEN 'b' END;\n"
    "UPDATE users SET tier = CASE tier WHEN 'gold' THEN 'pro' WHEN 'free' THEN 'basic' END;\n",
    "db/migrations/000002_backfill.down.sql": "SELECT 1;\n",
}


@pytest.fixture
async def probed(
    tmp_path: Path, key_pair: tuple[str, str], scenario: Scenario, pg: Any
) -> AsyncIterator[App]:
    pg.execute("CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, tier text)")
    pg.execute(
        "INSERT INTO users SELECT g, 'u' || g || '@example.com', CASE WHEN g % 50 = 0 THEN 'trial' "
        "WHEN g % 2 = 0 THEN 'gold' ELSE 'free' END FROM generate_series(1, 5000) g"
    )
    pg.execute("ANALYZE users")
    schema = pg.execute("SELECT current_schema()").fetchone()[0]
    from tests.conftest import PG_DSN

    config = tmp_path / "probe.yml"
    config.write_text(
        f"repositories:\n  - repository: {OWNER}/{NAME}\n    name: app-replica\n"
        f"    dsn: '{PG_DSN}?options=-csearch_path%3D{schema}'\n"
    )
    settings = make_settings(tmp_path, key_pair[0], probe_config=config)
    async with in_process(settings, httpx.ASGITransport(app=scenario.fake.app()), attempts=1) as running:
        yield running


async def _review(app: App, scenario: Scenario, *, fork: bool) -> str:
    head = scenario.fake.commit(scenario.repo, {**scenario.repo.commits[scenario.base], **BACKFILL})
    pull = scenario.open_pull(7, head, "Backfills tiers.")
    pull.fork = fork
    body = payload("pull_request__opened", action="opened", number=7, pull_request__number=7)
    data = json.loads(body)
    data["pull_request"]["head"]["sha"] = head
    await app.send("pull_request", json.dumps(data).encode())
    await app.drain()
    [comment] = [c for c in scenario.repo.comments if c["issue"] == 7]
    return str(comment["body"])


async def test_a_mapped_repository_is_verified_against_production(probed: App, scenario: Scenario) -> None:
    body = await _review(probed, scenario, fork=False)
    assert "unmapped-production-value" in body
    assert "`'trial'`: 100 rows, 2 %" in body
    assert "@example.com" not in body  # email is sensitive: counted, never shown


async def test_a_fork_is_never_probed(probed: App, scenario: Scenario) -> None:
    body = await _review(probed, scenario, fork=True)
    assert "unmapped-production-value" not in body
    assert f"not verified: {FORK}" in body
