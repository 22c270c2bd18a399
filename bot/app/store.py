"""Persistence of deliveries and jobs, shared by the web and worker processes.

The embedded default is one SQLite file (`sqlite:///path.db`); for several web and worker processes on
several machines, the same tables live in PostgreSQL (`postgresql://…`). A delivery id is recorded
once; a second delivery with the same id is not processed again. Jobs are durable: a job is leased to
a worker while it runs and the lease is renewed; a job whose worker died (its lease ran out) is taken
again, so a crash or restart loses no review. Work on one pull request runs one job at a time, and a
newer review of the same pull request supersedes the queued older one.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.app.webhooks import Task

SUPERSEDING = ("review", "rerun")  # kinds that make any older work on the same pull request moot

_TABLES = """
CREATE TABLE IF NOT EXISTS deliveries (
    guid TEXT PRIMARY KEY, event TEXT NOT NULL, action TEXT NOT NULL, received_at {real} NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    id {serial},
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    task TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before {real} NOT NULL,
    lease_until {real} NOT NULL DEFAULT 0,
    check_run_id BIGINT,
    error TEXT NOT NULL DEFAULT '',
    created_at {real} NOT NULL,
    updated_at {real} NOT NULL);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, not_before);
CREATE INDEX IF NOT EXISTS jobs_by_key ON jobs (key, id);
CREATE TABLE IF NOT EXISTS installations (
    id BIGINT PRIMARY KEY, event TEXT NOT NULL, updated_at {real} NOT NULL);
