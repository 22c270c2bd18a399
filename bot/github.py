"""Everything that talks to GitHub: the only module that imports githubkit.

The app authenticates with its JWT, then as one installation with a token narrowed to the one
repository and the permissions a review needs. Reads are retried with backoff on 5xx and timeouts;
writes are retried only where repeating them is harmless, and a create that may have gone through is
reconciled by looking first. Rate limits are honoured through `retry-after` (short waits inline, long
ones handed back to the job queue as `RateLimited`), and writes to one installation are paced.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

import httpx
from githubkit import AppAuthStrategy, GitHub
from githubkit.cache import MemCacheStrategy
from githubkit.exception import RateLimitExceeded, RequestFailed, RequestTimeout
from githubkit.retry import RetryOption

from bot.settings import Settings

CHECK_NAME = "Migration Review"
MARKER = "<!-- migration-review:comment -->"
RECHECK_BUTTON = {
    "label": "Re-check",
    "description": "Run the migration review again",
    "identifier": "recheck",
}
ANNOTATIONS_PER_REQUEST = 50
PERMISSIONS: Any = {
    "checks": "write",
    "contents": "read",
    "metadata": "read",
    "pull_requests": "write",
}
_SAFE_METHODS = {"GET", "HEAD", "PUT", "DELETE"}
_INLINE_WAIT = timedelta(seconds=90)
T = TypeVar("T")


class RateLimited(Exception):
    """GitHub asked us to wait longer than a job should sleep; retry the job after `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after:.0f}s")
        self.retry_after = retry_after


class TooLarge(Exception):
    """A download went over its limit."""


def _repeatable(request: httpx.Request) -> bool:
    if request.method in _SAFE_METHODS:
        return True
    if request.method == "PATCH":  # a comment edit is; a check run update appends its annotations
        return b'"annotations"' not in request.content
    return request.method == "POST" and request.url.path.endswith("/reactions")


def _decide(error: Exception, count: int) -> RetryOption:
    """githubkit's retry decision: never repeat a write that may have gone through."""
    if isinstance(error, RateLimitExceeded):
        return RetryOption(count < 2 and error.retry_after <= _INLINE_WAIT, error.retry_after)
    if count >= 3:
        return RetryOption(False)
    if isinstance(error, RequestTimeout) and _repeatable(error.request):
        return RetryOption(True, timedelta(seconds=2**count))
    if isinstance(error, RequestFailed) and error.response.status_code >= 500 and _repeatable(error.request):
        return RetryOption(True, timedelta(seconds=2**count))
    return RetryOption(False)


def _json(response: Any) -> Any:
    """The body as plain JSON: responses are read leniently, never through githubkit's strict models."""
    return response.raw_response.json()


def _status(error: Exception) -> int:
    return error.response.status_code if isinstance(error, RequestFailed) else 0


def _uncertain(error: Exception) -> bool:
    """A write that failed in a way that may still have reached GitHub."""
    return isinstance(error, RequestTimeout) or _status(error) >= 500


@dataclass(frozen=True)
class Pull:
    number: int
    state: str
    head_sha: str
    base_sha: str
    base_ref: str
    body: str
    fork: bool


@dataclass(frozen=True)
class FileEntry:
    path: str
    status: str
    previous_path: str | None


@dataclass
class _Pacer:
    """Writes to one installation go one at a time: bursts of `burst`, then one per `interval` seconds."""

    interval: float
    burst: float = 5.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    tokens: float = 5.0
    stamp: float = field(default_factory=time.monotonic)

    async def write(self, call: Callable[[], Awaitable[T]]) -> T:
        async with self.lock:
            now = time.monotonic()
            refill = (now - self.stamp) / self.interval if self.interval > 0 else self.burst
            self.tokens, self.stamp = min(self.burst, self.tokens + refill), now
            if self.tokens < 1:
                await asyncio.sleep((1 - self.tokens) * self.interval)
                self.tokens, self.stamp = 1.0, time.monotonic()
            self.tokens -= 1
            return await call()


def _hooks(version: str | None) -> list[Callable[[httpx.Request], Awaitable[None]]]:
    """GitHub Enterprise Server before 3.21 knows only REST 2022-11-28; githubkit asks for its newest."""
    if version is None:
        return []

    async def pin(request: httpx.Request) -> None:
        request.headers["X-GitHub-Api-Version"] = version

    return [pin]


class GitHubApp:
    """The app's identity: a JWT-authenticated client, and sessions per installation and repository."""

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self._app = GitHub(
            AppAuthStrategy(app_id=settings.app_id, private_key=settings.private_key),
            base_url=settings.github_api_url,
            http_cache=False,
            auto_retry=_decide,
            timeout=httpx.Timeout(30.0, connect=10.0),
            follow_redirects=True,
            async_transport=transport,
            user_agent="migration-review",
            cache_strategy=MemCacheStrategy(),  # tokens of this app only, not a process-wide cache
            async_event_hooks={"request": _hooks(settings.api_version), "response": []},
        )
        self._login: str | None = None
        self._pacers: dict[int, _Pacer] = {}

    async def bot_login(self) -> str:
        """`<slug>[bot]`, the login our comments are written under."""
        if self._login is None:
            response = await self._app.rest.apps.async_get_authenticated()
            self._login = f"{_json(response)['slug']}[bot]"
        return self._login

    @asynccontextmanager
    async def repository(self, installation_id: int, owner: str, name: str) -> AsyncIterator[Repository]:
        auth = self._app.auth
        assert isinstance(auth, AppAuthStrategy)
        narrowed = self._app.with_auth(
            auth.as_installation(installation_id, repositories=[name], permissions=PERMISSIONS)
        )
        pacer = self._pacers.setdefault(installation_id, _Pacer(self.settings.write_interval))
        async with narrowed:
            yield Repository(narrowed, owner, name, pacer, self.settings)


class Repository:
    """One repository, seen through one installation token."""

    def __init__(self, gh: GitHub[Any], owner: str, name: str, pacer: _Pacer, settings: Settings) -> None:
        self._gh = gh
        self.owner = owner
        self.name = name
        self._pacer = pacer
        self._settings = settings

    async def _call(self, call: Callable[[], Awaitable[T]], write: bool = False) -> T:
        try:
            return await (self._pacer.write(call) if write else call())
        except RateLimitExceeded as error:
            raise RateLimited(error.retry_after.total_seconds()) from None

    async def pull(self, number: int) -> Pull:
        response = await self._call(lambda: self._gh.rest.pulls.async_get(self.owner, self.name, number))
        data = _json(response)
        head_repo = (data["head"].get("repo") or {}).get("full_name")
        return Pull(
            number=number,
            state=data["state"],
            head_sha=data["head"]["sha"],
            base_sha=data["base"]["sha"],
            base_ref=data["base"]["ref"],
            body=data.get("body") or "",
            fork=head_repo != f"{self.owner}/{self.name}",
        )

    async def files(self, number: int) -> list[FileEntry]:
        async def collect() -> list[FileEntry]:
            pages = self._gh.rest.paginate(
                self._gh.rest.pulls.async_list_files,
                map_func=_json,
                owner=self.owner,
                repo=self.name,
                pull_number=number,
                per_page=100,
            )
            return [
                FileEntry(item["filename"], item["status"], item.get("previous_filename"))
                async for item in pages
            ]

        return await self._call(collect)

    async def read(self, path: str, ref: str) -> str | None:
        """A file's text at `ref`, or None when it is missing, binary or over the size limit."""
        try:
            response = await self._call(
                lambda: self._gh.rest.repos.async_get_content(
                    self.owner,
                    self.name,
                    path,
                    ref=ref,
                    headers={"Accept": "application/vnd.github.raw+json"},
                )
            )
        except RequestFailed as error:
            if _status(error) == 404:
                return None
            raise
        if len(response.content) > self._settings.file_max_bytes or b"\0" in response.content:
            return None
        return response.content.decode("utf-8", errors="replace")

    async def download_tarball(self, sha: str, target: Path, limit: int) -> None:
        """Stream the commit's tarball to `target`, refusing more than `limit` bytes."""
        response = await self._call(
            lambda: self._gh.rest.repos.async_download_tarball_archive(
                self.owner, self.name, sha, stream=True
            )
        )
        raw = response.raw_response
        size = 0
        try:
            with target.open("wb") as out:
                async for chunk in raw.aiter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge(f"the snapshot of {sha} is larger than {limit} bytes")
                    out.write(chunk)
        finally:
            await raw.aclose()

    async def permission(self, login: str) -> str:
        """The user's permission on the repository (admin, write, read or none); unknown users are none."""
        try:
            response = await self._call(
                lambda: self._gh.rest.repos.async_get_collaborator_permission_level(
                    self.owner, self.name, login
                )
            )
        except RequestFailed as error:
            if _status(error) == 404:
                return "none"
            raise
        return str(_json(response).get("permission") or "none")

    async def react(self, comment_id: int, content: str) -> None:
        """Add a reaction; a failed reaction never fails the job."""
        with contextlib.suppress(RequestFailed, RequestTimeout, RateLimited):
            await self._call(
                lambda: self._gh.rest.reactions.async_create_for_issue_comment(
                    self.owner, self.name, comment_id, data=cast(Any, {"content": content})
                ),
                write=True,
            )

    async def open_pulls_for_commit(self, sha: str) -> list[int]:
        response = await self._call(
            lambda: self._gh.rest.repos.async_list_pull_requests_associated_with_commit(
                self.owner, self.name, sha
            )
        )
        return [item["number"] for item in _json(response) if item.get("state") == "open"]

    async def comment(self, number: int, body: str) -> None:
        await self._call(
            lambda: self._gh.rest.issues.async_create_comment(self.owner, self.name, number, body=body),
            write=True,
        )

    async def upsert_comment(self, number: int, body: str, login: str) -> str:
        """Create or update our one comment; returns created, updated or unchanged."""
        existing = await self._our_comment(number, login)
        if existing is not None and existing[1] == body:
            return "unchanged"
        if existing is not None:
            comment_id = existing[0]
            await self._call(
                lambda: self._gh.rest.issues.async_update_comment(
                    self.owner, self.name, comment_id, body=body
                ),
                write=True,
            )
            return "updated"
        try:
            await self.comment(number, body)
        except (RequestFailed, RequestTimeout) as error:
            if not _uncertain(error) or await self._our_comment(number, login) is not None:
                raise
            await self.comment(number, body)
        return "created"

    async def _our_comment(self, number: int, login: str) -> tuple[int, str] | None:
        async def find() -> tuple[int, str] | None:
            pages = self._gh.rest.paginate(
                self._gh.rest.issues.async_list_comments,
                map_func=_json,
                owner=self.owner,
                repo=self.name,
                issue_number=number,
                per_page=100,
            )
            async for item in pages:
                body = item.get("body") or ""
                if item["user"]["login"] == login and body.startswith(MARKER):
                    return int(item["id"]), body
            return None

        return await self._call(find)

    async def start_check_run(self, head_sha: str, external_id: str) -> int:
        """Our in-progress check run for this analysis, created once even when the first try timed out."""
        try:
            return await self._create_check_run(head_sha, external_id)
        except (RequestFailed, RequestTimeout) as error:
            if not _uncertain(error):
                raise
            found = await self.find_check_run(head_sha, external_id)
            return found if found is not None else await self._create_check_run(head_sha, external_id)

    async def _create_check_run(self, head_sha: str, external_id: str) -> int:
        response = await self._call(
            lambda: self._gh.rest.checks.async_create(
                self.owner,
                self.name,
                data={
                    "name": CHECK_NAME,
                    "head_sha": head_sha,
                    "status": "in_progress",
                    "external_id": external_id,
                    "output": {"title": "Reviewing migrations", "summary": "The review is running."},
                },
            ),
            write=True,
        )
        return int(_json(response)["id"])

    async def find_check_run(self, head_sha: str, external_id: str) -> int | None:
        """Our unfinished check run for this commit and analysis, if one exists."""
        response = await self._call(
            lambda: self._gh.rest.checks.async_list_for_ref(
                self.owner, self.name, head_sha, check_name=CHECK_NAME, filter_="latest", per_page=100
            )
        )
        for run in _json(response).get("check_runs", []):
            if run.get("external_id") == external_id and run.get("status") != "completed":
                return int(run["id"])
        return None

    async def complete_check_run(self, check_run_id: int, output: dict[str, Any]) -> None:
        """Publish the result: annotations in batches of 50, then the conclusion with the Re-check button."""
        annotations = list(output.get("annotations", []))
        batches = [
            annotations[i : i + ANNOTATIONS_PER_REQUEST]
            for i in range(0, len(annotations), ANNOTATIONS_PER_REQUEST)
        ] or [[]]
        head = {"title": output["title"][:255], "summary": output["summary"][:65535]}
        for batch in batches[:-1]:
            await self._update_check_run(check_run_id, {"output": {**head, "annotations": batch}})
        final: dict[str, Any] = {**head, "text": output.get("text", "")[:65535]}
        if batches[-1]:
            final["annotations"] = batches[-1]
        await self._update_check_run(
            check_run_id,
            {
                "status": "completed",
                "conclusion": output["conclusion"],
                "output": final,
                "actions": [RECHECK_BUTTON],
            },
        )

    async def close_check_run(self, check_run_id: int, conclusion: str, title: str, summary: str) -> None:
        await self._update_check_run(
            check_run_id,
            {
                "status": "completed",
                "conclusion": conclusion,
                "output": {"title": title, "summary": summary},
                "actions": [RECHECK_BUTTON],
            },
        )

    async def _update_check_run(self, check_run_id: int, data: dict[str, Any]) -> None:
        await self._call(
            lambda: self._gh.rest.checks.async_update(
                self.owner, self.name, check_run_id, data=cast(Any, data)
            ),
            write=True,
        )


def parse_external_id(external_id: str) -> tuple[int, int, str] | None:
    """(repo_id, pull request number, head sha) from our check runs' external_id."""
    match = re.fullmatch(r"(\d+):(\d+):([0-9a-f]{7,64})", external_id or "")
    return (int(match[1]), int(match[2]), match[3]) if match else None


async def convert_manifest(api_url: str, code: str, transport: httpx.AsyncBaseTransport | None = None) -> Any:
    """Finish GitHub's manifest flow: trade the one-hour `code` for the new app's id, key and secret."""
    gh = GitHub(base_url=api_url, http_cache=False, auto_retry=_decide, async_transport=transport)
    response = await gh.rest.apps.async_create_from_manifest(code)
    return _json(response)
