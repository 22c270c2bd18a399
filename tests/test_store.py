"""The store: deliveries once, durable jobs, one job per pull request, newer reviews supersede."""

from __future__ import annotations

import time
from pathlib import Path

from bot.store import Store
from bot.webhooks import Task


def _review(number: int = 2, sha: str = "a" * 40) -> Task:
    return Task(kind="review", installation_id=1, owner="o", repo="r", repo_id=9, number=number, head_sha=sha)


def test_a_delivery_is_recorded_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    assert store.record_delivery("g", "pull_request", "opened")
    assert not store.record_delivery("g", "pull_request", "opened")


def test_one_job_per_pull_request_at_a_time(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
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


def test_a_newer_review_supersedes_the_queued_one(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    store.enqueue(_review(sha="a" * 40))
    running = store.claim()
    assert running is not None
    store.enqueue(_review(sha="b" * 40))
    store.enqueue(_review(sha="c" * 40))
    assert store.superseded(running)
    assert store.job_counts() == {"running": 1, "superseded": 1, "queued": 1}


def test_jobs_survive_a_restart_and_expired_leases_are_taken_again(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db", lease=0.05)
    store.enqueue(_review())
    assert store.claim() is not None
    store.close()
    reopened = Store(tmp_path / "s.db", lease=0.05)
    assert reopened.claim() is None  # still leased to the worker that died
    time.sleep(0.1)
    job = reopened.claim()
    assert job is not None and job.attempts == 2


def test_closing_cancels_queued_work(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    store.enqueue(_review())
    assert store.cancel(_review().key) == 1
    assert store.claim() is None


def test_a_notice_is_given_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    assert store.first_notice("k") and not store.first_notice("k")