CREATE TABLE IF NOT EXISTS notices (key TEXT PRIMARY KEY, sent_at {real} NOT NULL);
"""

# Our tables' schema, one numbered step after another; a database records the steps it has taken in
# `schema_version`, and a process applies the missing ones at start-up (one process at a time).
MIGRATIONS: tuple[tuple[int, str], ...] = (
    (1, _TABLES),
    (2, "CREATE TABLE IF NOT EXISTS workers (name TEXT PRIMARY KEY, seen_at {real} NOT NULL);"),
    (
        3,
        "CREATE TABLE IF NOT EXISTS check_runs (job_id BIGINT PRIMARY KEY, check_run_id BIGINT NOT NULL,"
        " created_at {real} NOT NULL);"
        "CREATE INDEX IF NOT EXISTS deliveries_by_age ON deliveries (received_at);",
    ),
    (
        4,  # what every process shares with the others: installation tokens and the pace of writes
        "CREATE TABLE IF NOT EXISTS tokens (key TEXT PRIMARY KEY, value TEXT NOT NULL DEFAULT '',"
        " expires_at {real} NOT NULL DEFAULT 0, claimed_until {real} NOT NULL DEFAULT 0);"
        "CREATE TABLE IF NOT EXISTS pacing (installation_id BIGINT PRIMARY KEY, due {real} NOT NULL);",
    ),
    (
        5,  # a job whose worker has begun to publish its result is not handed to another worker
        "CREATE TABLE IF NOT EXISTS publishing (job_id BIGINT PRIMARY KEY, started_at {real} NOT NULL);",
    ),
    (
        6,  # the release of procrastinate whose schema the engine's tables have (PostgreSQL)
        "CREATE TABLE IF NOT EXISTS engine_schema (version TEXT NOT NULL, applied_at {real} NOT NULL);",
    ),
)
RETENTION_DAYS = 30.0  # finished jobs, deliveries and notices older than this are deleted

# procrastinate's job states, named as the embedded store names them
_ENGINE_STATES = {
    "todo": "queued",
    "doing": "running",
    "succeeded": "done",
    "failed": "failed",
    "cancelled": "cancelled",
    "aborting": "running",
    "aborted": "cancelled",
}
_DEFER = (
    "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(%s, %s, 0, %s, %s, %s::jsonb,"
    " now() + make_interval(secs => %s))::procrastinate_job_to_defer_v1]))"
)

# seconds a job that began to publish stays with its worker, however late its heartbeat (well under the
# 80 s after which procrastinate forgets a silent worker and clears its jobs' worker: engine.FORGOTTEN)
PUBLISHING = 30.0
TOKEN_MARGIN = 120.0  # seconds before its expiry after which a shared token is no longer handed out
WORKER_SILENCE = 30.0  # seconds without a heartbeat after which a worker is taken for gone

# the engine's job, as long as the worker that took it (and that attempt of it) still owns it
_OWNED = (
    "SELECT 1 FROM procrastinate_jobs WHERE id=? AND status='doing' AND worker_id IS NOT DISTINCT FROM ?"
    " AND attempts=?"
)

_CLAIM = (
    "SELECT id, task, attempts, check_run_id FROM jobs AS j"
    " WHERE ((state='queued' AND not_before<=?) OR (state='running' AND lease_until<?))"
    " AND NOT EXISTS (SELECT 1 FROM jobs AS o WHERE o.key=j.key AND o.id<>j.id"
    "   AND o.state='running' AND o.lease_until>=?)"
    " ORDER BY id LIMIT 1"
)


@dataclass(frozen=True)
class Job:
    id: int
    task: Task
    attempts: int
    check_run_id: int | None
    worker_id: int | None = None  # the engine's worker that holds it (for fencing)
    taken: int | None = None  # the engine's count of attempts when this worker took it (for fencing)


class _Sqlite:
    """One SQLite connection; writers queue on the file lock, checkpoints run off the request path."""

    def __init__(self, path: str) -> None:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA wal_autocheckpoint=0")  # see checkpoint()
        with self.transaction():
            _migrate(self, real="REAL", serial="INTEGER PRIMARY KEY AUTOINCREMENT")

    def run(self, sql: str, params: Sequence[Any] = ()) -> tuple[int, list[tuple[Any, ...]]]:
        cursor = self.db.execute(sql, params)
        rows = cursor.fetchall()
        return cursor.rowcount, rows

    @contextmanager
    def transaction(self, exclusive: bool = False) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")  # one writer at a time, across processes
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def checkpoint(self) -> None:
        if self.path == ":memory:":
            return
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            db.close()

    def close(self) -> None:
        self.db.close()


class _Postgres:
    """A pool of PostgreSQL connections, each checked before use: a dropped connection is replaced."""

    def __init__(self, url: str) -> None:
        from psycopg_pool import ConnectionPool

        self.pool = ConnectionPool(
            url,
            min_size=1,
            max_size=2,
            kwargs={"autocommit": True, "connect_timeout": 5},
            check=ConnectionPool.check_connection,
            reconnect_timeout=0,  # keep trying for as long as the server is away
            timeout=10,
            open=True,
            name="migration-review",
        )
        self._current: Any = None
        with self.transaction(exclusive=True):
            _migrate(self, real="DOUBLE PRECISION", serial="BIGSERIAL PRIMARY KEY")
            _add_engine_enum_values(self)
        with self.transaction(exclusive=True):  # the values above committed: the migrations may use them
            _migrate_engine(self)

    def run(self, sql: str, params: Sequence[Any] = ()) -> tuple[int, list[tuple[Any, ...]]]:
        if self._current is not None:
            return self._execute(self._current, sql, params)
        with self.pool.connection() as db:
            return self._execute(db, sql, params)

    @staticmethod
    def _execute(db: Any, sql: str, params: Sequence[Any]) -> tuple[int, list[tuple[Any, ...]]]:
        cursor = db.execute(sql.replace("?", "%s") if params else sql, params or None)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.rowcount, rows

    @contextmanager
    def transaction(self, exclusive: bool = False) -> Iterator[None]:
        with self.pool.connection() as db, db.transaction():
            self._current = db
            try:
                if exclusive:
                    db.execute("SELECT pg_advisory_xact_lock(7218011)")  # migration-review's lock
                yield
            finally:
                self._current = None

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        assert self._current is not None
        with self._current.transaction():
            yield

    def checkpoint(self) -> None:
        pass

    def close(self) -> None:
        self.pool.close()


def _migrate(db: _Sqlite | _Postgres, real: str, serial: str) -> None:
    """Take the schema steps this database has not taken yet (inside the caller's transaction)."""
    db.run(
        f"CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at {real} NOT NULL)"
    )
    _, rows = db.run("SELECT coalesce(max(version), 0) FROM schema_version")
    for version, sql in MIGRATIONS:
        if version > int(rows[0][0]):
            for statement in filter(str.strip, sql.format(real=real, serial=serial).split(";")):
                db.run(statement)
            db.run("INSERT INTO schema_version VALUES (?, ?)", (version, time.time()))


def _release(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def engine_migrations(after: tuple[int, ...], upto: tuple[int, ...]) -> list[Path]:
    """procrastinate's own migration files from the release after `after` up to `upto`, in order
    (`03.04.00_01_pre_….sql`: the release, then the step within it; `pre` before `post`)."""
    from procrastinate.schema import SchemaManager

    found = []
    for path in Path(SchemaManager.get_migrations_path()).glob("*.sql"):
        match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)_(\d+)_.*\.sql", path.name)
        if match:
            release = tuple(int(part) for part in match.groups()[:3])
            if after < release <= upto:
                found.append((release, int(match[4]), path))
    return [path for *_, path in sorted(found)]


# procrastinate's migrations add values to its enum types, then use them in the same file; PostgreSQL
# refuses a value used before the transaction that added it commits
_ADD_VALUE = re.compile(
    r"ALTER\s+TYPE\s+(\w+)\s+ADD\s+VALUE\s+(?!IF\s+NOT\s+EXISTS)('[^']*'(?:\s+(?:BEFORE|AFTER)\s+'[^']*')?)\s*;",
    re.IGNORECASE,
)


def _pending_engine_migrations(db: _Postgres) -> list[Path]:
    """procrastinate's migration files this database has yet to take (none for a new one)."""
    import procrastinate

    _, missing = db.run("SELECT to_regclass('procrastinate_jobs') IS NULL")
    _, recorded = db.run("SELECT version FROM engine_schema ORDER BY applied_at DESC LIMIT 1")
    if missing[0][0] or not recorded:
        return []
    return engine_migrations(_release(recorded[0][0]), _release(procrastinate.__version__))


def _add_engine_enum_values(db: _Postgres) -> None:
    """The enum values the pending migrations add, first and committed on their own (idempotent)."""
    for path in _pending_engine_migrations(db):
        for enum, value in _ADD_VALUE.findall(path.read_text(encoding="utf-8")):
            _, exists = db.run("SELECT to_regtype(?) IS NOT NULL", (enum,))
            if exists[0][0]:
                db.run(f"ALTER TYPE {enum} ADD VALUE IF NOT EXISTS {value}")


def _migrate_engine(db: _Postgres) -> None:
    """The job engine's schema, by its own migrations (inside the caller's transaction).

    A new database gets procrastinate's whole schema; one made by an earlier procrastinate release (as
    recorded in `engine_schema`) takes the migration files procrastinate ships for each release since,
    in order. A database whose engine tables predate the record is taken to be at the installed release.
    """
    import procrastinate
    from procrastinate.schema import SchemaManager

    installed = procrastinate.__version__
    _, rows = db.run("SELECT to_regclass('procrastinate_jobs') IS NULL")
    _, recorded = db.run("SELECT version FROM engine_schema ORDER BY applied_at DESC LIMIT 1")
    if rows[0][0]:
        db.run(SchemaManager.get_schema())
    elif recorded and _release(recorded[0][0]) < _release(installed):
        for path in _pending_engine_migrations(db):
            text = path.read_text(encoding="utf-8")
            db.run(_ADD_VALUE.sub(r"ALTER TYPE \1 ADD VALUE IF NOT EXISTS \2;", text))  # added already
    elif recorded:
        return
    db.run("INSERT INTO engine_schema VALUES (?, ?)", (installed, time.time()))


class Store:
    def __init__(self, location: str | Path, lease: float = 60.0) -> None:
        """`location`: a SQLite path, a `sqlite:///` URL or a `postgresql://` URL."""
        self.lease = lease
        self._lock = threading.Lock()
        where = str(location)
        if where.startswith(("postgresql://", "postgres://")):
            self._db: _Sqlite | _Postgres = _Postgres(where)
        else:
            self._db = _Sqlite(where.removeprefix("sqlite:///"))
        # PostgreSQL: the queue is procrastinate's (bot/app/engine.py); SQLite: the jobs table below
        self.engine = isinstance(self._db, _Postgres)

    def _run(self, sql: str, *params: Any) -> tuple[int, list[tuple[Any, ...]]]:
        with self._lock:
            return self._db.run(sql, params)

    def checkpoint(self) -> None:
        """Fold SQLite's write-ahead log into the database (call it off the event loop)."""
        self._db.checkpoint()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def record_delivery(self, guid: str, event: str, action: str) -> bool:
        """True when this delivery id is new; False for a delivery seen before."""
        count, _ = self._run(
            "INSERT INTO deliveries VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            guid,
            event,
            action,
            time.time(),
        )
        return count == 1

    def receive(self, guid: str, event: str, action: str, task: Task | None) -> tuple[bool, int | None]:
        """Record the delivery and queue its task in one transaction: (new delivery?, job id or None).

        A repeated delivery id queues nothing; a delivery is never recorded without its job, so a
        crash between the two cannot lose a review.
        """
        now = time.time()
        with self._lock, self._db.transaction():
            count, _ = self._db.run(
                "INSERT INTO deliveries VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (guid, event, action, now),
            )
            if count != 1:
                return False, None
            if task is None:
                return True, None
            if task.kind == "cancel":
                self._db.run(
                    "UPDATE procrastinate_jobs SET status='cancelled' WHERE lock=? AND status='todo'"
                    if self.engine
                    else "UPDATE jobs SET state='cancelled', updated_at=? WHERE key=? AND state='queued'",
                    (task.key,) if self.engine else (now, task.key),
                )
                return True, None
            if task.kind == "installation":
                self._installation(task.installation_id, "installation", now)
                return True, None
            return True, self._enqueue(task, now, 0.0)

    def seen_delivery(self, guid: str) -> bool:
        _, rows = self._run("SELECT 1 FROM deliveries WHERE guid=?", guid)
        return bool(rows)

    def defer_again(self, task: Task, delay: float) -> int | None:
        """Queue a failed review again after `delay` seconds, unless a newer one already waits."""
        with self._lock, self._db.transaction():
            return self._defer(task, delay)

    def _defer(self, task: Task, delay: float = 0.0) -> int | None:
        """Queue the task in procrastinate, in the caller's transaction; None when it collapsed into a
        review of the same pull request that is still waiting (it will read the newest head)."""
        import psycopg

        from bot.app.engine import QUEUE, TASK_NAME, defer_arguments

        locks = defer_arguments(task)
        assert isinstance(self._db, _Postgres)
        try:
            with self._db.savepoint():
                _, rows = self._db.run(
                    _DEFER,
                    (
                        QUEUE,
                        TASK_NAME,
                        locks["lock"],
                        locks["queueing_lock"],
                        json.dumps(asdict(task)),
                        delay,
                    ),
                )
        except psycopg.errors.UniqueViolation:
            return None
        return int(rows[0][0])

    def enqueue(self, task: Task, delay: float = 0.0) -> int | None:
        with self._lock, self._db.transaction():
            return self._enqueue(task, time.time(), delay)

    def _enqueue(self, task: Task, now: float, delay: float) -> int | None:
        if self.engine:
            return self._defer(task)
        if task.kind in SUPERSEDING:
            self._db.run(
                "UPDATE jobs SET state='superseded', updated_at=? WHERE key=? AND state='queued'"
                " AND kind IN ('review', 'rerun')",
                (now, task.key),
            )
        _, rows = self._db.run(
            "INSERT INTO jobs (key, kind, task, state, not_before, created_at, updated_at)"
            " VALUES (?, ?, ?, 'queued', ?, ?, ?) RETURNING id",
            (task.key, task.kind, json.dumps(asdict(task)), now + delay, now, now),
        )
        return int(rows[0][0])

    def claim(self) -> Job | None:
        """Lease the oldest runnable job whose pull request has no other job running."""
        now = time.time()
        with self._lock, self._db.transaction(exclusive=True):
            _, rows = self._db.run(_CLAIM, (now, now, now))
            if rows:
                self._db.run(
                    "UPDATE jobs SET state='running', attempts=attempts+1, lease_until=?, updated_at=? WHERE id=?",
                    (now + self.lease, now, rows[0][0]),
                )
        if not rows:
            return None
        job_id, task, attempts, check_run = rows[0]
        return Job(id=job_id, task=Task(**json.loads(task)), attempts=attempts + 1, check_run_id=check_run)

    def renew(self, job_ids: list[int]) -> None:
        until = time.time() + self.lease
        for job_id in job_ids:
            self._run("UPDATE jobs SET lease_until=? WHERE id=? AND state='running'", until, job_id)

    def finish(self, job_id: int, state: str, error: str = "", attempts: int | None = None) -> None:
        """End the job; with `attempts`, only the run that took it at that attempt may (fencing)."""
        self._run(
            "UPDATE jobs SET state=?, error=?, lease_until=0, updated_at=? WHERE id=? AND attempts=coalesce(?, attempts)",
            state,
            error[:2000],
            time.time(),
            job_id,
            attempts,
        )

    def retry(self, job_id: int, delay: float, error: str, attempts: int | None = None) -> None:
        now = time.time()
        self._run(
            "UPDATE jobs SET state='queued', not_before=?, lease_until=0, error=?, updated_at=?"
            " WHERE id=? AND attempts=coalesce(?, attempts)",
            now + delay,
            error[:2000],
            now,
            job_id,
            attempts,
        )

    def set_check_run(self, job_id: int, check_run_id: int) -> None:
        if self.engine:
            self._run(
                "INSERT INTO check_runs VALUES (?, ?, ?)"
                " ON CONFLICT (job_id) DO UPDATE SET check_run_id=excluded.check_run_id",
                job_id,
                check_run_id,
                time.time(),
            )
            return
        self._run("UPDATE jobs SET check_run_id=? WHERE id=?", check_run_id, job_id)

    def check_run(self, job_id: int) -> int | None:
        table = "check_runs WHERE job_id=?" if self.engine else "jobs WHERE id=?"
        _, rows = self._run(f"SELECT check_run_id FROM {table}", job_id)
        return None if not rows or rows[0][0] is None else int(rows[0][0])

    def superseded(self, job: Job) -> bool:
        """True when a newer review of the same pull request has been asked for."""
        if self.engine:
            _, rows = self._run(
                "SELECT 1 FROM procrastinate_jobs WHERE lock=? AND id>? AND status IN ('todo', 'doing')"
                " AND args->>'kind' IN ('review', 'rerun') LIMIT 1",
                job.task.key,
                job.id,
            )
            return bool(rows)
        _, rows = self._run(
            "SELECT 1 FROM jobs WHERE key=? AND id>? AND kind IN ('review', 'rerun') AND state<>'cancelled' LIMIT 1",
            job.task.key,
            job.id,
        )
        return bool(rows)

    def begin_publishing(self, job: Job) -> bool:
        """Fence the publication: true when `job` is still this worker's, and from now on no recovery
        hands it to another worker for PUBLISHING seconds, however late this worker's heartbeat.

        Recovery and this check lock the same row, so exactly one of them wins: either the job was
        handed on and this run publishes nothing, or this run publishes and the job stays with it.
        """
        now = time.time()
        with self._lock, self._db.transaction(exclusive=not self.engine):
            if self.engine:
                if job.worker_id is None:
                    return True
                _, rows = self._db.run(_OWNED + " FOR UPDATE", (job.id, job.worker_id, job.taken))
                if rows:
                    self._db.run(
                        "INSERT INTO publishing VALUES (?, ?)"
                        " ON CONFLICT (job_id) DO UPDATE SET started_at=excluded.started_at",
                        (job.id, now),
                    )
                return bool(rows)
            count, _ = self._db.run(
                # a lease that ran out while nobody took the job again is still this run's (a claim
                # counts an attempt)
                "UPDATE jobs SET lease_until=? WHERE id=? AND state='running' AND attempts=?",
                (now + max(self.lease, PUBLISHING), job.id, job.attempts),
            )
            return count == 1

    def recover(self, job_id: int, worker_id: int | None, taken: int) -> str:
        """Hand the job of a stalled worker to the others, unless it began to publish or moved on.

        Returns `queued`, `dropped` (a newer review of the pull request already waits), `publishing`
        (its worker began to publish: it stays with it) or `moved` (finished, or handed on already).
        `worker_id` is None once procrastinate has forgotten the silent worker.
        """
        import psycopg

        assert isinstance(self._db, _Postgres)
        with self._lock, self._db.transaction():
            _, rows = self._db.run(_OWNED + " FOR UPDATE", (job_id, worker_id, taken))
            if not rows:
                return "moved"
            _, began = self._db.run(
                "SELECT 1 FROM publishing WHERE job_id=? AND started_at>?", (job_id, time.time() - PUBLISHING)
            )
            if began:
                return "publishing"
            try:
                with self._db.savepoint():
                    self._db.run("SELECT procrastinate_retry_job_v2(?, now(), NULL, NULL, NULL)", (job_id,))
                # a retry sends no notification: wake the listening workers as a new job would
                # (procrastinate's channels and payload; without it they find the job at their next poll)
                self._db.run(
                    "SELECT pg_notify(channel, json_build_object('type', 'job_inserted', 'job_id', id)::text)"
                    " FROM procrastinate_jobs, unnest(ARRAY['procrastinate_queue_v1#' || queue_name,"
                    " 'procrastinate_any_queue_v1']) AS channel WHERE id=?",
                    (job_id,),
                )
                return "queued"
            except psycopg.errors.UniqueViolation:
                self._db.run("SELECT procrastinate_finish_job_v1(?, 'failed', false)", (job_id,))
                return "dropped"

    def finish_owned(self, job_id: int, worker_id: int | None, taken: int, status: str, delete: bool) -> bool:
        """procrastinate's end of a job, only while this worker still owns it: a run that lost its job
        to a recovery must not end the run that took it over."""
        with self._lock, self._db.transaction():
            _, rows = self._db.run(_OWNED + " FOR UPDATE", (job_id, worker_id, taken))
            if rows:
                self._db.run(
                    "SELECT procrastinate_finish_job_v1(?, ?::procrastinate_job_status, ?)",
                    (job_id, status, delete),
                )
                self._db.run("DELETE FROM publishing WHERE job_id=?", (job_id,))
            return bool(rows)

    def retry_owned(self, job_id: int, worker_id: int | None, taken: int, retry_at: Any) -> bool:
        """procrastinate's retry of a job, only while this worker still owns it."""
        with self._lock, self._db.transaction():
            _, rows = self._db.run(_OWNED + " FOR UPDATE", (job_id, worker_id, taken))
            if rows:
                self._db.run("SELECT procrastinate_retry_job_v2(?, ?, NULL, NULL, NULL)", (job_id, retry_at))
            return bool(rows)

    def drop_waiting(self, job: Job, head_sha: str) -> int:
        """Drop the reviews of the same head queued after `job`, whose result it is about to publish."""
        if self.engine:
            count, _ = self._run(
                "UPDATE procrastinate_jobs SET status='cancelled' WHERE lock=? AND id>? AND status='todo'"
                " AND args->>'kind' IN ('review', 'rerun') AND args->>'head_sha'=?",
                job.task.key,
                job.id,
                head_sha,
            )
            return count
        count, _ = self._run(
            "UPDATE jobs SET state='superseded', updated_at=? WHERE key=? AND id>? AND state='queued'"
            " AND kind IN ('review', 'rerun') AND json_extract(task, '$.head_sha')=?",
            time.time(),
            job.task.key,
            job.id,
            head_sha,
        )
        return count

    def cancel(self, key: str) -> int:
        """Drop queued work on a pull request (it was closed); a running job notices on its own."""
        if self.engine:
            count, _ = self._run(
                "UPDATE procrastinate_jobs SET status='cancelled' WHERE lock=? AND status='todo'", key
            )
            return count
        count, _ = self._run(
            "UPDATE jobs SET state='cancelled', updated_at=? WHERE key=? AND state='queued'", time.time(), key
        )
        return count

    def record_installation(self, installation_id: int, event: str) -> None:
        with self._lock:
            self._installation(installation_id, event, time.time())

    def _installation(self, installation_id: int, event: str, now: float) -> None:
        self._db.run(
            "INSERT INTO installations VALUES (?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET event=excluded.event, updated_at=excluded.updated_at",
            (installation_id, event, now),
        )

    def first_notice(self, key: str) -> bool:
        """True the first time a notice with this key is asked for (so a refusal is said once)."""
        count, _ = self._run("INSERT INTO notices VALUES (?, ?) ON CONFLICT DO NOTHING", key, time.time())
        return count == 1

    def unfinished(self) -> int:
        counts = self.job_counts()
        return counts.get("queued", 0) + counts.get("running", 0)

    def job_counts(self) -> dict[str, int]:
        return {state: count for state, (count, _) in self.queue().items()}

    def queue(self) -> dict[str, tuple[int, float]]:
        """Per state: how many jobs, and how many seconds the oldest has waited (queued) or run (running)."""
        now = time.time()
        if self.engine:
            _, found = self._run(
                "SELECT j.status::text, count(*),"
                " min(extract(epoch FROM (SELECT min(at) FROM procrastinate_events e"
                "   WHERE e.job_id=j.id AND e.type='deferred'))),"
                " min(extract(epoch FROM (SELECT max(at) FROM procrastinate_events e"
                "   WHERE e.job_id=j.id AND e.type='started')))"
                " FROM procrastinate_jobs j GROUP BY j.status"
            )
            rows = [(_ENGINE_STATES.get(str(row[0]), str(row[0])), *row[1:]) for row in found]
        else:
            _, rows = self._run(
                "SELECT state, count(*), min(created_at), min(updated_at) FROM jobs GROUP BY state"
            )
        result: dict[str, tuple[int, float]] = {}
        for state, count, created, updated in rows:
            since = created if state == "queued" else updated
            waited = max(0.0, now - float(since)) if state in ("queued", "running") and since else 0.0
            seen = result.get(str(state), (0, 0.0))
            result[str(state)] = (seen[0] + int(count), max(seen[1], waited))
        return result

    def ping(self) -> None:
        """Raise when the database cannot be reached."""
        self._run("SELECT 1")

    def heartbeat(self, name: str) -> None:
        """A worker says it is alive; `/readyz` of any process looks for one."""
        self._run(
            "INSERT INTO workers VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET seen_at=excluded.seen_at",
            name,
            time.time(),
        )

    def workers_alive(self) -> int:
        _, rows = self._run("SELECT count(*) FROM workers WHERE seen_at>=?", time.time() - WORKER_SILENCE)
        return int(rows[0][0])

    def forget_worker(self, name: str) -> None:
        self._run("DELETE FROM workers WHERE name=?", name)

    def take_back_orphans(self, me: str, alive: Callable[[str], bool]) -> int:
        """Embedded queue, at a worker's start: when no other worker is alive (every one heard from lately
        is `alive`-checked, or is an earlier process under this one's name), the running jobs are
        orphans of a process that died; their leases end now instead of when they run out. Returns how
        many jobs were taken back."""
        now = time.time()
        with self._lock, self._db.transaction(exclusive=True):
            _, rows = self._db.run("SELECT name FROM workers WHERE seen_at>=?", (now - WORKER_SILENCE,))
            if any(str(name) != me and alive(str(name)) for (name,) in rows):
                return 0
            count, _ = self._db.run(
                "UPDATE jobs SET lease_until=0 WHERE state='running' AND lease_until>=?", (now,)
            )
            return max(0, count)

    def token(self, key: str) -> tuple[str, float] | None:
        """A shared installation token and when it expires, unless it is near its expiry."""
        _, rows = self._run(
            "SELECT value, expires_at FROM tokens WHERE key=? AND value<>'' AND expires_at>?",
            key,
            time.time() + TOKEN_MARGIN,
        )
        return (str(rows[0][0]), float(rows[0][1])) if rows else None

    def claim_token(self, key: str, seconds: float) -> bool:
        """Take the right to ask GitHub for a new token for `seconds`; False while another process holds it."""
        now = time.time()
        count, _ = self._run(
            "INSERT INTO tokens (key, value, expires_at, claimed_until) VALUES (?, '', 0, ?)"
            " ON CONFLICT (key) DO UPDATE SET claimed_until=excluded.claimed_until"
            " WHERE tokens.claimed_until<? AND tokens.expires_at<=?",
            key,
            now + seconds,
            now,
            now + TOKEN_MARGIN,
        )
        return count == 1

    def save_token(self, key: str, value: str, expires_at: float) -> None:
        """Share a token every process may use until it is near `expires_at` (a wall-clock time)."""
        self._run(
            "INSERT INTO tokens (key, value, expires_at, claimed_until) VALUES (?, ?, ?, 0)"
            " ON CONFLICT (key) DO UPDATE SET value=excluded.value, expires_at=excluded.expires_at,"
            " claimed_until=0",
            key,
            value,
            expires_at,
        )

    def drop_token(self, value: str) -> int:
        """Forget a token GitHub refused (revoked, or expired early): every process asks for a new one."""
        count, _ = self._run(
            "UPDATE tokens SET value='', expires_at=0, claimed_until=0 WHERE value=? AND value<>''", value
        )
        return count

    def pace(self, installation_id: int, interval: float, burst: float) -> float:
        """Reserve the next write to one installation; returns how many seconds to wait before it.

        One budget for every process: `burst` writes at once, then one per `interval` seconds (the
        generic cell rate algorithm; `due` is when the next write would be on time if none had waited).
        """
        now = time.time()
        _, rows = self._run(
            "INSERT INTO pacing VALUES (?, ?) ON CONFLICT (installation_id) DO UPDATE"
            " SET due=(CASE WHEN pacing.due>? THEN pacing.due ELSE ? END)+? RETURNING due",
            installation_id,
            now + interval,
            now,
            now,
            interval,
        )
        return max(0.0, float(rows[0][0]) - burst * interval - now)

    def prune(self, days: float = RETENTION_DAYS) -> int:
        """Delete what is older than the retention: deliveries, notices, finished jobs. Returns rows deleted."""
        before = time.time() - days * 86400
        total = 0
        for sql in (
            "DELETE FROM deliveries WHERE received_at<?",
            "DELETE FROM notices WHERE sent_at<?",
            "DELETE FROM jobs WHERE updated_at<? AND state NOT IN ('queued', 'running')",
            "DELETE FROM check_runs WHERE created_at<?",
            "DELETE FROM tokens WHERE (CASE WHEN expires_at>claimed_until THEN expires_at ELSE claimed_until END)<?",
            "DELETE FROM pacing WHERE due<?",
            "DELETE FROM publishing WHERE started_at<?",
        ):
            count, _ = self._run(sql, before)
            total += max(0, count)
        if self.engine:
            count, _ = self._run(
                "DELETE FROM procrastinate_jobs j WHERE status IN ('succeeded', 'failed', 'cancelled', 'aborted')"
                " AND NOT EXISTS (SELECT 1 FROM procrastinate_events e WHERE e.job_id=j.id"
                "   AND e.at>=to_timestamp(?))",
                before,
            )
            total += max(0, count)
        return total
