"""Persistence of deliveries and jobs in one SQLite file, shared by the web and worker processes.

A delivery id is recorded once; a second delivery with the same id is not processed again. Jobs are
durable: a job is leased to a worker while it runs and the lease is renewed; a job whose worker died
(its lease ran out) is taken again, so a crash or restart loses no review. Work on one pull request
runs one job at a time, and a newer review of the same pull request supersedes the queued older one.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.webhooks import Task

SUPERSEDING = ("review", "rerun")  # kinds that make any older work on the same pull request moot

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    guid TEXT PRIMARY KEY, event TEXT NOT NULL, action TEXT NOT NULL, received_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    task TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before REAL NOT NULL,
    lease_until REAL NOT NULL DEFAULT 0,
    check_run_id INTEGER,
    error TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, not_before);
CREATE INDEX IF NOT EXISTS jobs_by_key ON jobs (key, id);
CREATE TABLE IF NOT EXISTS installations (
    id INTEGER PRIMARY KEY, event TEXT NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS notices (key TEXT PRIMARY KEY, sent_at REAL NOT NULL);
"""


@dataclass(frozen=True)
class Job:
    id: int
    task: Task
    attempts: int
    check_run_id: int | None


class Store:
    def __init__(self, path: str | Path, lease: float = 60.0) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.lease = lease
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA wal_autocheckpoint=0")  # checkpoints run in the background, see checkpoint()
        self._db.executescript(_SCHEMA)
        self._path = str(path)

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database, on a connection of its own (call it off the loop)."""
        if self._path == ":memory:":
            return
        db = sqlite3.connect(self._path, timeout=30)
        try:
            db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            db.close()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def record_delivery(self, guid: str, event: str, action: str) -> bool:
        """True when this delivery id is new; False for a delivery seen before."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO deliveries VALUES (?, ?, ?, ?)", (guid, event, action, time.time())
            )
            return cursor.rowcount == 1

    def enqueue(self, task: Task, delay: float = 0.0) -> int:
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if task.kind in SUPERSEDING:
                    self._db.execute(
                        "UPDATE jobs SET state='superseded', updated_at=? WHERE key=? AND state='queued'"
                        " AND kind IN ('review', 'rerun')",
                        (now, task.key),
                    )
                cursor = self._db.execute(
                    "INSERT INTO jobs (key, kind, task, state, not_before, created_at, updated_at)"
                    " VALUES (?, ?, ?, 'queued', ?, ?, ?)",
                    (task.key, task.kind, json.dumps(asdict(task)), now + delay, now, now),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return int(cursor.lastrowid or 0)

    def claim(self) -> Job | None:
        """Lease the oldest runnable job whose pull request has no other job running."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "SELECT id, task, attempts, check_run_id FROM jobs AS j"
                    " WHERE ((state='queued' AND not_before<=?) OR (state='running' AND lease_until<?))"
                    " AND NOT EXISTS (SELECT 1 FROM jobs AS o WHERE o.key=j.key AND o.id<>j.id"
                    "   AND o.state='running' AND o.lease_until>=?)"
                    " ORDER BY id LIMIT 1",
                    (now, now, now),
                ).fetchone()
                if row is not None:
                    self._db.execute(
                        "UPDATE jobs SET state='running', attempts=attempts+1, lease_until=?, updated_at=?"
                        " WHERE id=?",
                        (now + self.lease, now, row[0]),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        if row is None:
            return None
        return Job(id=row[0], task=Task(**json.loads(row[1])), attempts=row[2] + 1, check_run_id=row[3])

    def renew(self, job_ids: list[int]) -> None:
        until = time.time() + self.lease
        with self._lock:
            self._db.executemany(
                "UPDATE jobs SET lease_until=? WHERE id=? AND state='running'", [(until, i) for i in job_ids]
            )

    def finish(self, job_id: int, state: str, error: str = "") -> None:
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET state=?, error=?, lease_until=0, updated_at=? WHERE id=?",
                (state, error[:2000], time.time(), job_id),
            )

    def retry(self, job_id: int, delay: float, error: str) -> None:
        now = time.time()
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET state='queued', not_before=?, lease_until=0, error=?, updated_at=?"
                " WHERE id=?",
                (now + delay, error[:2000], now, job_id),
            )

    def set_check_run(self, job_id: int, check_run_id: int) -> None:
        with self._lock:
            self._db.execute("UPDATE jobs SET check_run_id=? WHERE id=?", (check_run_id, job_id))

    def check_run(self, job_id: int) -> int | None:
        with self._lock:
            row = self._db.execute("SELECT check_run_id FROM jobs WHERE id=?", (job_id,)).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def superseded(self, job: Job) -> bool:
        """True when a newer review of the same pull request has been asked for."""
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM jobs WHERE key=? AND id>? AND kind IN ('review', 'rerun')"
                " AND state NOT IN ('cancelled') LIMIT 1",
                (job.task.key, job.id),
            ).fetchone()
        return row is not None

    def cancel(self, key: str) -> int:
        """Drop queued work on a pull request (it was closed); a running job notices on its own."""
        with self._lock:
            cursor = self._db.execute(
                "UPDATE jobs SET state='cancelled', updated_at=? WHERE key=? AND state='queued'",
                (time.time(), key),
            )
            return cursor.rowcount

    def record_installation(self, installation_id: int, event: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO installations VALUES (?, ?, ?)", (installation_id, event, time.time())
            )

    def first_notice(self, key: str) -> bool:
        """True the first time a notice with this key is asked for (so a refusal is said once)."""
        with self._lock:
            cursor = self._db.execute("INSERT OR IGNORE INTO notices VALUES (?, ?)", (key, time.time()))
            return cursor.rowcount == 1

    def unfinished(self) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')"
            ).fetchone()
        return int(row[0])

    def job_counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute("SELECT state, count(*) FROM jobs GROUP BY state").fetchall()
        return {str(state): int(count) for state, count in rows}
