"""Work over many items shared with a forked child process, when a second core is there to run it.

`in_two(work, items)` is `[work(item) for item in items]`: the parent computes the first part, a child
forked once the first tenth is done computes the rest at the same time and sends it back pickled through a
pipe. A child
that fails (an exception, a result that does not pickle, a kill) costs nothing but time: the parent then
computes the rest itself, so any exception is raised where it would have been without the child.

One process does it all on a single core, where `fork` is missing or unsafe (another thread runs: a
forked copy of a lock held by it never opens), for small inputs (`minimum`, in units of `weight`), and
where the first tenth went so fast that the rest would take less than a fork, pickling and reading back
cost (the files of a lint whose cache already holds them, say): the time it took is the only thing read
from the clock, and it decides who computes, never what.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

_PROBE = 0.1  # the part of the weight the parent computes before it decides
_WORTH = 0.08  # seconds the rest must be expected to take for a child to pay (a fork and reading back: 15 ms)


def in_two(
    work: Callable[[T], R],
    items: Sequence[T],
    *,
    weight: Callable[[T], int] = lambda _: 1,
    minimum: int = 2,
    share: float = 0.5,
) -> list[R]:
    """`[work(item) for item in items]`, the later items computed by a forked child where that pays.

    `share`: the part of the total weight the parent computes, the rest the child's. The parent also reads
    the child's results back, and the child may have more to do before its first item (see the callers)."""
    weights = [weight(item) for item in items]
    total = sum(weights)
    if len(items) < 2 or total < minimum or not _forkable():
        return [work(item) for item in items]
    mine: list[R] = []
    started, running = time.perf_counter(), 0
    while len(mine) < len(items) - 1 and running < total * _PROBE:
        mine.append(work(items[len(mine)]))
        running += weights[len(mine) - 1]
    elapsed = time.perf_counter() - started
    if elapsed * (total - running) < _WORTH * max(running, 1):
        return mine + [work(item) for item in items[len(mine) :]]
    cut = len(mine)
    while cut < len(items) - 1 and running + weights[cut] <= total * share:
        running += weights[cut]
        cut += 1
    read, write = os.pipe()
    # The child would write to every object's page when its collector walks them (copying the page, as
    # the parent still shares it): it leaves the objects that exist now alone, and so does the parent's
    # collector for as long as the child runs (measured: about 15 % less CPU for a lint of 300 files). A process
    # that froze objects of its own keeps them frozen: then nothing is frozen here.
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        pid = os.fork()
    except OSError:  # no process to be had (a limit on their number): this one does it all
        if freeze:
            gc.unfreeze()
        os.close(read)
        os.close(write)
        return mine + [work(item) for item in items[len(mine) :]]
    if pid == 0:  # the child: compute the rest, send it, and leave without running the parent's exit code
        os.close(read)
        status = 1
        with contextlib.suppress(BaseException):
            data = pickle.dumps([work(item) for item in items[cut:]], protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write, "wb") as pipe:
                pipe.write(data)
            status = 0
        os._exit(status)
    os.close(write)
    try:
        mine += [work(item) for item in items[len(mine) : cut]]
    except BaseException:
        _discard(read, pid)
        raise
    finally:
        if freeze:
            gc.unfreeze()
    return mine + _collect(read, pid, lambda: [work(item) for item in items[cut:]])


def _forkable() -> bool:
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    affinity = getattr(os, "sched_getaffinity", None)
    cores = len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)
    return cores > 1


def _collect(read: int, pid: int, fallback: Callable[[], list[R]]) -> list[R]:
    """The child's results, or the fallback's when the child did not deliver them."""
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status == 0 and data:
        with contextlib.suppress(Exception):
            found: list[R] = pickle.loads(data)  # written by our own child, above
            return found
    return fallback()


def _discard(read: int, pid: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, 9)
    os.close(read)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
