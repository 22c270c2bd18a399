"""Which table locks a statement really takes, and whether it rewrote a table.

PostgreSQL: a statement that may run in a transaction runs in one, and before it commits a second
session reads `pg_locks` for the first one's backend: every lock the statement took is still held, so
the list is complete, not sampled. A statement that refuses a transaction (CREATE INDEX CONCURRENTLY) is
watched by sampling `pg_locks` from the second session while it runs. A table whose `relfilenode` changed
was rewritten (or truncated): every row was copied under the lock.

MariaDB and MySQL: an ALTER TABLE is first offered to the server with `ALGORITHM=INSTANT`, then
`INPLACE`; the server refuses an algorithm it cannot use without changing anything, so the first one it
accepts is the one it would choose, and the statement is run by it. COPY rebuilds the table and blocks
writes for the whole copy.
"""

from __future__ import annotations

import re
import threading
import time

from bot.model.shadow import LockHeld
from bot.shadow.server import Session, ShadowError

_MODES = {
    "AccessShareLock": "ACCESS SHARE",
    "RowShareLock": "ROW SHARE",
    "RowExclusiveLock": "ROW EXCLUSIVE",
    "ShareUpdateExclusiveLock": "SHARE UPDATE EXCLUSIVE",
    "ShareLock": "SHARE",
    "ShareRowExclusiveLock": "SHARE ROW EXCLUSIVE",
    "ExclusiveLock": "EXCLUSIVE",
    "AccessExclusiveLock": "ACCESS EXCLUSIVE",
}
STRENGTH = {mode: rank for rank, mode in enumerate(_MODES.values())}

_HELD = """
SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE l.pid = %s AND l.locktype = 'relation' AND l.granted AND c.relkind IN ('r', 'p', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
"""
_FILES = """
SELECT c.relname, c.relfilenode FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg_temp%%'
"""


def held(watcher: Session, pid: int) -> set[tuple[str, str]]:
    """(table, mode) of the relation locks the backend holds now."""
    return {(str(t), _MODES.get(str(m), str(m))) for t, m in watcher.rows(_HELD, (pid,))}


def files(session: Session) -> dict[str, int]:
    return {str(t): int(f) for t, f in session.rows(_FILES, ())}


def rewritten(before: dict[str, int], after: dict[str, int]) -> tuple[str, ...]:
    return tuple(sorted(t for t, f in before.items() if t in after and after[t] != f and f != 0))


def strongest(found: set[tuple[str, str]]) -> dict[str, str]:
    """table → its strongest mode."""
    result: dict[str, str] = {}
    for table, mode in found:
        if STRENGTH.get(mode, -1) > STRENGTH.get(result.get(table, ""), -1):
            result[table] = mode
    return result


class Sampler:
    """Reads pg_locks for a backend every few milliseconds from another session while a statement runs."""

    def __init__(self, watcher: Session, pid: int, interval: float = 0.002) -> None:
        self.watcher, self.pid, self.interval = watcher, pid, interval
        self.seen: set[tuple[str, str]] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.seen |= held(self.watcher, self.pid)
            except ShadowError:
                return
            time.sleep(self.interval)


def as_locks(found: set[tuple[str, str]], milliseconds: float, how: str) -> tuple[LockHeld, ...]:
    return tuple(
        LockHeld(table, mode, round(milliseconds, 3), how) for table, mode in sorted(strongest(found).items())
    )


# (ALGORITHM, LOCK) from the lightest; INSTANT changes only the table's definition and takes no LOCK clause
_WAYS = (
    ("INSTANT", ""),
    ("INPLACE", "NONE"),
    ("INPLACE", "SHARED"),
    ("INPLACE", "EXCLUSIVE"),
    ("COPY", "SHARED"),
    ("COPY", "EXCLUSIVE"),
)


def try_algorithms(session: Session, sql: str) -> tuple[str, str]:
    """Run an ALTER TABLE by the lightest algorithm and lock the server accepts, and return them: the
    algorithm (INSTANT, INPLACE, COPY) and the lock it holds on the table while it works (NONE: reads and
    writes go on; SHARED: writes wait; EXCLUSIVE: reads and writes wait). The server refuses a way it
    cannot take before changing anything (errors 1845/1846). A statement that names its own ALGORITHM or
    LOCK runs as written ("", "" returned: not observed)."""
    if re.search(r"\b(?:algorithm|lock)\s*=", sql, re.I):
        session.execute(sql)
        return "", ""
    for algorithm, lock in _WAYS:
        clause = f", ALGORITHM={algorithm}" + (f", LOCK={lock}" if lock else "")
        try:
            session.execute(sql + clause)
            return algorithm, lock or "NONE"
        except ShadowError:
            continue
    session.execute(sql)
    return "COPY", ""
