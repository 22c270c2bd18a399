"""Each review runs in a child process with limits on time and memory; the serving process only waits.

A hostile or huge migration can make a parser slow or greedy. The review of one pull request therefore
runs in a child process forked from a server that has already imported the review and compiled the
templates (bot/app/warm.py), so a child starts in milliseconds and renders without compiling anything. The child's address space is capped (RLIMIT_AS) and so is
its CPU time (RLIMIT_CPU); the parent kills it when the wall-clock limit passes. The event loop that
acknowledges webhooks never runs a parser.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

import anyio

T = TypeVar("T")

PRELOAD = ["bot.app.warm"]
_POLL = 0.02  # seconds between looks at the child
_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(PRELOAD)


@dataclass(frozen=True)
class ProcessLimits:
    seconds: float
    memory_bytes: int


class OverLimit(Exception):
    """The review broke a limit (time or memory) or its process died; the message says which."""


class ChildFailed(Exception):
    """The review raised; `kind` is the exception's class name, the message its text."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def warm() -> None:
    """Start the fork server now (it imports the review once), so the first review does not pay for it."""
    from multiprocessing import forkserver

    forkserver.ensure_running()


async def run_isolated(limits: ProcessLimits, function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` in a child process within `limits`; its exceptions come back as ChildFailed."""
    receiver, sender = _context.Pipe(duplex=False)
    process = _context.Process(target=_child, args=(sender, limits, function, args), daemon=True)
    try:
        await anyio.to_thread.run_sync(process.start)  # the first start also starts the fork server
        sender.close()
        await _wait(process, receiver, limits)
        status, kind, value = await anyio.to_thread.run_sync(receiver.recv)
    finally:
        if process.is_alive():
            process.kill()
        with contextlib.suppress(ValueError, AssertionError):
            await anyio.to_thread.run_sync(process.join, 5.0)
        receiver.close()
    if status == "limit":
        raise OverLimit(value)
    if status == "error":
        raise ChildFailed(kind, value)
    return value  # type: ignore[no-any-return]


async def _wait(process: Any, receiver: Connection, limits: ProcessLimits) -> None:
    deadline = time.monotonic() + limits.seconds
    while not receiver.poll():
        if not process.is_alive() and not receiver.poll():
            raise OverLimit(f"the review process ended without a result (exit code {process.exitcode})")
        if time.monotonic() > deadline:
            raise OverLimit(f"the review took longer than {limits.seconds:g} seconds")
        await anyio.sleep(_POLL)


def _child(sender: Connection, limits: ProcessLimits, function: Callable[..., Any], args: Any) -> None:
    cpu = int(limits.seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    try:
        sender.send(("ok", "", function(*args)))
    except MemoryError:
        sender.send(("limit", "", f"the review needed more than {limits.memory_bytes // 2**20} MiB"))
    except Exception as error:
        sender.send(("error", type(error).__name__, str(error)))
    finally:
        sender.close()
