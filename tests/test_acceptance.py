"""Governance through HTTP against the fake GitHub: what the author suppresses or states counts only once
someone with write access other than the author accepts it, as the base branch's configuration says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.app.tasks import CONFIG_TITLE
from tests.conftest import App, Scenario
from tests.fakegithub import BASE_FILES, FakePull

pytestmark = pytest.mark.anyio

Payload = Callable[..., bytes]
AUTHOR, MAINTAINER = "octo-author", "Codertocat"
SUPPRESSED = {
    "db/migrations/000002_add_plan.up.sql": (
        "-- migration-review: ignore not-null-without-default the table is empty in every environment\n"
        "ALTER TABLE users ADD COLUMN plan text NOT NULL;\n"
    ),
    "db/migrations/000002_add_plan.down.sql": "ALTER TABLE users DROP COLUMN plan;\n",
}
BACKFILL = {
    "db/migrations/000002_lower.up.sql": "UPDATE users SET email = lower(email);\n",
    "db/migrations/000002_lower.down.sql": "SELECT 1;\n",
}
TICKED = "- [x] Checked the values of users.email in production: every row is lower-case already\n"
NOT_VERIFIED = "production values not verified"


def _pull(scenario: Scenario, files: dict[str, str], body: str = "", base: str | None = None) -> FakePull:
    scenario.repo.permissions[AUTHOR] = "write"
    base_sha = base or scenario.base
    head = scenario.fake.commit(scenario.repo, scenario.repo.commits[base_sha] | files)
    pull = FakePull(5, base_sha, head, body, author=AUTHOR)
    scenario.repo.pulls[5] = pull
    return pull


async def _opened(app: App, scenario: Scenario, webhook: Payload, pull: FakePull) -> dict[str, Any]:
    body = webhook(
        "pull_request__opened", number=5, pull_request__number=5, pull_request__head__sha=pull.head_sha
    )
    assert (await app.send("pull_request", body)).status_code == 202
    await app.drain()
    return scenario.repo.check_runs[-1]


async def _comment(app: App, scenario: Scenario, webhook: Payload, login: str, text: str) -> int:
    comment_id = scenario.fake.say(scenario.repo, 5, login, text)
    body = webhook(
        "issue_comment__created",
        issue__number=5,
        issue__pull_request={"url": "u"},
        comment__id=comment_id,
        comment__body=text,
        comment__user__login=login,
    )
    assert (await app.send("issue_comment", body)).status_code == 202
    return await app.drain()


def _review_text(scenario: Scenario) -> str:
    comments = [c for c in scenario.repo.comments if c["user"]["type"] == "Bot" and c["issue"] == 5]
    return str(comments[-1]["body"])


async def test_a_suppression_counts_once_a_maintainer_accepts_it(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    pull = _pull(scenario, SUPPRESSED)
    assert (await _opened(app, scenario, webhook, pull))["conclusion"] == "failure"
    assert "/accept not-null-without-default" in _review_text(scenario)

    assert await _comment(app, scenario, webhook, AUTHOR, "/accept not-null-without-default trust me") == 1
    assert len(scenario.repo.check_runs) == 2
    assert scenario.repo.check_runs[-1]["conclusion"] == "failure"  # the author cannot accept their own

    assert (
        await _comment(app, scenario, webhook, "reader", "/accept not-null-without-default fine by me") == 1
    )
    assert len(scenario.repo.check_runs) == 2  # no write access: refused before any review
    assert any(content == "confused" for _, content in scenario.repo.reactions)

    await _comment(app, scenario, webhook, MAINTAINER, "/accept not-null-without-default the table is empty")
    run = scenario.repo.check_runs[-1]
    assert run["conclusion"] == "success"
    assert f"accepted by @{MAINTAINER}: the table is empty" in _review_text(scenario)


async def test_an_approving_review_by_a_maintainer_accepts_and_the_authors_own_does_not(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    pull = _pull(scenario, SUPPRESSED)
    await _opened(app, scenario, webhook, pull)

    def submitted(login: str, state: str) -> bytes:
        return webhook(
            "pull_request_review__submitted",
            pull_request__number=5,
            pull_request__head__sha=pull.head_sha,
            review__state=state,
            review__user__login=login,
        )

    assert (await app.send("pull_request_review", submitted(MAINTAINER, "commented"))).status_code == 202
    assert await app.drain() == 0  # a comment-only review changes nothing
    scenario.fake.review(scenario.repo, 5, AUTHOR)
    await app.send("pull_request_review", submitted(AUTHOR, "approved"))
    await app.drain()
    assert scenario.repo.check_runs[-1]["conclusion"] == "failure"
    scenario.fake.review(scenario.repo, 5, MAINTAINER)
    await app.send("pull_request_review", submitted(MAINTAINER, "approved"))
    await app.drain()
    assert scenario.repo.check_runs[-1]["conclusion"] == "success"
    assert f"accepted by @{MAINTAINER}, who approved the pull request" in _review_text(scenario)


async def test_an_edited_description_is_reviewed_again_and_counts_once_accepted(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    pull = _pull(scenario, BACKFILL)
    await _opened(app, scenario, webhook, pull)
    assert NOT_VERIFIED in _review_text(scenario)

    def edited(changes: dict[str, Any]) -> bytes:
        return webhook(
            "pull_request__edited",
            number=5,
            pull_request__number=5,
            pull_request__head__sha=pull.head_sha,
            changes=changes,
        )

    assert (await app.send("pull_request", edited({"title": {"from": "Old"}}))).status_code == 202
    assert await app.drain() == 0  # a new title says nothing about the migration
    pull.body = TICKED
    await app.send("pull_request", edited({"body": {"from": ""}}))
    assert await app.drain() == 1
    assert len(scenario.repo.check_runs) == 2
    assert NOT_VERIFIED in _review_text(scenario)  # the author's own box does not count yet
    assert "count once someone with write access other than @octo-author" in _review_text(scenario)

    await _comment(app, scenario, webhook, MAINTAINER, "/accept evidence I saw the replica's numbers")
    text = _review_text(scenario)
    assert NOT_VERIFIED not in text
    assert f"accepted by @{MAINTAINER}: I saw the replica's numbers" in text


async def test_the_base_configuration_decides_which_rules_may_be_suppressed(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    config = "suppressions:\n  allow: [missing-lock-timeout]\n"
    base = scenario.fake.commit(scenario.repo, BASE_FILES | {".github/migration-review.yml": config})
    pull = _pull(scenario, SUPPRESSED, base=base)
    scenario.fake.say(scenario.repo, 5, MAINTAINER, "/accept not-null-without-default the table is empty")
    run = await _opened(app, scenario, webhook, pull)
    assert run["conclusion"] == "failure"
    assert "does not list `not-null-without-default` in `suppressions.allow`" in _review_text(scenario)


async def test_a_configuration_that_needs_no_acceptance_trusts_the_suppression(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    config = "suppressions:\n  need_acceptance: none\n"
    base = scenario.fake.commit(scenario.repo, BASE_FILES | {".github/migration-review.yml": config})
    run = await _opened(app, scenario, webhook, _pull(scenario, SUPPRESSED, base=base))
    assert run["conclusion"] == "success"


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ("suppressions:\n  need_acceptance: sometimes\n", "suppressions.need_acceptance"),
        ("suppressions:\n  allow: [no-such-rule]\n", "suppressions.allow"),
        ("suppressions:\n  approve: all\n", "suppressions.approve"),
    ],
)
async def test_a_bad_suppressions_key_is_named_with_its_file(
    app: App, scenario: Scenario, webhook: Payload, config: str, key: str
) -> None:
    base = scenario.fake.commit(scenario.repo, BASE_FILES | {".github/migration-review.yml": config})
    run = await _opened(app, scenario, webhook, _pull(scenario, SUPPRESSED, base=base))
    assert run["conclusion"] == "failure"
    assert run["output"]["title"] == CONFIG_TITLE
    assert f".github/migration-review.yml: {key}" in run["output"]["summary"]
