"""The task API: submit work from a delivery, and workers that run it.

`submit` is what the web receiver calls: closing a pull request cancels its queued work, installation
events are recorded, and everything else becomes a durable job in the store. `Worker` runs jobs with
bounded concurrency, renews their leases while they run, retries failures with backoff (a rate limit
waits as long as GitHub asks), and closes the check run of a job that failed for good. The embedded
default runs a worker inside `migration-review serve`; `migration-review worker` runs one on its own
against the same store.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

import anyio

from bot.app import logs
from bot.app.metrics import Metrics
from bot.app.store import Job, Store
from bot.app.webhooks import Task

log = logs.get("migration_review.jobs")

Handler = Callable[[Job], Awaitable[str]]
GiveUp = Callable[[Job, str], Awaitable[None]]

IDLE_POLL = 0.5  # seconds between looks at the store when nothing woke the worker
HEARTBEAT = 5.0  # seconds between a worker's "alive" in the store
RETENTION_EVERY = 3600.0  # seconds between deletions of old records
UNREACHABLE_PAUSE = 1.0  # seconds a worker waits before trying an unreachable database again


class Runner(Protocol):
    """A worker as the web process sees it: the embedded store's `Worker`, or the engine's."""

    metrics: Metrics | None
    ready: bool
    finished: dict[str, int]

    async def run(self) -> None: ...

    def wake(self) -> None: ...


def submit(store: Store, task: Task) -> int | None:
    """Record the task; returns the job id, or None when the task was handled on the spot."""
    if task.kind == "cancel":
        store.cancel(task.key)
        return None
    if task.kind == "installation":
        store.record_installation(task.installation_id, "installation")
        return None
    return store.enqueue(task)


async def checkpoints(store: Store, every: float = 2.0) -> None:
    """Fold the store's log in from a thread, so that no request or job waits for a disk flush."""
    while True:
        await anyio.sleep(every)
        await anyio.to_thread.run_sync(store.checkpoint)


async def retention(store: Store, every: float = RETENTION_EVERY) -> None:
    """Delete what is older than the store's retention (deliveries, finished jobs…): now, then hourly."""
    while True:
        try:
            deleted = await anyio.to_thread.run_sync(store.prune)
            if deleted:
                log.info("old records deleted", rows=deleted)
        except Exception as error:
            log.warning("could not delete old records", error=f"{type(error).__name__}: {error}")
        await anyio.sleep(every)


def backoff(attempt: int) -> float:
    return float(min(300, 2**attempt))


