"""The setup page in a real browser: headless Chromium clicks through GitHub's manifest flow.

GitHub's side is played by two small servers: the web form GitHub shows when it receives the manifest
(it records the manifest and sends the browser back, as GitHub does after "Create"), and the fake API
that converts the code. A screenshot of each page is kept in test-artifacts/.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.app.settings import Settings
from bot.app.store import Store
from bot.app.web import create_app
from tests.conftest import Scenario

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p), None)


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(app: Any) -> tuple[str, uvicorn.Server]:
    port = _port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", server


@pytest.fixture
def github_web() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    async def new_app(request: Request) -> Response:
        form = parse_qs((await request.body()).decode())
        manifest = json.loads(form["manifest"][0])
        received.append(
            {"path": request.url.path, "manifest": manifest, "state": request.query_params["state"]}
        )
        return RedirectResponse(
            f"{manifest['redirect_url']}?code=c0de&state={request.query_params['state']}", 302
        )

    app = Starlette(
        routes=[
            Route("/settings/apps/new", new_app, methods=["POST"]),
            Route("/organizations/{org}/settings/apps/new", new_app, methods=["POST"]),
        ]
    )
    url, server = _serve(app)
    yield url, received
    server.should_exit = True


def test_setup_creates_the_app_through_the_manifest_flow(
    tmp_path: Path, scenario: Scenario, github_web: tuple[str, list[dict[str, Any]]]
) -> None:
    if CHROMIUM is None:
        message = "Chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    api_url, api = _serve(scenario.fake.app())
    web_url, received = github_web
    settings = Settings(
        github_api_url=api_url,
        github_web_url=web_url,
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        setup_token="t0ken",
    )
    app_url, app = _serve(create_app(settings, Store(settings.database_url)))
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(f"{app_url}/setup?token=t0ken")
            page.fill("#org", "acme")
            page.click("#choose")
            page.wait_for_url("**/setup?org=acme&token=t0ken")
            assert "Create the GitHub App on acme" in page.inner_text("#submit")
            page.screenshot(path=str(ARTIFACTS / "setup.png"), full_page=True)
            page.click("#submit")
            page.wait_for_url("**/setup/callback?**")
            page.screenshot(path=str(ARTIFACTS / "setup-done.png"), full_page=True)
            shown = page.inner_text("#settings")
            browser.close()
    finally:
        app.should_exit = True
        api.should_exit = True
    [form] = received
    assert form["path"] == "/organizations/acme/settings/apps/new"
    manifest = form["manifest"]
    assert manifest["hook_attributes"]["url"] == f"{app_url}/webhooks/github"
    assert manifest["redirect_url"] == f"{app_url}/setup/callback"
    assert manifest["default_permissions"] == {
        "metadata": "read",
        "contents": "read",
        "pull_requests": "write",
        "checks": "write",
        "issues": "read",
    }
    assert set(manifest["default_events"]) == {
        "pull_request",
        "pull_request_review",
        "issue_comment",
        "check_run",
        "check_suite",
    }
    assert "GITHUB_APP_ID=4242" in shown and "GITHUB_WEBHOOK_SECRET=s3cret" in shown
    key = tmp_path / "migration-review.private-key.pem"
    assert f"GITHUB_PRIVATE_KEY_PATH={key}" in shown
    assert key.read_text().startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert key.stat().st_mode & 0o777 == 0o600


def test_a_callback_without_our_state_is_refused(tmp_path: Path) -> None:
    import httpx

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'app.db'}", setup_token="t0ken")
    app_url, app = _serve(create_app(settings, Store(settings.database_url)))
    try:
        response = httpx.get(f"{app_url}/setup/callback", params={"code": "c", "state": "forged"})
    finally:
        app.should_exit = True
    assert response.status_code == 400
