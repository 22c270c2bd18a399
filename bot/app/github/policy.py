"""How the app talks to GitHub politely: which failures to retry, rate limits, pacing of writes.

Reads are retried with backoff on 5xx, timeouts and connection errors (each one counted in the
metrics); a request that never left (no connection) is retried whatever it is; a write is retried only where repeating it is
harmless (a comment edit, a reaction; never a create, never a check run update that appends
annotations). Short rate-limit waits happen in place; long ones go back to the job queue as
`RateLimited`. Writes to one installation go one at a time, in short bursts, then one per interval.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

import anyio
import httpx
from githubkit.exception import RateLimitExceeded, RequestError, RequestFailed, RequestTimeout
from githubkit.retry import RetryOption

from bot.app import logs
from bot.app.github.shared import Shared
from bot.app.metrics import Metrics

log = logs.get("migration_review.github")

T = TypeVar("T")

_SAFE_METHODS = {"GET", "HEAD", "PUT", "DELETE"}
_INLINE_WAIT = timedelta(seconds=90)


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


def _unsent(error: Exception) -> bool:
    """A request that never reached GitHub (no connection, none free in the pool): repeating it is harmless."""
    cause = getattr(error, "exc", None)
    return isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


def _request_of(error: Exception) -> httpx.Request | None:
    try:
        request = getattr(getattr(error, "exc", None), "request", None)
    except RuntimeError:  # httpx raises when the error carries no request
        return None
    return request if isinstance(request, httpx.Request) else None


def decide(error: Exception, count: int) -> RetryOption:
    """githubkit's retry decision: never repeat a write that may have gone through.

    Failures without an answer (a timeout, a refused or dropped connection) and 5xx answers are tried
    again after 1, 2 and 4 seconds when the request is harmless to repeat or never left this process.
    """
    if isinstance(error, RateLimitExceeded):
        return RetryOption(count < 2 and error.retry_after <= _INLINE_WAIT, error.retry_after)
    if count >= 3:
        return RetryOption(False)
    again = RetryOption(True, timedelta(seconds=2**count))
    if isinstance(error, RequestFailed):
        return (
            again if error.response.status_code >= 500 and _repeatable(error.request) else RetryOption(False)
        )
    if isinstance(error, RequestError):
        request = _request_of(error)
        return (
            again if _unsent(error) or (request is not None and _repeatable(request)) else RetryOption(False)
        )
    return RetryOption(False)


def counted(metrics: Metrics | None) -> Callable[[Exception, int], RetryOption]:
    """`decide`, counting each request that got no answer (a timeout, a connection error) by method."""

    def decide_and_count(error: Exception, count: int) -> RetryOption:
        if metrics is not None and isinstance(error, RequestError) and not isinstance(error, RequestFailed):
            request = _request_of(error)
            began = request.extensions.get("migration_review_started") if request is not None else None
            seconds = time.monotonic() - began if isinstance(began, float) else 0.0
            failure = "timeout" if isinstance(error, RequestTimeout) else "connection"
            metrics.github_call(request.method if request is not None else "", failure, seconds)
        return decide(error, count)

    return decide_and_count


def json_of(response: Any) -> Any:
    """The body as plain JSON: responses are read leniently, never through githubkit's strict models."""
    return response.raw_response.json()


def status_of(error: Exception) -> int:
    return error.response.status_code if isinstance(error, RequestFailed) else 0


def uncertain(error: Exception) -> bool:
    """A write that failed in a way that may still have reached GitHub."""
    if isinstance(error, RequestFailed):
        return status_of(error) >= 500
    return isinstance(error, RequestError) and not _unsent(error)


@dataclass
class Pacer:
    """Writes to one installation go one at a time: bursts of `burst`, then one per `interval` seconds.

    With `shared`, the budget is the installation's in the database, drawn on by every process;
    otherwise (or while the database cannot answer) it is this process's own.
    """

    interval: float
    burst: float = 5.0
    installation_id: int = 0
    shared: Shared | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    due: float | None = None  # when the next write would be on time (the generic cell rate algorithm)

    async def write(self, call: Callable[[], Awaitable[T]]) -> T:
        async with self.lock:
            wait = await self._reserve()
            if wait > 0:
                await self.sleep(wait)
            return await call()

    async def _reserve(self) -> float:
        """Seconds to wait before the next write; the slot is ours once this returns."""
        if self.interval <= 0:
            return 0.0
        if self.shared is not None:
            try:
                return await anyio.to_thread.run_sync(
                    self.shared.pace, self.installation_id, self.interval, self.burst
                )
            except Exception as error:
                log.warning("shared pacing unreachable", error=f"{type(error).__name__}: {error}")
        now = self.clock()
        self.due = max(now if self.due is None else self.due, now) + self.interval
        return max(0.0, self.due - self.burst * self.interval - now)


def version_hooks(version: str | None) -> list[Callable[[httpx.Request], Awaitable[None]]]:
    """GitHub Enterprise Server before 3.21 knows only REST 2022-11-28; githubkit asks for its newest."""
    if version is None:
        return []

    async def pin(request: httpx.Request) -> None:
        request.headers["X-GitHub-Api-Version"] = version

    return [pin]


def timing_hooks(
    metrics: Metrics | None,
) -> tuple[Callable[[httpx.Request], Awaitable[None]], Callable[[httpx.Response], Awaitable[None]]]:
    """httpx hooks that time each request to GitHub and count the errors by status."""

    async def started(request: httpx.Request) -> None:
        request.extensions["migration_review_started"] = time.monotonic()

    async def answered(response: httpx.Response) -> None:
        began = response.request.extensions.get("migration_review_started")
        if metrics is not None and isinstance(began, float):
            metrics.github_call(response.request.method, str(response.status_code), time.monotonic() - began)

    return started, answered
