"""The store, on SQLite and on PostgreSQL: deliveries once, durable jobs, one job per pull request."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.app.store import MIGRATIONS, Store
from bot.app.webhooks import Task

PG_URL = os.environ.get("MIGRATION_REVIEW_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")

Opener = Callable[..., Store]


@pytest.fixture(params=["sqlite", "postgres"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens the same store again and again (as a restarted process would)."""
    opened: list[Store] = []

    def opener(location: str | Path) -> Opener:
        def open_one(lease: float = 60.0) -> Store:
            opened.append(Store(location, lease=lease))
            return opened[-1]

        return open_one

    if request.param == "sqlite":
        yield opener(tmp_path / "s.db")
        for store in opened:
            store.close()
        return
    psycopg = pytest.importorskip("psycopg")
    schema = f"mr_store_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is not reachable: {error}")
        pytest.skip(f"PostgreSQL is not reachable: {error}")
    admin.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    yield opener(url)
    for store in opened:
        store.close()
    admin.execute(f"DROP SCHEMA {schema} CASCADE")
    admin.close()


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Opener]:
    """The embedded store's own queue (SQLite); on PostgreSQL the queue is the engine's (tests/test_engine.py)."""
    opened: list[Store] = []

    def open_one(lease: float = 60.0) -> Store:
        opened.append(Store(tmp_path / "s.db", lease=lease))
        return opened[-1]

    yield open_one
    for store in opened:
        store.close()


def _review(number: int = 2, sha: str = "a" * 40) -> Task:
    return Task(kind="review", installation_id=1, owner="o", repo="r", repo_id=9, number=number, head_sha=sha)


def test_a_delivery_is_recorded_once(open_store: Opener) -> None:
    store = open_store()
    assert store.record_delivery("g", "pull_request", "opened")
    assert not store.record_delivery("g", "pull_request", "opened")


def test_one_job_per_pull_request_at_a_time(embedded: Opener) -> None:
    store = embedded()
    store.enqueue(_review(2))
    store.enqueue(Task(kind="recheck", installation_id=1, repo_id=9, number=2, comment_id=5, login="u"))
    store.enqueue(_review(3))
    first = store.claim()
    second = store.claim()
    assert first is not None and second is not None
    assert (first.task.number, second.task.number) == (2, 3)
    assert store.claim() is None  # the recheck of #2 waits for the review of #2
    store.finish(first.id, "done")
    third = store.claim()
    assert third is not None and third.task.kind == "recheck"


def test_a_newer_review_supersedes_the_queued_one(embedded: Opener) -> None:
    store = embedded()
    store.enqueue(_review(sha="a" * 40))
    running = store.claim()
    assert running is not None
    store.enqueue(_review(sha="b" * 40))
    store.enqueue(_review(sha="c" * 40))
    assert store.superseded(running)
    assert store.job_counts() == {"running": 1, "superseded": 1, "queued": 1}


def test_jobs_survive_a_restart_and_expired_leases_are_taken_again(embedded: Opener) -> None:
    store = embedded(lease=0.2)
    store.enqueue(_review())
    claimed = store.claim()
    assert claimed is not None
    store.set_check_run(claimed.id, 77)
    store.close()
    reopened = embedded(lease=0.2)
    assert reopened.claim() is None  # still leased to the worker that died
    time.sleep(0.3)
    job = reopened.claim()
    assert job is not None and job.attempts == 2 and job.check_run_id == 77


def test_retry_and_finish(embedded: Opener) -> None:
    store = embedded()
    store.enqueue(_review())
    job = store.claim()
    assert job is not None
    store.retry(job.id, 60.0, "later")
    assert store.claim() is None and store.unfinished() == 1
    store.finish(job.id, "failed", "gave up")
    assert store.unfinished() == 0 and store.job_counts() == {"failed": 1}


def test_closing_cancels_queued_work(open_store: Opener) -> None:
    store = open_store()
    store.enqueue(_review())
    assert store.cancel(_review().key) == 1
    assert store.claim() is None


def test_notices_and_installations(open_store: Opener) -> None:
    store = open_store()
    assert store.first_notice("k") and not store.first_notice("k")
    store.record_installation(5, "installation")
    store.record_installation(5, "installation")


def test_schema_steps_are_recorded_and_taken_once(open_store: Opener) -> None:
    from bot.app.store import MIGRATIONS

    first = open_store()
    _, rows = first._run("SELECT version FROM schema_version ORDER BY version")
    assert [r[0] for r in rows] == [version for version, _ in MIGRATIONS]
    again = open_store()  # a second process: nothing is applied twice
    _, rows = again._run("SELECT count(*) FROM schema_version")
    assert rows[0][0] == len(MIGRATIONS)


