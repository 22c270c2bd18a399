"""Every request the app makes, replayed against Stoplight Prism serving GitHub's OpenAPI description.

Prism answers 422 to any request GitHub's published schema would reject (a missing field, a bad enum,
a wrong type). Prism and the description are installed by tests/prism-install.sh; without them the
test is skipped.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.app.github import GitHubApp
from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.render.formats import render_check_run, render_comment
from bot.review import review
from tests.conftest import make_settings
from tests.fakegithub import BASE_FILES, BLOCKED

pytestmark = [pytest.mark.anyio, pytest.mark.contract]

PRISM_HOME = Path(os.environ.get("PRISM_HOME", Path.home() / ".cache" / "migration-review-prism"))
PRISM = PRISM_HOME / "node_modules" / ".bin" / "prism"
SPEC = PRISM_HOME / "node_modules" / "@octokit" / "openapi" / "generated" / "api.github.com.json"


class _Recorder(httpx.AsyncBaseTransport):
    """Prism serves `application/json` only and its examples link to api.github.com: adapt, and record."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.exchanges: list[tuple[str, str, int, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.headers["Accept"] = "application/json"
        response = await self._inner.handle_async_request(request)
        if "link" in response.headers:
            del response.headers["link"]
        body = (await response.aread()).decode(errors="replace") if response.status_code >= 400 else ""
        self.exchanges.append((request.method, request.url.path, response.status_code, body[:500]))
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


@pytest.fixture
async def prism_url() -> AsyncIterator[str]:
    if not (PRISM.exists() and SPEC.exists()):
        message = "Prism is not installed: run tests/prism-install.sh"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(SPEC)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                httpx.get(f"{url}/meta", headers={"Accept": "application/json"}, timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("Prism did not start") from None
                time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def _review_output() -> tuple[str, dict[str, object]]:
    head = {**BASE_FILES, **BLOCKED}
    files = tuple(ChangedFile(path, "added", None, text) for path, text in BLOCKED.items())
    result = review(ChangeSet("b" * 40, "c" * 40, files, MemoryTree(head), MemoryTree(BASE_FILES)))
    return render_comment(result), render_check_run(result)


async def test_requests_match_githubs_schema(
    tmp_path: Path, key_pair: tuple[str, str], prism_url: str
) -> None:
    recorder = _Recorder()
    app = GitHubApp(make_settings(tmp_path, key_pair[0], api_url=prism_url), transport=recorder)
    comment, output = _review_output()
    sha = "c" * 40
    login = await app.bot_login()
    async with app.repository(42, "octocat", "hello-world") as repo:
        await repo.pull(1)
        await repo.files(1)
        await repo.merge_base("b" * 40, sha)
        await repo.conversation(1)
        await repo.reviews(1)
        await repo.read("README.md", sha)  # Prism matches {path} as one segment only
        await repo.permission("octocat")
        await repo.react(1, "eyes")
        await repo.open_pulls_for_commit(sha)
        await repo.comment(1, "A short note.")
        await repo.upsert_comment(1, comment, login)
        run = await repo.start_check_run(sha, f"1:1:{sha}")
        await repo.find_check_run(sha, f"1:1:{sha}")
        await repo.complete_check_run(run, output)
        await repo.close_check_run(run, "cancelled", "Superseded", "A newer commit is being reviewed.")
    rejected = [exchange for exchange in recorder.exchanges if exchange[2] >= 400]
    assert rejected == []
    assert len(recorder.exchanges) >= 16


async def test_prism_does_reject_a_bad_request(prism_url: str) -> None:
    async with httpx.AsyncClient(base_url=prism_url) as client:
        response = await client.post(
            "/repos/o/r/check-runs",
            json={"head_sha": "abc", "status": "bogus"},
            headers={"Accept": "application/json", "Authorization": "token x"},
        )
    assert response.status_code == 422
