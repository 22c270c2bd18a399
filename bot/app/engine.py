"""The scale-out job engine: procrastinate on PostgreSQL.

With a `postgresql://` DATABASE_URL, jobs live in procrastinate's tables beside ours: workers are woken
by LISTEN/NOTIFY and take jobs with `SELECT … FOR UPDATE SKIP LOCKED`; every job of one pull request
carries the pull request as its `lock` (one at a time), and reviews and re-runs carry it as their
`queueing_lock` too (a push while a review waits collapses into it: the waiting review reads the newest
head when it starts). Failures are retried with exponential backoff (a rate limit waits as long as
GitHub asks). Each worker sends a heartbeat; a worker that stops sending one (killed, frozen, cut
off) is stalled, and any live worker puts its jobs back in the queue within seconds. `procrastinate
--app=bot.app.engine.admin …` is its admin command line.

The embedded default (SQLite, one process) keeps the store's own queue in bot/app/store.py: same
task code (`bot.app.tasks.run`), nothing to install. Procrastinate's in-memory connector would lose
the queue on restart, which the embedded default promises not to.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import os
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import procrastinate
from procrastinate import JobContext, RetryDecision
from procrastinate.jobs import Job as EngineJob
from procrastinate.jobs import Status
from procrastinate.retry import BaseRetryStrategy

from bot.app import logs
from bot.app.metrics import Metrics
from bot.app.store import Job, Store
from bot.app.webhooks import Task

log = logs.get("migration_review.engine")

QUEUE = "reviews"
TASK_NAME = "migration_review.run"
HEARTBEAT = 1.0  # seconds between a worker's heartbeats
STALLED = 8.0  # seconds without a heartbeat after which a worker's jobs go back to the queue
RECOVERY = 1.0  # seconds between looks for stalled jobs
COLLAPSING = ("review", "rerun")  # kinds a newer one of the same pull request makes moot

Handler = Callable[[Job], Awaitable[str]]
GiveUp = Callable[[Job, str], Awaitable[None]]


def is_engine_url(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


class Backoff(BaseRetryStrategy):
    """Exponential backoff up to `attempts`; a rate limit waits for as long as GitHub asked."""

    def __init__(self, attempts: int) -> None:
        self.attempts = attempts

    def get_retry_decision(self, *, exception: BaseException, job: EngineJob) -> RetryDecision | None:
        retry_after = getattr(exception, "retry_after", None)
        if isinstance(retry_after, float):
            return RetryDecision(retry_in={"seconds": int(retry_after) + 1})
        if job.attempts + 1 >= self.attempts:
            return None
        return RetryDecision(retry_in={"seconds": int(backoff(job.attempts + 1))})


def backoff(attempt: int) -> float:
    return float(min(300, 2**attempt))


def create(url: str, attempts: int = 5) -> procrastinate.App:
    """The engine's app, its one task registered; open it with `open_async()` before use."""
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(
            conninfo=url,
            kwargs={"connect_timeout": 5},
            reconnect_timeout=0,  # keep trying for as long as the server is away
        )
    )
    app.task(name=TASK_NAME, queue=QUEUE, pass_context=True, retry=Backoff(attempts))(_unbound)
    return app


async def _unbound(context: JobContext, /, **task: Any) -> str:
    """Replaced per worker by `bind`: a process that only defers never runs it."""
    raise RuntimeError("no worker handler is bound in this process")


def defer_arguments(task: Task) -> dict[str, Any]:
    """The lock and queueing lock of a task: one job per pull request at a time, pushes collapsed."""
    return {
        "lock": task.key,
        "queueing_lock": task.key if task.kind in COLLAPSING else None,
    }


def bind(app: procrastinate.App, store: Store, handle: Handler, give_up: GiveUp, attempts: int) -> None:
    """Run `handle` for each job this process's worker takes; `give_up` after the last attempt fails.

    A review or re-run that failed is queued again as a new job rather than retried in place: its
    queueing lock may be taken by a newer push meanwhile, and then the newer review is all that is
    needed (procrastinate would fail to put the old one back in the queue).
    """

    async def run(context: JobContext, /, **fields: Any) -> str:
        job_info = context.job
        assert job_info.id is not None
        task = Task(**fields)
        job = Job(
            id=job_info.id,
            task=task,
            attempts=job_info.attempts + 1 + task.attempt,
            check_run_id=None,
            worker_id=job_info.worker_id,
        )
        try:
            return await handle(job)
        except Exception as error:
            retry_after = getattr(error, "retry_after", None)
            if job.attempts >= attempts and retry_after is None:
                await give_up(job, f"{type(error).__name__}: {error}")
                raise
            if task.kind not in COLLAPSING:
                raise
            delay = float(retry_after) if isinstance(retry_after, float) else backoff(job.attempts)
            again = dataclasses.replace(task, attempt=job.attempts)
            queued = await anyio.to_thread.run_sync(store.defer_again, again, delay)
            log.warning(
                "review queued again" if queued else "review dropped: a newer one waits",
                attempt=job.attempts,
                error=f"{type(error).__name__}: {error}",
            )
            return "retried"

    app.tasks[TASK_NAME].func = run