def test_retention_deletes_only_what_is_old(open_store: Opener) -> None:
    store = open_store()
    assert store.record_delivery("old", "pull_request", "opened")
    assert store.record_delivery("new", "pull_request", "opened")
    store._run("UPDATE deliveries SET received_at=? WHERE guid='old'", time.time() - 40 * 86400)
    assert store.prune(days=30) == 1
    assert not store.seen_delivery("old") and store.seen_delivery("new")


def test_a_delivery_and_its_job_are_recorded_together(open_store: Opener) -> None:
    store = open_store()
    new, job = store.receive("g1", "pull_request", "opened", _review(7))
    assert new and job is not None
    assert store.receive("g1", "pull_request", "opened", _review(7)) == (
        False,
        None,
    )  # a repeat queues nothing
    assert store.unfinished() == 1


def test_a_run_that_lost_its_job_neither_publishes_nor_ends_it(embedded: Opener) -> None:
    """The embedded queue's fencing: a run whose lease ran out (its worker starved) and whose job was
    taken again may not publish, retry or end it; the run that took it over may, and keeps it."""
    store = embedded()
    store.enqueue(_review())
    late = store.claim()
    assert late is not None
    store._run("UPDATE jobs SET lease_until=0")  # the lease ran out while its worker was starved
    assert store.begin_publishing(late)  # nobody took it meanwhile: still its own
    store._run("UPDATE jobs SET lease_until=0")
    taken = store.claim()
    assert taken is not None and taken.id == late.id and taken.attempts == late.attempts + 1
    assert not store.begin_publishing(late)
    store.finish(late.id, "done", attempts=late.attempts)
    store.retry(late.id, 0.0, "late", late.attempts)
    assert store.job_counts() == {"running": 1}
    assert store.begin_publishing(taken)
    store._run("UPDATE jobs SET lease_until=lease_until-30")  # its worker stopped renewing: still its own
    assert store.claim() is None
    store.finish(taken.id, "done", attempts=taken.attempts)
    assert store.job_counts() == {"done": 1}


def test_a_starting_worker_takes_back_the_jobs_of_dead_workers_only(embedded: Opener) -> None:
    store = embedded(lease=600)
    store.enqueue(_review(2))
    held = store.claim()
    assert held is not None
    store.heartbeat("host:11")  # the process that died holding the job
    store.heartbeat("host:12")  # a worker that may be alive
    assert store.take_back_orphans("host:13", lambda name: name == "host:12") == 0
    assert store.claim() is None  # the lease still holds: host:12 may be running it
    assert store.take_back_orphans("host:13", lambda name: False) == 1
    again = store.claim()
    assert again is not None and again.id == held.id and again.attempts == held.attempts + 1
    assert not store.begin_publishing(held)  # the dead run, were it only slow, publishes nothing


@pytest.mark.parametrize("previous", [version for version, _ in MIGRATIONS[:-1]])
def test_a_store_of_an_earlier_schema_is_upgraded_and_keeps_its_records(
    open_store: Opener, previous: int
) -> None:
    """A database left by an earlier release (its schema steps up to `previous`, with records in it)
    takes the missing steps at start-up, keeps what it held, and works with the new tables."""
    store = open_store()
    newer = [version for version, _ in MIGRATIONS if version > previous]
    for version in sorted(newer, reverse=True):  # back to the earlier release's schema
        for table in _TABLES_OF_STEP[version]:
            store._run(f"DROP TABLE {table}")
        store._run("DELETE FROM schema_version WHERE version=?", version)
    assert store.record_delivery("kept", "pull_request", "opened")
    store.close()
    upgraded = open_store()
    _, rows = upgraded._run("SELECT version FROM schema_version ORDER BY version")
    assert [r[0] for r in rows] == [version for version, _ in MIGRATIONS]
    assert upgraded.seen_delivery("kept")
    upgraded.heartbeat("w")  # step 2's table
    assert upgraded.workers_alive() == 1
    upgraded.save_token("k", "t", time.time() + 3600)  # step 4's
    assert upgraded.token("k") == ("t", pytest.approx(time.time() + 3600, abs=60))
    assert upgraded.pace(1, 1.0, 5.0) == 0.0


