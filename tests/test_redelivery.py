"""Deliveries GitHub failed to hand us are asked for again, once, and only those we never received."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from bot.app.github import GitHubApp
from bot.app.redelivery import redeliver_failed
from bot.app.store import Store
from tests.conftest import Scenario, make_settings

pytestmark = pytest.mark.anyio


def _delivery(delivery_id: int, guid: str, status_code: int, hours_ago: float) -> dict[str, object]:
    when = dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago)
    return {
        "id": delivery_id,
        "guid": guid,
        "delivered_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "redelivery": False,
        "duration": 0.1,
        "status": "OK" if status_code < 300 else "failed",
        "status_code": status_code,
        "event": "pull_request",
        "action": "opened",
    }


async def test_only_failed_deliveries_we_never_saw_are_asked_for(
    tmp_path: Path, key_pair: tuple[str, str], scenario: Scenario
) -> None:
    fake = scenario.fake
    fake.hook_deliveries = [
        _delivery(9, "later-ok", 202, 0.1),
        _delivery(8, "later-ok", 502, 0.2),  # failed, then redelivered successfully
        _delivery(7, "lost", 0, 0.3),  # timed out: never reached us
        _delivery(6, "lost", 502, 0.4),  # an older failure of the same event
        _delivery(5, "recorded", 502, 0.5),  # failed from GitHub's side, but our store has it
        *[_delivery(100 + i, f"fine-{i}", 202, 1 + i / 100) for i in range(120)],
        _delivery(4, "too-old", 502, 24 * 4),
    ]
    settings = make_settings(tmp_path, key_pair[0])
    store = Store(settings.database_url)
    store.record_delivery("recorded", "pull_request", "opened")
    app = GitHubApp(settings, transport=httpx.ASGITransport(app=fake.app()))
    assert await redeliver_failed(app, store) == 1
    assert fake.redelivered == [7]
    assert fake.seen("GET", r"/app/hook/deliveries$") == 2  # followed the cursor to the end of the window
    store.close()
