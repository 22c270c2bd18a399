"""The app runs the shadow from its setting: a webhook review through the fake GitHub shows the run in the
comment, the repository's file lowers its limits, and a shadow DSN on a probe's server stops start-up."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app.settings import SettingsError, load_settings
from tests.conftest import NAME, OWNER, PG_DSN, App, Scenario, in_process, make_settings, payload

CHANGE = {
    "db/migrations/000002_add_tier.up.sql": "ALTER TABLE users ADD COLUMN tier text;\n"
    "UPDATE users SET tier = 'free';\n",
    "db/migrations/000002_add_tier.down.sql": "ALTER TABLE users DROP COLUMN tier;\n",
}


@pytest.fixture
async def shadowed(
    tmp_path: Path, key_pair: tuple[str, str], scenario: Scenario, pg: Any
) -> AsyncIterator[App]:
    settings = make_settings(tmp_path, key_pair[0], shadow_dsn=PG_DSN, shadow_rows=12)
    async with in_process(settings, httpx.ASGITransport(app=scenario.fake.app()), attempts=1) as running:
        yield running


async def _review(app: App, scenario: Scenario, base_files: dict[str, str] | None = None) -> str:
    base = scenario.base
    if base_files:
        base = scenario.fake.commit(scenario.repo, {**scenario.repo.commits[scenario.base], **base_files})
        scenario.base = base
    head = scenario.fake.commit(scenario.repo, {**scenario.repo.commits[base], **CHANGE})
    scenario.open_pull(8, head, "Adds a tier to users.")
    data = json.loads(payload("pull_request__opened", action="opened", number=8, pull_request__number=8))
    data["pull_request"]["head"]["sha"] = head
    await app.send("pull_request", json.dumps(data).encode())
    await app.drain()
    [comment] = [c for c in scenario.repo.comments if c["issue"] == 8]
    return str(comment["body"])


@pytest.mark.anyio
async def test_a_webhook_review_runs_the_shadow_and_the_comment_shows_it(
    shadowed: App, scenario: Scenario
) -> None:
    body = await _review(shadowed, scenario)
    assert "### Shadow Run" in body
    assert "Ran on a scratch PostgreSQL" in body and "12 synthetic rows in 1 table" in body
    for step in ("| up | ok |", "| down | ok |", "| up-again | ok |", "| drop | ok |"):
        assert step in body
    assert "ACCESS EXCLUSIVE on `users`" in body  # observed, beside the reasoned column
    assert "12 rows changed" in body
    assert "- [x] Rollback tested" in body


@pytest.mark.anyio
async def test_the_repository_file_lowers_the_servers_limits(shadowed: App, scenario: Scenario) -> None:
    body = await _review(
        shadowed, scenario, {".github/migration-review.yml": "shadow:\n  rows_per_table: 5\n"}
    )
    assert "5 synthetic rows in 1 table" in body


@pytest.mark.anyio
async def test_a_bad_limit_in_the_repository_file_names_the_key_and_the_file(
    shadowed: App, scenario: Scenario
) -> None:
    scenario.base = scenario.fake.commit(
        scenario.repo,
        {
            **scenario.repo.commits[scenario.base],
            ".github/migration-review.yml": "shadow:\n  timeout_seconds: -3\n",
        },
    )
    head = scenario.fake.commit(scenario.repo, {**scenario.repo.commits[scenario.base], **CHANGE})
    scenario.open_pull(9, head, "Adds a tier.")
    data = json.loads(payload("pull_request__opened", action="opened", number=9, pull_request__number=9))
    data["pull_request"]["head"]["sha"] = head
    await shadowed.send("pull_request", json.dumps(data).encode())
    await shadowed.drain()
    [run] = [r for r in scenario.repo.check_runs if r["head_sha"] == head]
    assert run["conclusion"] == "failure"
    summary = run["output"]["summary"]
    assert ".github/migration-review.yml" in summary and "shadow.timeout_seconds" in summary


# --- the server's settings ----------------------------------------------------------------------------


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, key_pair: tuple[str, str]) -> pytest.MonkeyPatch:
    for name in ("GITHUB_PRIVATE_KEY_PATH", "PROBE_CONFIG", "DATABASE_URL", "GITHUB_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_APP_ID", "123")
    monkeypatch.setenv("GITHUB_PRIVATE_KEY", key_pair[0].replace("\n", "\\n"))
    monkeypatch.setenv("GITHUB_WEBHOOK_SECRET", "s")
    monkeypatch.setenv("MIGRATION_REVIEW_SHADOW_DSN", "postgresql://admin@scratch.internal:5432/postgres")
    return monkeypatch


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MIGRATION_REVIEW_SHADOW_TIMEOUT", "0", "MIGRATION_REVIEW_SHADOW_TIMEOUT: "),
        ("MIGRATION_REVIEW_SHADOW_ROWS", "many", "MIGRATION_REVIEW_SHADOW_ROWS: "),
        ("MIGRATION_REVIEW_SHADOW_TIMEOUT", "400", "MIGRATION_REVIEW_SHADOW_TIMEOUT: 400 s must be below"),
    ],
)
def test_a_bad_shadow_setting_stops_start_up_naming_it(
    env: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    env.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value).startswith(message)


def test_a_shadow_dsn_on_a_probe_server_stops_start_up(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "probe.yml"
    config.write_text(
        f"repositories:\n  - repository: {OWNER}/{NAME}\n    name: replica\n"
        "    dsn: 'postgresql://reader@scratch.internal/shop'\n"
    )
    env.setenv("PROBE_CONFIG", str(config))
    with pytest.raises(SettingsError, match="MIGRATION_REVIEW_SHADOW_DSN: names a server of PROBE_CONFIG"):
        load_settings()
    env.setenv("MIGRATION_REVIEW_SHADOW_DSN", "postgresql://admin@other.internal:5432/postgres")
    settings = load_settings()
    assert settings.shadow_dsn.startswith("postgresql://admin@other") and settings.shadow_timeout == 200