_TABLES_OF_STEP = {
    2: ["workers"],
    3: ["check_runs"],
    4: ["tokens", "pacing"],
    5: ["publishing"],
    6: ["engine_schema"],
}


def test_the_engine_schema_is_recorded_and_adopted_at_its_release(open_store: Opener) -> None:
    """PostgreSQL: a new database gets procrastinate's schema with its release recorded; one made by our
    earlier release (engine tables, no record) is taken to be at the installed release, untouched."""
    import procrastinate

    store = open_store()
    if not store.engine:
        pytest.skip("the job engine's schema lives in PostgreSQL only")
    assert [r[0] for r in store._run("SELECT version FROM engine_schema")[1]] == [procrastinate.__version__]
    store._run("DELETE FROM engine_schema")
    store._run("INSERT INTO procrastinate_jobs (queue_name, task_name, args) VALUES ('q', 't', '{}')")
    store.close()
    again = open_store()
    assert [r[0] for r in again._run("SELECT version FROM engine_schema")[1]] == [procrastinate.__version__]
    assert again._run("SELECT count(*) FROM procrastinate_jobs")[1][0][0] == 1
    open_store()  # a third start: nothing more to record
    assert again._run("SELECT count(*) FROM engine_schema")[1][0][0] == 1


def test_the_engine_takes_procrastinates_migrations_of_each_release_since_its_own() -> None:
    from bot.app.store import engine_migrations

    steps = [path.name for path in engine_migrations((3, 2, 0), (3, 10, 0))]
    assert steps == sorted(steps) and steps  # releases in order, pre before post within one
    assert all(
        name.startswith(("03.03.", "03.04.", "03.05.", "03.06.", "03.07.", "03.08.", "03.09.", "03.10."))
        for name in steps
    )
    assert any("_pre_" in name for name in steps) and engine_migrations((3, 10, 0), (3, 10, 0)) == []
    assert [p.name for p in engine_migrations((2, 99, 0), (3, 0, 0))][-1].startswith("03.00.00_")


def test_a_stalled_job_is_handed_on_unless_its_worker_began_to_publish(open_store: Opener) -> None:
    """PostgreSQL: the engine's recovery of one job, its worker known or already forgotten (NULL)."""
    from bot.app.store import PUBLISHING

    store = open_store()
    if not store.engine:
        pytest.skip("the engine's recovery is PostgreSQL's")
    _, rows = store._run(
        "INSERT INTO procrastinate_jobs (queue_name, task_name, lock, args, status, attempts)"
        " VALUES ('reviews', 't', 'o/r#1', '{}', 'doing', 0) RETURNING id"
    )
    job = int(rows[0][0])
    store._run("INSERT INTO publishing VALUES (?, ?)", job, time.time())
    assert store.recover(job, None, 0) == "publishing"  # its worker is writing the result: left with it
    store._run("UPDATE publishing SET started_at=started_at-?", PUBLISHING + 1)
    assert store.recover(job, None, 1) == "moved"  # another attempt than the one seen stalled
    assert store.recover(job, None, 0) == "queued"  # publishing for too long: the worker is gone
    assert store._run("SELECT status::text FROM procrastinate_jobs WHERE id=?", job)[1] == [("todo",)]
    assert store.recover(job, None, 0) == "moved"


def test_the_engines_end_and_retry_of_a_job_need_its_owner(open_store: Opener) -> None:
    """PostgreSQL: procrastinate's end and retry of a job go through only for the run that owns it."""
    import datetime

    store = open_store()
    if not store.engine:
        pytest.skip("the engine's jobs are PostgreSQL's")
    _, rows = store._run(
        "INSERT INTO procrastinate_jobs (queue_name, task_name, lock, args, status, attempts)"
        " VALUES ('reviews', 't', 'o/r#2', '{}', 'doing', 1) RETURNING id"
    )
    job = int(rows[0][0])
    now = datetime.datetime.now(datetime.UTC)
    assert not store.retry_owned(job, None, 0, now)  # an earlier attempt's run
    assert not store.finish_owned(job, None, 0, "succeeded", True)
    assert store.retry_owned(job, None, 1, now)
    assert store._run("SELECT status::text, attempts FROM procrastinate_jobs WHERE id=?", job)[1] == [
        ("todo", 2)
    ]
    store._run("UPDATE procrastinate_jobs SET status='doing' WHERE id=?", job)
    assert store.finish_owned(job, None, 2, "failed", False)
    assert store._run("SELECT status::text FROM procrastinate_jobs WHERE id=?", job)[1] == [("failed",)]
