"""Setup cannot be taken over: through HTTP, a configured server refuses /setup and its callback without
naming its app, an unconfigured one opens only with the one-time token, a key file is never
overwritten, and setup closes once an app was created. GitHub's manifest conversion is the fake's."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.app.settings import Settings
from bot.app.setup import KEY_FILE
from bot.app.store import Store
from bot.app.web import create_app
from tests.conftest import APP_ID, make_settings
from tests.test_e2e_app import ROOT, _free_port, github_url  # noqa: F401 (a fixture)

pytestmark = pytest.mark.anyio
TOKEN = "one-time-t0ken"


def _client(settings: Settings) -> httpx.AsyncClient:
    web = create_app(settings, Store(settings.database_url))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://app.test")


def _unconfigured(tmp_path: Path, api_url: str = "http://github.test/") -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'app.db'}", github_api_url=api_url, setup_token=TOKEN
    )


async def _state(client: httpx.AsyncClient) -> str:
    page = await client.get("/setup", params={"token": TOKEN})
    assert page.status_code == 200
    return re.search(r"state=([\w-]+)", page.text)[1]  # type: ignore[index]


async def test_a_configured_server_refuses_setup_and_names_nothing(
    tmp_path: Path,
    key_pair: tuple[str, str],
    github_url: str,  # noqa: F811
) -> None:
    settings = make_settings(tmp_path, key_pair[0], api_url=github_url, setup_token=TOKEN)
    async with _client(settings) as client:
        page = await client.get("/setup", params={"token": TOKEN})
        callback = await client.get("/setup/callback", params={"code": "attacker", "state": "x"})
    for response in (page, callback):
        assert response.status_code == 404
        assert str(APP_ID) not in response.text and "BEGIN" not in response.text
    assert not (tmp_path / KEY_FILE).exists()


async def test_setup_needs_the_one_time_token(tmp_path: Path) -> None:
    async with _client(_unconfigured(tmp_path)) as client:
        assert (await client.get("/setup")).status_code == 403
        assert (await client.get("/setup", params={"token": "guess"})).status_code == 403
        assert (await client.get("/setup", params={"token": TOKEN})).status_code == 200
        forged = await client.get("/setup/callback", params={"code": "attacker", "state": "forged"})
    assert forged.status_code == 400


async def test_setup_creates_one_app_then_closes(tmp_path: Path, github_url: str) -> None:  # noqa: F811
    async with _client(_unconfigured(tmp_path, github_url)) as client:
        first, second = await _state(client), await _state(client)
        done = await client.get("/setup/callback", params={"code": "c0de", "state": first})
        assert done.status_code == 200 and "s3cret" in done.text
        assert done.headers["cache-control"] == "no-store"
        key = (tmp_path / KEY_FILE).read_text()
        again = await client.get("/setup/callback", params={"code": "attacker", "state": second})
        page = await client.get("/setup", params={"token": TOKEN})
    assert again.status_code == 404 and "s3cret" not in again.text and "4242" not in again.text
    assert page.status_code == 404
    assert (tmp_path / KEY_FILE).read_text() == key


async def test_an_existing_key_file_is_never_overwritten(tmp_path: Path, github_url: str) -> None:  # noqa: F811
    key = tmp_path / KEY_FILE
    key.write_text("the operator's key\n")
    async with _client(_unconfigured(tmp_path, github_url)) as client:
        page = await client.get("/setup", params={"token": TOKEN})
        callback = await client.get("/setup/callback", params={"code": "attacker", "state": "x"})
    assert page.status_code == 404 and callback.status_code == 404
    assert key.read_text() == "the operator's key\n"


def test_serve_prints_the_setup_link_with_its_token(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "MIGRATION_REVIEW_SETUP"))}
    env |= {"PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"}
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port)], env=env, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 30
        while "setup?token=" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        token = re.search(r"/setup\?token=([\w-]+)", log.read_text())[1]  # type: ignore[index]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                refused = httpx.get(f"http://127.0.0.1:{port}/setup", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        opened = httpx.get(f"http://127.0.0.1:{port}/setup", params={"token": token}, timeout=5)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert refused.status_code == 403 and opened.status_code == 200
