"""The gate never fails open: a pull request padded past what GitHub's files API lists, oversized and
binary migrations, and a changed-file list that cannot be proven complete never conclude success."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.app.changes import INCOMPLETE_TITLE, TOO_LARGE_TITLE
from tests.conftest import App, Scenario
from tests.fakegithub import BASE_FILES, BLOCKED, FILES_LISTED, SAFE

pytestmark = pytest.mark.anyio

Payload = Callable[..., bytes]
PADDING = {f"assets/pad-{i:04}.txt": f"{i}\n" for i in range(FILES_LISTED + 100)}  # sorts first


def _opened(webhook: Payload, number: int, head: str) -> bytes:
    return webhook(
        "pull_request__opened", number=number, pull_request__number=number, pull_request__head__sha=head
    )


async def _review(app: App, scenario: Scenario, webhook: Payload, files: dict[str, str]) -> dict[str, object]:
    head = scenario.fake.commit(scenario.repo, BASE_FILES | files)
    scenario.open_pull(7, head)
    assert (await app.send("pull_request", _opened(webhook, 7, head))).status_code == 202
    await app.drain()
    [run] = scenario.repo.check_runs
    assert run["status"] == "completed"
    return run


async def test_a_migration_past_the_3000th_file_is_still_reviewed(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    run = await _review(app, scenario, webhook, PADDING | BLOCKED)
    assert scenario.fake.seen("GET", "/compare/") == 1  # the merge base of the tree comparison
    assert run["conclusion"] == "failure"
    assert "No migration" not in str(run["output"])
    assert any(a["path"] == "db/migrations/000002_add_plan.up.sql" for a in run["annotations"])


async def test_a_padded_safe_pull_request_passes_after_the_trees_are_compared(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    run = await _review(app, scenario, webhook, PADDING | SAFE)
    assert run["conclusion"] == "success"
    assert "000002_add_nickname" in str(run["output"])


async def test_changes_on_the_base_branch_are_not_reviewed_as_the_pull_requests(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    later = {"db/migrations/000003_later.up.sql": "ALTER TABLE users DROP COLUMN email;\n"}
    fork_point = scenario.base
    scenario.base = scenario.fake.commit(scenario.repo, BASE_FILES | later)  # main moved on
    head = scenario.fake.commit(scenario.repo, BASE_FILES | PADDING | SAFE)
    pull = scenario.open_pull(7, head)
    pull.merge_base = fork_point
    await app.send("pull_request", _opened(webhook, 7, head))
    await app.drain()
    [run] = scenario.repo.check_runs
    assert run["conclusion"] == "success"
    assert "000003_later" not in str(run["output"])


async def test_a_list_that_cannot_be_completed_blocks(app: App, scenario: Scenario, webhook: Payload) -> None:
    head = scenario.fake.commit(scenario.repo, BASE_FILES | PADDING | SAFE)
    pull = scenario.open_pull(7, head)
    pull.changed_files = len(PADDING) + 50  # GitHub counts files the trees do not show
    await app.send("pull_request", _opened(webhook, 7, head))
    await app.drain()
    [run] = scenario.repo.check_runs
    assert run["conclusion"] == "failure"
    assert run["output"]["title"] == INCOMPLETE_TITLE


async def test_an_oversized_migration_is_never_approved(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    huge = "ALTER TABLE users ADD COLUMN nickname text;\n" + "-- padding\n" * 200_000
    run = await _review(app, scenario, webhook, {"db/migrations/000002_add_nickname.up.sql": huge})
    assert run["conclusion"] == "failure"
    assert run["output"]["title"] == TOO_LARGE_TITLE
    assert "000002_add_nickname.up.sql" in run["output"]["summary"]
    assert "per file" in run["output"]["summary"]
    [comment] = scenario.repo.comments
    assert "were not reviewed" in comment["body"]


async def test_a_binary_migration_is_never_approved(app: App, scenario: Scenario, webhook: Payload) -> None:
    run = await _review(
        app, scenario, webhook, {"db/migrations/000002_blob.up.sql": "ALTER TABLE users\0\1\2;\n"}
    )
    assert run["conclusion"] == "failure"
    assert "it is binary" in run["output"]["summary"]


async def test_migrations_over_the_total_are_not_reviewed(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    big = "-- note\n" * 110_000  # 880 kB each: under the per-file limit, ten of them over the total
    files = {f"db/migrations/0000{i + 10}_note.up.sql": f"SELECT 1;\n{big}" for i in range(10)}
    run = await _review(app, scenario, webhook, files)
    assert run["conclusion"] == "failure"
    assert "together are over the limit" in run["output"]["summary"]


async def test_a_migration_of_a_runner_the_review_does_not_read_is_never_approved(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    """A pull request whose only migration is of a runner the review cannot read (Entity Framework here):
    the trees are read for it as for any migration, and the check blocks on it."""
    ef_core = {
        "src/Shop/Migrations/20240201120000_DropEmail.cs": "using Microsoft.EntityFrameworkCore.Migrations;\n\n"
        "public partial class DropEmail : Migration\n{\n    protected override void Up(MigrationBuilder b)\n"
        '    { b.DropColumn(name: "email", table: "users"); }\n}\n'
    }
    run = await _review(app, scenario, webhook, ef_core)
    assert run["conclusion"] == "failure"
    assert "unreadable-migration" in str(run["output"]) + str(run["annotations"])


async def test_a_deleted_migration_is_reviewed(app: App, scenario: Scenario, webhook: Payload) -> None:
    """A pull request that only deletes an applied migration: the review reads the base tree for it and says
    what the deletion does, never 'no migration changed'."""
    kept = {path: text for path, text in BASE_FILES.items() if "000001_create_users" not in path}
    head = scenario.fake.commit(scenario.repo, kept)
    scenario.open_pull(7, head)
    assert (await app.send("pull_request", _opened(webhook, 7, head))).status_code == 202
    await app.drain()
    [run] = scenario.repo.check_runs
    assert run["status"] == "completed"
    assert "No migration changed" not in str(run["output"]), run["output"]
    assert "applied-migration-removed" in str(run["output"]) + str(run["annotations"])
