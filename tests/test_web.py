"""The receiver: signatures, duplicates, limits, and the side pages."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from bot.app.settings import Settings
from bot.app.store import Store
from bot.app.web import create_app
from tests.conftest import SECRET, App, Scenario, headers

pytestmark = pytest.mark.anyio

Payload = Callable[..., bytes]


async def test_bad_signature_is_refused_and_not_recorded(app: App, webhook: Payload) -> None:
    body = webhook("pull_request__opened")
    response = await app.send("pull_request", body, secret=b"wrong")
    assert response.status_code == 401
    assert app.store.job_counts() == {}


async def test_missing_and_sha1_signatures_are_refused(app: App, webhook: Payload) -> None:
    body = webhook("pull_request__opened")
    sha1 = "sha1=" + hmac.new(SECRET, body, hashlib.sha1).hexdigest()
    for signature in ({"X-Hub-Signature": sha1}, {"X-Hub-Signature-256": sha1}, {}):
        response = await app.client.post(
            "/webhooks/github",
            content=body,
            headers={"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "d", **signature},
        )
        assert response.status_code == 401


async def test_tampered_body_is_refused(app: App, webhook: Payload) -> None:
    body = webhook("pull_request__opened")
    signed = headers("pull_request", body, "d-1")
    response = await app.client.post(
        "/webhooks/github", content=body.replace(b'"opened"', b'"closed"'), headers=signed
    )
    assert response.status_code == 401


async def test_previous_secret_still_works_during_rotation(
    tmp_path: Path, key_pair: tuple[str, str], webhook: Payload
) -> None:
    settings = Settings(
        github_app_id=1,
        github_private_key=key_pair[0],
        github_webhook_secret="new",
        github_webhook_secret_previous=SECRET.decode(),
        database_url=f"sqlite:///{tmp_path / 'a.db'}",
    )
    store = Store(settings.database_url)
    web = create_app(settings, store)
    body = webhook("ping")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://t") as client:
        assert (
            await client.post("/webhooks/github", content=body, headers=headers("ping", body, "p"))
        ).status_code == 202
        old = headers("ping", body, "q", secret=b"older")
        assert (await client.post("/webhooks/github", content=body, headers=old)).status_code == 401


async def test_duplicate_delivery_is_processed_once(app: App, scenario: Scenario, webhook: Payload) -> None:
    scenario.open_pull(2, scenario.blocked)
    body = webhook(
        "pull_request__opened", number=2, pull_request__number=2, pull_request__head__sha=scenario.blocked
    )
    first = await app.send("pull_request", body, delivery="same-guid")
    second = await app.send("pull_request", body, delivery="same-guid")
    assert (first.status_code, second.status_code) == (202, 200)
    assert await app.drain() == 1
    assert len(scenario.repo.check_runs) == 1


async def test_unknown_events_and_actions_are_acknowledged(app: App, webhook: Payload) -> None:
    for event, body in (
        ("pull_request", webhook("pull_request__labeled")),
        ("ping", webhook("ping")),
        ("installation", webhook("installation__created")),
        ("star", b'{"action": "created"}'),
    ):
        assert (await app.send(event, body)).status_code == 202
    assert app.store.job_counts() == {}


async def test_oversized_body_is_refused(app: App) -> None:
    response = await app.client.post(
        "/webhooks/github",
        content=b"x" * (25 * 1024 * 1024 + 1),
        headers={"X-GitHub-Event": "push", "X-GitHub-Delivery": "big"},
    )
    assert response.status_code == 413


async def test_health_and_metrics(app: App, scenario: Scenario, webhook: Payload) -> None:
    scenario.open_pull(2, scenario.blocked)
    await app.send("pull_request", webhook("pull_request__opened", number=2, pull_request__number=2))
    await app.send("pull_request", webhook("pull_request__opened"), secret=b"bad")
    health = await app.client.get("/healthz")
    assert health.status_code == 200 and health.json()["unfinished_jobs"] == 1
    metrics = (await app.client.get("/metrics")).text
    assert 'migration_review_webhooks_total{event="pull_request",outcome="queued"} 1.0' in metrics
    # an unsigned request never names the series it is counted in
    assert 'migration_review_webhooks_total{event="unverified",outcome="bad_signature"} 1.0' in metrics
    assert 'migration_review_jobs{state="queued"} 1.0' in metrics


async def test_setup_page_posts_the_manifest_to_github(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", setup_token="t0ken")
    web = create_app(settings, Store(settings.database_url))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=web), base_url="http://app.test"
    ) as client:
        page = (await client.get("/setup", params={"org": "acme", "token": "t0ken"})).text
    assert 'action="https://github.com/organizations/acme/settings/apps/new?state=' in page
    assert "http://app.test/webhooks/github" in page
    assert "pull_requests" in page


async def test_unconfigured_server_serves_setup_only(tmp_path: Path, webhook: Payload) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", setup_token="t0ken")
    web = create_app(settings, Store(settings.database_url))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://t") as client:
        assert (await client.get("/setup", params={"token": "t0ken"})).status_code == 200
        body = webhook("ping")
        assert (
            await client.post("/webhooks/github", content=body, headers=headers("ping", body, "p"))
        ).status_code == 503