async def recover_stalled(app: procrastinate.App, stalled: float = STALLED, every: float = RECOVERY) -> None:
    """Put the jobs of workers that stopped sending heartbeats back in the queue, for as long as we run."""
    while True:
        try:
            jobs = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled)
            for job in jobs:
                await _recover(app, job)
            await app.job_manager.prune_stalled_workers(seconds_since_heartbeat=stalled * 10)
        except Exception as error:  # the database is away: the pool reconnects, we look again
            log.warning("could not look for stalled jobs", error=f"{type(error).__name__}: {error}")
        await anyio.sleep(every)


async def _recover(app: procrastinate.App, job: EngineJob) -> None:
    assert job.id is not None
    try:
        await app.job_manager.retry_job(job, retry_at=datetime.datetime.now(datetime.UTC))
    except procrastinate.exceptions.UniqueViolation:  # a newer review of the pull request already waits
        await app.job_manager.finish_job_by_id_async(job.id, status=Status.FAILED, delete_job=False)
        log.warning("job of a stalled worker dropped: a newer review waits", job=job.id)
        return
    log.warning("job of a stalled worker queued again", job=job.id, attempts=job.attempts)


async def work(app: procrastinate.App, concurrency: int, install_signal_handlers: bool = False) -> None:
    """Run a worker (and the stalled-job recovery) until cancelled."""
    async with anyio.create_task_group() as group:
        group.start_soon(recover_stalled, app)
        await app.run_worker_async(
            queues=[QUEUE],
            name=f"{socket.gethostname()}:{os.getpid()}",
            concurrency=concurrency,
            install_signal_handlers=install_signal_handlers,
            update_heartbeat_interval=HEARTBEAT,
            stalled_worker_timeout=STALLED,
            fetch_job_polling_interval=2.0,
            delete_jobs="successful",
        )
        group.cancel_scope.cancel()


class EngineWorker:
    """A worker on the engine, with the embedded worker's face: `run`, `wake`, `ready`, `metrics`."""

    def __init__(
        self,
        url: str,
        store: Store,
        handle: Handler,
        give_up: GiveUp,
        concurrency: int = 4,
        attempts: int = 5,
        metrics: Metrics | None = None,
        install_signal_handlers: bool = False,
    ) -> None:
        self.url = url
        self.store = store
        self.handle = handle
        self.give_up = give_up
        self.concurrency = concurrency
        self.attempts = attempts
        self.metrics = metrics
        self.install_signal_handlers = install_signal_handlers
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.ready = False
        self.finished: dict[str, int] = {}

    def wake(self) -> None:
        """Nothing to do: PostgreSQL's NOTIFY wakes the workers."""

    async def _measured(self, job: Job) -> str:
        task = job.task
        started = time.monotonic()
        with logs.context(
            job=job.id,
            delivery=task.delivery,
            repository=f"{task.owner}/{task.repo}",
            pull_request=task.number,
        ):
            try:
                state = await self.handle(job)
            except Exception as error:
                self._observe(job, "retried", started)
                log.warning(
                    "job attempt failed", attempt=job.attempts, error=f"{type(error).__name__}: {error}"
                )
                raise
            self._observe(job, state, started)
            self.finished[state] = self.finished.get(state, 0) + 1
            log.info(
                "job finished", kind=task.kind, state=state, seconds=round(time.monotonic() - started, 3)
            )
            return state

    def _observe(self, job: Job, state: str, started: float) -> None:
        if self.metrics is not None:
            self.metrics.job(job.task.kind, state, time.monotonic() - started)

    async def run(self) -> None:
        app = create(self.url, self.attempts)
        bind(app, self.store, self._measured, self.give_up, self.attempts)
        try:
            async with app.open_async(), anyio.create_task_group() as group:
                group.start_soon(self._heartbeats)
                group.start_soon(self._retention)
                await work(app, self.concurrency, self.install_signal_handlers)
                group.cancel_scope.cancel()
        finally:
            self.ready = False
            with contextlib.suppress(Exception):
                self.store.forget_worker(self.name)

    async def _heartbeats(self) -> None:
        while True:
            try:
                await anyio.to_thread.run_sync(self.store.heartbeat, self.name)
                self.ready = True
            except Exception as error:
                if self.ready:
                    log.error(
                        "the database is unreachable; retrying", error=f"{type(error).__name__}: {error}"
                    )
                self.ready = False
            await anyio.sleep(HEARTBEAT)

    async def _retention(self) -> None:
        while True:
            with contextlib.suppress(Exception):
                deleted = await anyio.to_thread.run_sync(self.store.prune)
                if deleted:
                    log.info("old records deleted", rows=deleted)
            await anyio.sleep(3600)


def __getattr__(name: str) -> Any:
    """`admin`: the engine on the server's DATABASE_URL, for procrastinate's command line."""
    if name == "admin":
        from bot.app.settings import load_settings

        settings = load_settings()
        return create(settings.database_url, settings.job_attempts)
    raise AttributeError(name)
