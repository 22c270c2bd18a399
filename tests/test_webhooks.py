"""Routing GitHub's example payloads through our own lenient models."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.app.webhooks import ROUTES, action_of, route, sign, verify

FIXTURES = Path(__file__).parent / "fixtures" / "webhooks"
APP_ID = 29310


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_every_example_payload_routes_or_is_ignored(path: Path) -> None:
    event = path.stem.split("__")[0]
    body = path.read_bytes()
    action = action_of(body)
    task = route(event, action, body, APP_ID)
    if (event, action) not in ROUTES:
        assert task is None


def test_pull_request_becomes_a_review(webhook: Callable[..., bytes]) -> None:
    body = webhook("pull_request__synchronize")
    task = route("pull_request", "synchronize", body, APP_ID)
    assert task is not None and task.kind == "review"
    assert (task.owner, task.repo, task.number, task.installation_id) == ("Codertocat", "Hello-World", 2, 1)
    assert task.head_sha == json.loads(body)["pull_request"]["head"]["sha"]


def test_recheck_must_be_on_the_first_line(webhook: Callable[..., bytes]) -> None:
    def task_for(text: str) -> object:
        body = webhook("issue_comment__created", issue__pull_request={"url": "u"}, comment__body=text)
        return route("issue_comment", "created", body, APP_ID)

    assert task_for("\n  /recheck  \nthanks") is not None
    assert task_for("/recheck") is not None
    assert task_for("/rechecking") is None
    assert task_for("please /recheck") is None


def test_check_suite_of_another_app_is_ignored(webhook: Callable[..., bytes]) -> None:
    body = webhook("check_suite__rerequested", check_suite__app__id=1)
    assert route("check_suite", "rerequested", body, APP_ID) is None


def test_signatures() -> None:
    assert verify(b"x", sign(b"x", b"k"), [b"old", b"k"])
    assert not verify(b"x", sign(b"x", b"k"), [b"other"])
    assert not verify(b"x", None, [b"k"])
    assert not verify(b"x", sign(b"x", b"k").replace("sha256", "sha1"), [b"k"])
