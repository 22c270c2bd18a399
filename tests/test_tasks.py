"""The app in-process: signed example deliveries in, what the fake GitHub received out."""

from __future__ import annotations

from collections.abc import Callable

import anyio
import pytest

from tests.conftest import APP_ID, App, Scenario

pytestmark = pytest.mark.anyio

Payload = Callable[..., bytes]


def _opened(webhook: Payload, number: int, head: str, action: str = "opened") -> bytes:
    return webhook(
        f"pull_request__{action}" if action != "reopened" else "pull_request__opened",
        action=action,
        number=number,
        pull_request__number=number,
        pull_request__head__sha=head,
    )


def _ours(scenario: Scenario, number: int) -> list[dict[str, object]]:
    return [c for c in scenario.repo.comments if c["issue"] == number]


async def test_opened_pull_request_gets_one_comment_and_a_failing_check(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    scenario.open_pull(2, scenario.blocked)
    response = await app.send("pull_request", _opened(webhook, 2, scenario.blocked))
    assert response.status_code == 202
    assert await app.drain() == 1
    [comment] = _ours(scenario, 2)
    assert str(comment["body"]).startswith("<!-- migration-review:comment -->")
    [run] = scenario.repo.check_runs
    assert run["name"] == "Migration Review"
    assert run["status"] == "completed" and run["conclusion"] == "failure"
    assert run["head_sha"] == scenario.blocked
    assert run["external_id"] == f"186853002:2:{scenario.blocked}"
    assert run["actions"][0]["identifier"] == "recheck"
    assert any(a["path"] == "db/migrations/000002_add_plan.up.sql" for a in run["annotations"])


async def test_safe_pull_request_passes(app: App, scenario: Scenario, webhook: Payload) -> None:
    scenario.open_pull(3, scenario.safe)
    await app.send("pull_request", _opened(webhook, 3, scenario.safe))
    await app.drain()
    [run] = scenario.repo.check_runs
    assert run["conclusion"] == "success"
    assert len(_ours(scenario, 3)) == 1


async def test_pull_request_without_migrations_passes(app: App, scenario: Scenario, webhook: Payload) -> None:
    readme = scenario.fake.commit(
        scenario.repo, {**scenario.repo.commits[scenario.base], "README.md": "# Hi\n"}
    )
    scenario.open_pull(4, readme)
    await app.send("pull_request", _opened(webhook, 4, readme))
    await app.drain()
    [run] = scenario.repo.check_runs
    assert run["status"] == "completed" and run["conclusion"] == "success"
    assert scenario.fake.seen("GET", "/tarball/") == 0


async def test_second_push_updates_the_comment_and_adds_a_check_run(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    pull = scenario.open_pull(2, scenario.blocked)
    await app.send("pull_request", _opened(webhook, 2, scenario.blocked))
    await app.drain()
    pull.head_sha = scenario.safe
    await app.send("pull_request", _opened(webhook, 2, scenario.safe, action="synchronize"))
    await app.drain()
    [comment] = _ours(scenario, 2)
    assert comment["edits"] == 1
    assert [r["conclusion"] for r in scenario.repo.check_runs] == ["failure", "success"]


async def test_unchanged_comment_is_not_rewritten(app: App, scenario: Scenario, webhook: Payload) -> None:
    scenario.open_pull(2, scenario.blocked)
    await app.send("pull_request", _opened(webhook, 2, scenario.blocked))
    await app.send("pull_request", _opened(webhook, 2, scenario.blocked, action="reopened"))
    await app.drain()
    [comment] = _ours(scenario, 2)
    assert comment["edits"] == 0
    assert scenario.fake.seen("PATCH", r"/issues/comments/\d+$") == 0


async def test_newer_push_supersedes_the_queued_review(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    pull = scenario.open_pull(2, scenario.blocked)
    await app.send("pull_request", _opened(webhook, 2, scenario.blocked))
    pull.head_sha = scenario.safe
    await app.send("pull_request", _opened(webhook, 2, scenario.safe, action="synchronize"))
    assert await app.drain() == 1
    assert [r["conclusion"] for r in scenario.repo.check_runs] == ["success"]
    assert app.store.job_counts() == {"superseded": 1, "done": 1}


async def test_closed_pull_request_cancels_queued_work(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    scenario.open_pull(2, scenario.blocked)
    await app.send("pull_request", _opened(webhook, 2, scenario.blocked))
    closed = webhook("pull_request__closed", number=2, pull_request__number=2)
    assert (await app.send("pull_request", closed)).status_code == 202
    assert await app.drain() == 0
    assert scenario.repo.check_runs == []


async def test_recheck_from_a_writer_runs_again(app: App, scenario: Scenario, webhook: Payload) -> None:
    scenario.open_pull(2, scenario.blocked)
    await app.send("pull_request", _opened(webhook, 2, scenario.blocked))
    await app.drain()
    body = webhook(
        "issue_comment__created",
        issue__number=2,
        issue__pull_request={"url": "x"},
        comment__id=77,
        comment__body="/recheck\nplease",
    )
    assert (await app.send("issue_comment", body)).status_code == 202
    await app.drain()
    assert len(scenario.repo.check_runs) == 2
    assert all(r["status"] == "completed" for r in scenario.repo.check_runs)
    assert (77, "eyes") in scenario.repo.reactions and (77, "rocket") in scenario.repo.reactions
    assert len(_ours(scenario, 2)) == 1


async def test_recheck_from_a_reader_is_refused_once(app: App, scenario: Scenario, webhook: Payload) -> None:
    scenario.open_pull(2, scenario.blocked)
    for comment_id in (78, 79):
        body = webhook(
            "issue_comment__created",
            issue__number=2,
            issue__pull_request={"url": "x"},
            comment__id=comment_id,
            comment__body="/recheck",
            comment__user__login="reader",
        )
        await app.send("issue_comment", body)
    await app.drain()
    assert scenario.repo.check_runs == []
    assert (78, "confused") in scenario.repo.reactions and (79, "confused") in scenario.repo.reactions
    [refusal] = _ours(scenario, 2)
    assert "@reader" in str(refusal["body"])


async def test_comments_that_are_not_commands_are_ignored(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    scenario.open_pull(2, scenario.blocked)
    for body in (
        webhook(
            "issue_comment__created", issue__pull_request={"url": "x"}, comment__body="looks good /recheck"
        ),
        webhook("issue_comment__created", comment__body="/recheck"),  # an issue, not a pull request
        webhook(
            "issue_comment__created",
            issue__pull_request={"url": "x"},
            comment__body="/recheck",
            comment__user__type="Bot",
        ),
    ):
        assert (await app.send("issue_comment", body)).status_code == 202
    assert await app.drain() == 0


async def test_check_run_rerequested_finds_its_pull_request_by_external_id(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    scenario.open_pull(2, scenario.blocked)
    body = webhook(
        "check_run__rerequested",
        check_run__app__id=APP_ID,
        check_run__head_sha=scenario.blocked,
        check_run__external_id=f"186853002:2:{scenario.blocked}",
        check_run__pull_requests=[],
    )
    assert (await app.send("check_run", body)).status_code == 202
    await app.drain()
    [run] = scenario.repo.check_runs
    assert run["conclusion"] == "failure"


async def test_recheck_button_and_suite_rerun_from_a_fork(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    scenario.open_pull(2, scenario.blocked).fork = True
    button = webhook(
        "check_run__requested_action",
        check_run__app__id=APP_ID,
        check_run__external_id="",
        check_run__head_sha=scenario.blocked,
        check_run__pull_requests=[],
        requested_action={"identifier": "recheck"},
    )
    suite = webhook(
        "check_suite__rerequested",
        check_suite__app__id=APP_ID,
        check_suite__head_sha=scenario.blocked,
        check_suite__pull_requests=[],
    )
    await app.send("check_run", button)
    await app.drain()
    await app.send("check_suite", suite)
    await app.drain()
    assert [r["conclusion"] for r in scenario.repo.check_runs] == ["failure", "failure"]


async def test_other_apps_checks_are_ignored(app: App, scenario: Scenario, webhook: Payload) -> None:
    body = webhook("check_run__rerequested", check_run__app__id=1)
    assert (await app.send("check_run", body)).status_code == 202
    assert await app.drain() == 0


async def test_github_errors_on_reads_are_retried(app: App, scenario: Scenario, webhook: Payload) -> None:
    scenario.open_pull(2, scenario.blocked)
    scenario.fake.fail("GET", r"/pulls/2/files$", status=502)
    await app.send("pull_request", _opened(webhook, 2, scenario.blocked))
    await app.drain()
    assert scenario.fake.seen("GET", r"/pulls/2/files$") == 2
    assert scenario.repo.check_runs[0]["conclusion"] == "failure"


async def test_a_check_run_create_that_failed_is_not_repeated_blindly(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    scenario.open_pull(2, scenario.blocked)
    scenario.fake.fail("POST", r"/check-runs$", status=500)
    await app.send("pull_request", _opened(webhook, 2, scenario.blocked))
    await app.drain()
    assert scenario.fake.seen("POST", r"/check-runs$") == 2  # looked first, found none, created
    assert scenario.fake.seen("GET", r"/commits/.+/check-runs$") == 1
    assert len(scenario.repo.check_runs) == 1


async def test_many_annotations_go_in_batches_of_fifty(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    lines = "".join(f"ALTER TABLE users ADD COLUMN c{i} text NOT NULL;\n" for i in range(120))
    head = scenario.fake.commit(
        scenario.repo,
        {
            **scenario.repo.commits[scenario.base],
            "db/migrations/000002_many.up.sql": lines,
            "db/migrations/000002_many.down.sql": "SELECT 1;\n",
        },
    )
    scenario.open_pull(5, head)
    await app.send("pull_request", _opened(webhook, 5, head))
    await app.drain()
    [run] = scenario.repo.check_runs
    assert len(run["annotations"]) >= 120
    assert run["updates"] == -(-len(run["annotations"]) // 50)


async def test_rate_limit_puts_the_job_back(app: App, scenario: Scenario, webhook: Payload) -> None:
    scenario.open_pull(2, scenario.blocked)
    scenario.fake.fail("GET", r"/pulls/2$", status=403, **{"retry-after": "600"})
    await app.send("pull_request", _opened(webhook, 2, scenario.blocked))
    await app.drain()
    assert app.store.job_counts() == {"queued": 1}
    assert scenario.repo.check_runs == []


async def test_invalid_configuration_on_the_base_branch_fails_the_check(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    files = {**scenario.repo.commits[scenario.base], ".github/migration-review.yml": "rules: [unclosed\n"}
    base = scenario.fake.commit(scenario.repo, files)
    head = scenario.fake.commit(
        scenario.repo,
        {**files, **{k: v for k, v in scenario.repo.commits[scenario.safe].items() if k.startswith("db/")}},
    )
    pull = scenario.open_pull(6, head)
    pull.base_sha = base
    await app.send("pull_request", _opened(webhook, 6, head))
    await app.drain()
    [run] = scenario.repo.check_runs
    assert run["conclusion"] == "failure"
    assert run["output"]["title"] == "The repository configuration is invalid"


async def test_configuration_is_read_from_the_base_not_the_head(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    head_files = {
        **scenario.repo.commits[scenario.blocked],
        ".github/migration-review.yml": "rules: [unclosed\n",
    }
    head = scenario.fake.commit(scenario.repo, head_files)
    scenario.open_pull(7, head)
    await app.send("pull_request", _opened(webhook, 7, head))
    await app.drain()
    [run] = scenario.repo.check_runs
    assert run["conclusion"] == "failure"
    assert run["output"]["title"] != "The repository configuration is invalid"


async def test_enterprise_server_gets_the_api_version_it_knows(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    versions: list[str] = []
    scenario.fake.on_request = lambda scope: versions.append(
        dict(scope["headers"]).get(b"x-github-api-version", b"").decode()
    )
    scenario.open_pull(2, scenario.blocked)
    await app.send("pull_request", _opened(webhook, 2, scenario.blocked))
    await app.drain()
    assert app.settings.github_api_url == "http://github.test/"
    assert set(versions) - {""} == {"2022-11-28"}


async def test_a_pull_request_closed_during_the_review_gets_no_comment(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    pull = scenario.open_pull(2, scenario.blocked)

    def close_on_download(scope: dict[str, object]) -> None:
        if "/_codeload/" in str(scope["path"]):
            pull.state = "closed"

    scenario.fake.on_request = close_on_download
    await app.send("pull_request", _opened(webhook, 2, scenario.blocked))
    await app.drain()
    [run] = scenario.repo.check_runs
    assert (run["status"], run["conclusion"]) == ("completed", "cancelled")
    assert _ours(scenario, 2) == []


async def test_a_push_during_the_review_drops_the_stale_result(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    pull = scenario.open_pull(2, scenario.blocked)

    def push_on_download(scope: dict[str, object]) -> None:
        if "/_codeload/" in str(scope["path"]):
            pull.head_sha = scenario.safe

    scenario.fake.on_request = push_on_download
    await app.send("pull_request", _opened(webhook, 2, scenario.blocked))
    await app.drain()
    [run] = scenario.repo.check_runs
    assert (run["head_sha"], run["conclusion"]) == (scenario.blocked, "cancelled")
    assert _ours(scenario, 2) == []


async def test_a_short_retry_after_is_waited_out_in_place(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    scenario.open_pull(2, scenario.blocked)
    scenario.fake.fail("GET", r"/pulls/2$", status=429, **{"retry-after": "1"})
    await app.send("pull_request", _opened(webhook, 2, scenario.blocked))
    await app.drain()
    assert scenario.repo.check_runs[0]["conclusion"] == "failure"
    assert app.store.job_counts() == {"done": 1}


async def test_a_job_taken_again_after_it_published_publishes_nothing_more(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    """Its worker published, then stalled before it could record the job as done: the lease ran out and
    the job runs again. It finds its check run concluded and neither opens a second one nor writes."""
    scenario.open_pull(2, scenario.blocked)
    await app.send("pull_request", _opened(webhook, 2, scenario.blocked))
    job = app.store.claim()
    assert job is not None
    assert await app.worker.handle(job) == "done"  # published; the worker stalls before recording it
    app.store._run("UPDATE jobs SET lease_until=0")
    writes = scenario.fake.seen("PATCH", r"") + scenario.fake.seen("POST", r"/repos/")
    assert await app.drain() == 1
    assert scenario.fake.seen("PATCH", r"") + scenario.fake.seen("POST", r"/repos/") == writes
    assert [r["status"] for r in scenario.repo.check_runs] == ["completed"]
    assert len(_ours(scenario, 2)) == 1


async def test_the_embedded_worker_deletes_records_past_the_retention(app: App) -> None:
    assert app.store.record_delivery("old", "pull_request", "opened")
    assert app.store.record_delivery("new", "pull_request", "opened")
    app.store._run("UPDATE deliveries SET received_at=received_at-40*86400 WHERE guid='old'")
    with anyio.fail_after(30):
        async with anyio.create_task_group() as group:
            group.start_soon(app.worker.run)
            while app.store.seen_delivery("old"):
                await anyio.sleep(0.05)
            group.cancel_scope.cancel()
    assert app.store.seen_delivery("new")


async def test_a_rails_enum_reordered_without_a_migration_fails(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    files = scenario.repo.commits[scenario.base]
    model = "class Invoice < ApplicationRecord\n  enum state: [:draft, :sent, :paid]\nend\n"
    base = scenario.fake.commit(scenario.repo, {**files, "app/models/invoice.rb": model})
    head = scenario.fake.commit(
        scenario.repo,
        {**files, "app/models/invoice.rb": model.replace(":draft, :sent", ":draft, :void, :sent")},
    )
    pull = scenario.open_pull(5, head)
    pull.base_sha = base
    await app.send("pull_request", _opened(webhook, 5, head))
    await app.drain()
    [run] = scenario.repo.check_runs
    assert run["conclusion"] == "failure"
    assert any(a["path"] == "app/models/invoice.rb" for a in run["annotations"])


async def test_a_model_field_without_its_migration_fails(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    files = scenario.repo.commits[scenario.base]
    schema = (
        'generator client {\n  provider = "prisma-client-js"\n}\n\n'
        'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n\n'
        "model Ticket {\n  id    String @id\n  title String\n}\n"
    )
    migration = 'CREATE TABLE "Ticket" ("id" TEXT PRIMARY KEY, "title" TEXT NOT NULL);\n'
    history = {
        "prisma/schema.prisma": schema,
        "prisma/migrations/20240101000000_init/migration.sql": migration,
    }
    base = scenario.fake.commit(scenario.repo, {**files, **history})
    edited = schema.replace("  title String\n", "  title String\n  priority Int?\n")
    head = scenario.fake.commit(scenario.repo, {**files, **history, "prisma/schema.prisma": edited})
    pull = scenario.open_pull(6, head)
    pull.base_sha = base
    await app.send("pull_request", _opened(webhook, 6, head))
    await app.drain()
    [run] = scenario.repo.check_runs
    assert run["conclusion"] == "failure"
    assert any(a["path"] == "prisma/schema.prisma" and "priority" in a["message"] for a in run["annotations"])
