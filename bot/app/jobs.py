"""The task API: submit work from a delivery, and workers that run it.

`submit` is what the web receiver calls: closing a pull request cancels its queued work, installation
events are recorded, and everything else becomes a durable job in the store. `Worker` runs jobs with
bounded concurrency, renews their leases while they run, retries failures with backoff (a rate limit
waits as long as GitHub asks), and closes the check run of a job that failed for good. The embedded
default runs a worker inside `migration-review serve`; `migration-review worker` runs one on its own
against the same store.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import anyio

from bot.app.store import Job, Store
from bot.app.webhooks import Task

log = logging.getLogger("migration_review.jobs")

Handler = Callable[[Job], Awaitable[str]]
GiveUp = Callable[[Job, str], Awaitable[None]]

IDLE_POLL = 0.5  # seconds between looks at the store when nothing woke the worker


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


def backoff(attempt: int) -> float:
    return float(min(300, 2**attempt))


@dataclass
class Worker:
    store: Store
    handle: Handler
    give_up: GiveUp
    concurrency: int = 4
    attempts: int = 5
    running: set[int] = field(default_factory=set)
    finished: dict[str, int] = field(default_factory=dict)
    _wake: anyio.Event | None = None

    def wake(self) -> None:
        """Tell the worker a job was just enqueued (saves waiting for the next poll)."""
        if self._wake is not None:
            self._wake.set()

    async def run(self) -> None:
        """Run jobs until cancelled."""
        slots = anyio.Semaphore(self.concurrency)
        self._wake = anyio.Event()
        async with anyio.create_task_group() as group:
            group.start_soon(self._renew_leases)
            while True:
                await slots.acquire()
                wake = self._wake = anyio.Event()  # before looking, so that no wake-up is missed
                job = self.store.claim()
                if job is None:
                    slots.release()
                    with anyio.move_on_after(IDLE_POLL):
                        await wake.wait()
                    continue
                group.start_soon(self._run_one, job, slots)

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
                self.store.renew(sorted(self.running))

    async def _run_one(self, job: Job, slots: anyio.Semaphore) -> None:
        self.running.add(job.id)
        started = time.monotonic()
        try:
            state = await self.handle(job)
            self.store.finish(job.id, state)
            self._count(state)
            elapsed = time.monotonic() - started
            log.info(
                "job %s (delivery %s) %s %s in %.2fs",
                job.id,
                job.task.delivery,
                job.task.kind,
                state,
                elapsed,
            )
        except anyio.get_cancelled_exc_class():
            self.store.retry(job.id, 0.0, "interrupted by shutdown")  # the next worker starts it at once
            raise
        except Exception as error:  # a job must never take the worker down
            await self._failed(job, error)
        finally:
            self.running.discard(job.id)
            slots.release()

    async def _failed(self, job: Job, error: Exception) -> None:
        message = f"{type(error).__name__}: {error}"
        retry_after = getattr(error, "retry_after", None)
        if isinstance(retry_after, float):
            self.store.retry(job.id, retry_after, message)
            log.warning("job %s rate limited; again in %.0fs", job.id, retry_after)
            return
        if job.attempts < self.attempts:
            self.store.retry(job.id, backoff(job.attempts), message)
            log.warning("job %s attempt %s failed: %s", job.id, job.attempts, message)
            return
        log.error("job %s failed for good: %s", job.id, message)
        self.store.finish(job.id, "failed", message)
        self._count("failed")
        try:
            await self.give_up(job, message)
        except Exception as close_error:
            log.error("job %s: could not close its check run: %s", job.id, close_error)

    def _count(self, state: str) -> None:
        self.finished[state] = self.finished.get(state, 0) + 1
