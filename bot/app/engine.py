"""The scale-out job engine: procrastinate on PostgreSQL.

With a `postgresql://` DATABASE_URL, jobs live in procrastinate's tables beside ours: workers are woken
by LISTEN/NOTIFY and take jobs with `SELECT … FOR UPDATE SKIP LOCKED`; every job of one pull request
carries the pull request as its `lock` (one at a time), and reviews and re-runs carry it as their
`queueing_lock` too (a push while a review waits collapses into it: the waiting review reads the newest
head when it starts). Failures are retried with exponential backoff (a rate limit waits as long as
GitHub asks). Each worker sends a heartbeat every half second; a worker that stops sending one (killed,
frozen, cut off) for 3 s is stalled, and any live worker puts its jobs back in the queue and wakes the
workers at once. A late heartbeat is
no proof of death (a worker starved of CPU goes on later), so the hand-over is fenced: a run may
publish, end or retry its job only while it still owns it (same worker, same attempt), and a job whose
worker began to publish is left with it. `procrastinate
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
from procrastinate.manager import JobManager
from procrastinate.retry import BaseRetryStrategy

from bot.app import jobs, logs
from bot.app.metrics import Metrics
from bot.app.store import Job, Store
from bot.app.webhooks import Task

log = logs.get("migration_review.engine")

QUEUE = "reviews"
TASK_NAME = "migration_review.run"
HEARTBEAT = 0.5  # seconds between a worker's heartbeats
# seconds without a heartbeat after which a worker's jobs go back to the queue: six heartbeats missed in a
# row. A worker only starved of CPU and taken for stalled loses its job and publishes nothing (fenced).
STALLED = 3.0
RECOVERY = 0.5  # seconds between looks for stalled jobs
# seconds without a heartbeat after which procrastinate forgets a worker (its jobs' worker becomes NULL);
# a worker forgotten while it was only slow could no longer take jobs, so this is far above STALLED
FORGOTTEN = 80.0
ALIVE = 2.0  # seconds between a worker's "alive" in our workers table, for /readyz
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
            taken=job_info.attempts,
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
    app.job_manager = FencedJobManager(app.job_manager.connector, store)


class FencedJobManager(JobManager):
    """procrastinate's job manager, but a run ends or retries its job only while it still owns it.

    A worker taken for stalled (killed, or only starved of CPU with its heartbeat late) may still be
    running: its job went back to the queue and another worker (or another attempt) runs it now. When
    the late run ends, procrastinate would end the job whatever its state, deleting the row of the run
    that took it over; here that end is dropped instead, and the run that owns the job ends it.
    """

    def __init__(self, connector: Any, store: Store) -> None:
        super().__init__(connector)
        self.store = store

    async def finish_job(self, job: EngineJob, status: Status, delete_job: bool) -> None:
        if job.worker_id is None or job.id is None:
            await super().finish_job(job, status, delete_job)
            return
        ended = await anyio.to_thread.run_sync(
            self.store.finish_owned, job.id, job.worker_id, job.attempts, status.value, delete_job
        )
        if not ended:
            log.warning("a run that lost its job ended; the job's new run ends it", job=job.id)

    async def retry_job(
        self,
        job: EngineJob,
        retry_at: datetime.datetime | None = None,
        priority: int | None = None,
        queue: str | None = None,
        lock: str | None = None,
    ) -> None:
        if job.worker_id is None or job.id is None or (priority, queue, lock) != (None, None, None):
            await super().retry_job(job, retry_at, priority, queue, lock)
            return
        when = retry_at or datetime.datetime.now(datetime.UTC)
        if not await anyio.to_thread.run_sync(
            self.store.retry_owned, job.id, job.worker_id, job.attempts, when
        ):
            log.warning("a run that lost its job failed; the job's new run goes on", job=job.id)


async def recover_stalled(
    app: procrastinate.App, store: Store, stalled: float = STALLED, every: float = RECOVERY
) -> None:
    """Put the jobs of workers that stopped sending heartbeats back in the queue, for as long as we run.

    A late heartbeat is not proof of death: a worker starved of CPU may still finish. The hand-over is
    fenced (`Store.recover`): a job whose worker began to publish stays with it, and a worker that lost
    its job publishes nothing and does not end the job for the run that took it over.
    """
    while True:
        try:
            jobs = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled)
            for job in jobs:
                await _recover(store, job)
            await app.job_manager.prune_stalled_workers(seconds_since_heartbeat=FORGOTTEN)
        except Exception as error:  # the database is away: the pool reconnects, we look again
            log.warning("could not look for stalled jobs", error=f"{type(error).__name__}: {error}")
        await anyio.sleep(every)


async def _recover(store: Store, job: EngineJob) -> None:
    assert job.id is not None
    outcome = await anyio.to_thread.run_sync(store.recover, job.id, job.worker_id, job.attempts)
    if outcome == "queued":
        log.warning("job of a stalled worker queued again", job=job.id, attempts=job.attempts)
    elif outcome == "dropped":
        log.warning("job of a stalled worker dropped: a newer review waits", job=job.id)
    elif outcome == "publishing":
        log.info("stalled worker is publishing its job's result: left with it", job=job.id)


async def work(
    app: procrastinate.App, store: Store, concurrency: int, install_signal_handlers: bool = False
) -> None:
    """Run a worker (and the stalled-job recovery) until cancelled."""
    async with anyio.create_task_group() as group:
        group.start_soon(recover_stalled, app, store)
        await app.run_worker_async(
            queues=[QUEUE],
            name=f"{socket.gethostname()}:{os.getpid()}",
            concurrency=concurrency,
            install_signal_handlers=install_signal_handlers,
            update_heartbeat_interval=HEARTBEAT,
            stalled_worker_timeout=FORGOTTEN,  # what procrastinate prunes at start; recovery is ours
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
                group.start_soon(jobs.retention, self.store)
                await work(app, self.store, self.concurrency, self.install_signal_handlers)
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
            await anyio.sleep(ALIVE)


def __getattr__(name: str) -> Any:
    """`admin`: the engine on the server's DATABASE_URL, for procrastinate's command line."""
    if name == "admin":
        from bot.app.settings import load_settings

        settings = load_settings()
        return create(settings.database_url, settings.job_attempts)
    raise AttributeError(name)