def _alive(name: str) -> bool:
    """Whether the worker `host:pid` may be running: only a process of this host can be known dead."""
    host, _, pid = name.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Worker:
    store: Store
    handle: Handler
    give_up: GiveUp
    concurrency: int = 4
    attempts: int = 5
    metrics: Metrics | None = None
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    running: set[int] = field(default_factory=set)
    finished: dict[str, int] = field(default_factory=dict)
    ready: bool = False
    _wake: anyio.Event | None = None

    def wake(self) -> None:
        """Tell the worker a job was just enqueued (saves waiting for the next poll)."""
        if self._wake is not None:
            self._wake.set()

    async def run(self) -> None:
        """Run jobs until cancelled."""
        slots = anyio.Semaphore(self.concurrency)
        self._wake = anyio.Event()
        self._take_back_orphans()
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(self._renew_leases)
                group.start_soon(self._heartbeats)
                group.start_soon(retention, self.store)
                while True:
                    await slots.acquire()
                    wake = self._wake = anyio.Event()  # before looking, so that no wake-up is missed
                    try:
                        job = self.store.claim()
                    except Exception as error:  # the database went away: wait for it, never exit
                        slots.release()
                        self._unreachable(error)
                        await anyio.sleep(UNREACHABLE_PAUSE)
                        continue
                    if job is None:
                        slots.release()
                        with anyio.move_on_after(IDLE_POLL):
                            await wake.wait()
                        continue
                    group.start_soon(self._run_one, job, slots)
        finally:
            self.ready = False
            self._store_safely(lambda: self.store.forget_worker(self.name))

    def _take_back_orphans(self) -> None:
        """A server started again after it was killed resumes its reviews at once, not when their leases
        run out, unless another worker may still hold them."""
        try:
            taken = self.store.take_back_orphans(self.name, _alive)
        except Exception as error:  # the database is away: the leases run out as usual
            self._unreachable(error)
            return
        if taken:
            log.warning("jobs of a worker that died taken back", jobs=taken)

    def _unreachable(self, error: Exception) -> None:
        if self.ready:
            log.error("the job store is unreachable; retrying", error=f"{type(error).__name__}: {error}")
        self.ready = False

    async def _heartbeats(self) -> None:
        while True:
            try:
                self.store.heartbeat(self.name)
                self.ready = True
            except Exception as error:
                self._unreachable(error)
            await anyio.sleep(HEARTBEAT)

    async def drain(self) -> int:
        """Run runnable jobs one at a time until none is left; returns how many ran."""
        count = 0
        slots = anyio.Semaphore(1)
        while (job := self.store.claim()) is not None:
            await slots.acquire()
            await self._run_one(job, slots)
            count += 1
        return count

    async def _renew_leases(self) -> None:
        while True:
            await anyio.sleep(max(0.2, self.store.lease / 3))
            if self.running:
                try:
                    self.store.renew(sorted(self.running))
                except Exception as error:
                    self._unreachable(error)

    async def _run_one(self, job: Job, slots: anyio.Semaphore) -> None:
        self.running.add(job.id)
        task = job.task
        with logs.context(
            job=job.id,
            delivery=task.delivery,
            repository=f"{task.owner}/{task.repo}",
            pull_request=task.number,
        ):
            try:
                await self._attempt(job)
            finally:
                self.running.discard(job.id)
                slots.release()

    async def _attempt(self, job: Job) -> None:
        started = time.monotonic()
        try:
            state = await self.handle(job)
        except anyio.get_cancelled_exc_class():
            with anyio.CancelScope(shield=True):
                self._store_safely(
                    lambda: self.store.retry(job.id, 0.0, "interrupted by shutdown", job.attempts)
                )
            raise  # the next worker starts it at once
        except Exception as error:  # a job must never take the worker down
            self._observe(job, "retried", started)
            await self._failed(job, error)
            return
        self._store_safely(lambda: self.store.finish(job.id, state, attempts=job.attempts))
        self._count(state)
        self._observe(job, state, started)
        log.info(
            "job finished", kind=job.task.kind, state=state, seconds=round(time.monotonic() - started, 3)
        )

    def _store_safely(self, write: Callable[[], None]) -> None:
        """A write that may meet an unreachable database: the job's lease runs out and it runs again."""
        try:
            write()
        except Exception as error:
            self._unreachable(error)

    def _observe(self, job: Job, state: str, started: float) -> None:
        if self.metrics is not None:
            self.metrics.job(job.task.kind, state, time.monotonic() - started)

    async def _failed(self, job: Job, error: Exception) -> None:
        message = f"{type(error).__name__}: {error}"
        retry_after = getattr(error, "retry_after", None)
        if isinstance(retry_after, float):
            self._store_safely(lambda: self.store.retry(job.id, retry_after, message, job.attempts))
            log.warning("job rate limited", retry_in=round(retry_after))
            return
        if job.attempts < self.attempts:
            self._store_safely(lambda: self.store.retry(job.id, backoff(job.attempts), message, job.attempts))
            log.warning("job attempt failed", attempt=job.attempts, error=message)
            return
        log.error("job failed for good", error=message)
        self._store_safely(lambda: self.store.finish(job.id, "failed", message, job.attempts))
        self._count("failed")
        try:
            await self.give_up(job, message)
        except Exception as close_error:
            log.error(
                "could not close the job's check run", error=f"{type(close_error).__name__}: {close_error}"
            )

    def _count(self, state: str) -> None:
        self.finished[state] = self.finished.get(state, 0) + 1
