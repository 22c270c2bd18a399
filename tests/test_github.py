"""The GitHub client against the fake: pagination, upserts, pacing, retries."""

from __future__ import annotations

import time
from pathlib import Path

import anyio
import httpx
import pytest
from githubkit.exception import RequestFailed

from bot.app.github import GitHubApp
from bot.app.github.policy import Pacer
from tests.conftest import App, Payload, Scenario, make_settings
from tests.test_store import Opener, open_store  # noqa: F401 (a fixture)

pytestmark = pytest.mark.anyio


def _app(tmp_path: Path, key: str, scenario: Scenario, **settings: object) -> GitHubApp:
    return GitHubApp(
        make_settings(tmp_path, key, **settings), transport=httpx.ASGITransport(app=scenario.fake.app())
    )


async def test_files_and_comments_are_read_across_pages(
    tmp_path: Path, key_pair: tuple[str, str], scenario: Scenario
) -> None:
    many = {f"src/file{i:03}.py": "x = 1\n" for i in range(250)}
    head = scenario.fake.commit(scenario.repo, {**scenario.repo.commits[scenario.base], **many})
    scenario.open_pull(9, head)
    for i in range(130):
        scenario.repo.comments.append(
            {
                "id": i + 1,
                "issue": 9,
                "body": f"comment {i}",
                "user": {"login": "someone", "type": "User"},
                "edits": 0,
            }
        )
    app = _app(tmp_path, key_pair[0], scenario)
    async with app.repository(1, "Codertocat", "Hello-World") as repo:
        files = await repo.files(9)
        assert len(files) == 250
        assert (
            await repo.upsert_comment(9, "<!-- migration-review:comment -->\nA", "migration-review[bot]")
            == "created"
        )
        assert (
            await repo.upsert_comment(9, "<!-- migration-review:comment -->\nA", "migration-review[bot]")
            == "unchanged"
        )
        assert (
            await repo.upsert_comment(9, "<!-- migration-review:comment -->\nB", "migration-review[bot]")
            == "updated"
        )
    assert scenario.fake.seen("GET", r"/pulls/9/files$") == 3
    assert scenario.fake.seen("GET", r"/issues/9/comments$") == 3 * 2
    assert len([c for c in scenario.repo.comments if c["issue"] == 9]) == 131


async def test_a_comment_with_our_marker_by_someone_else_is_not_ours(
    tmp_path: Path, key_pair: tuple[str, str], scenario: Scenario
) -> None:
    scenario.open_pull(2, scenario.blocked)
    scenario.repo.comments.append(
        {
            "id": 5,
            "issue": 2,
            "body": "<!-- migration-review:comment -->\nforged",
            "user": {"login": "mallory", "type": "User"},
            "edits": 0,
        }
    )
    app = _app(tmp_path, key_pair[0], scenario)
    async with app.repository(1, "Codertocat", "Hello-World") as repo:
        assert (
            await repo.upsert_comment(2, "<!-- migration-review:comment -->\nreal", await app.bot_login())
            == "created"
        )
    assert scenario.repo.comments[0]["body"].endswith("forged")


async def test_writes_are_paced_after_a_burst() -> None:
    """Five writes go at once, then one per interval: checked on a clock of our own, not the wall clock."""
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    pacer = Pacer(interval=0.2, clock=lambda: now[0], sleep=sleep)
    done = []

    async def write(i: int) -> int:
        done.append(i)
        return i

    for i in range(7):
        await pacer.write(lambda i=i: write(i))
    assert done == list(range(7))
    assert waits == pytest.approx([0.2, 0.2])


async def test_paced_writes_refill_while_idle() -> None:
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    pacer = Pacer(interval=1.0, clock=lambda: now[0], sleep=sleep)

    async def nothing() -> None:
        return None

    for _ in range(5):
        await pacer.write(nothing)
    now[0] += 10  # idle long enough to refill the whole burst
    for _ in range(5):
        await pacer.write(nothing)
    assert waits == []


async def test_unknown_user_has_no_permission(
    tmp_path: Path, key_pair: tuple[str, str], scenario: Scenario
) -> None:
    app = _app(tmp_path, key_pair[0], scenario)
    async with app.repository(1, "Codertocat", "Hello-World") as repo:
        assert await repo.permission("stranger") == "none"
        assert await repo.permission("reader") == "read"
        assert await repo.permission("Codertocat") == "admin"


async def test_the_token_is_narrowed_to_the_repository(
    tmp_path: Path, key_pair: tuple[str, str], scenario: Scenario
) -> None:
    app = _app(tmp_path, key_pair[0], scenario)
    async with app.repository(1, "Codertocat", "Hello-World") as repo:
        await repo.permission("reader")
    [token] = scenario.fake.tokens.values()
    assert token["repositories"] == ["Hello-World"]
    assert token["permissions"] == {
        "checks": "write",
        "contents": "read",
        "metadata": "read",
        "pull_requests": "write",
    }


async def test_processes_on_one_store_ask_for_one_token(
    tmp_path: Path,
    key_pair: tuple[str, str],
    scenario: Scenario,
    open_store: Opener,  # noqa: F811
) -> None:
    """Two processes (two stores, two clients) at once: one asks GitHub for the token, both use it."""
    clients = [
        GitHubApp(
            make_settings(tmp_path, key_pair[0]),
            transport=httpx.ASGITransport(app=scenario.fake.app()),
            shared=open_store(),
        )
        for _ in range(2)
    ]

    async def read(app: GitHubApp) -> None:
        async with app.repository(1, "Codertocat", "Hello-World") as repo:
            assert await repo.permission("reader") == "read"

    async with anyio.create_task_group() as group:
        for app in clients:
            group.start_soon(read, app)
    await read(clients[1])
    assert scenario.fake.seen("POST", r"/access_tokens$") == 1
    assert scenario.fake.seen("GET", r"/permission$") == 3


async def test_processes_without_a_store_ask_for_a_token_each(
    tmp_path: Path, key_pair: tuple[str, str], scenario: Scenario
) -> None:
    for _ in range(2):
        async with _app(tmp_path, key_pair[0], scenario).repository(1, "Codertocat", "Hello-World") as repo:
            await repo.permission("reader")
    assert scenario.fake.seen("POST", r"/access_tokens$") == 2


async def test_a_shared_token_near_its_expiry_is_replaced(
    tmp_path: Path,
    key_pair: tuple[str, str],
    scenario: Scenario,
    open_store: Opener,  # noqa: F811
) -> None:
    store = open_store()
    app = GitHubApp(
        make_settings(tmp_path, key_pair[0]),
        transport=httpx.ASGITransport(app=scenario.fake.app()),
        shared=store,
    )
    async with app.repository(1, "Codertocat", "Hello-World") as repo:
        await repo.permission("reader")
    [(key, token, expires)] = store._run("SELECT key, value, expires_at FROM tokens")[1]
    assert expires > time.time() + 50 * 60  # GitHub's hour, less a minute
    store.save_token(key, token, time.time() + 60)  # a minute left: too close to hand out
    later = GitHubApp(
        make_settings(tmp_path, key_pair[0]),
        transport=httpx.ASGITransport(app=scenario.fake.app()),
        shared=open_store(),
    )
    async with later.repository(1, "Codertocat", "Hello-World") as repo:
        await repo.permission("reader")
    assert scenario.fake.seen("POST", r"/access_tokens$") == 2
    assert store.token(key) is not None and store.token(key) != (token, expires)


async def test_a_revoked_token_is_dropped_from_every_process_and_the_call_sent_again(
    tmp_path: Path,
    key_pair: tuple[str, str],
    scenario: Scenario,
    open_store: Opener,  # noqa: F811
) -> None:
    """GitHub answers 401 to a revoked token: the process that meets it drops it from the shared cache and
    sends the call once more with a fresh token; the other process, which still holds the old one in
    memory, meets the same 401 and takes the fresh token from the store without asking GitHub again."""
    first, second = (
        GitHubApp(
            make_settings(tmp_path, key_pair[0]),
            transport=httpx.ASGITransport(app=scenario.fake.app()),
            shared=open_store(),
        )
        for _ in range(2)
    )

    async def read(app: GitHubApp, user: str) -> str:
        async with app.repository(1, "Codertocat", "Hello-World") as repo:
            return await repo.permission(user)

    assert await read(first, "reader") == "read"
    assert await read(second, "Codertocat") == "admin"
    [old] = scenario.fake.revoke()
    assert await read(second, "reader") == "read"
    assert await read(first, "Codertocat") == "admin"
    assert scenario.fake.seen("POST", r"/access_tokens$") == 2  # one for each token, not one per process
    assert scenario.fake.seen("GET", r"/permission$") == 6  # two of them refused, each sent again once
    [(fresh,)] = open_store()._run("SELECT value FROM tokens WHERE value<>''")[1]
    assert fresh != old and fresh in scenario.fake.tokens


async def test_a_token_refused_again_is_not_tried_a_third_time(
    tmp_path: Path, key_pair: tuple[str, str], scenario: Scenario
) -> None:
    app = _app(tmp_path, key_pair[0], scenario)
    scenario.fake.fail("GET", r"/collaborators/reader/permission$", status=401, times=5)
    with pytest.raises(RequestFailed) as refused:
        async with app.repository(1, "Codertocat", "Hello-World") as repo:
            await repo.permission("reader")
    assert refused.value.response.status_code == 401
    assert scenario.fake.seen("GET", r"/permission$") == 2
    assert scenario.fake.seen("POST", r"/access_tokens$") == 2


async def test_a_review_after_its_token_was_revoked_completes_with_a_fresh_one(
    app: App, scenario: Scenario, webhook: Payload
) -> None:
    """Through the webhook: the review that meets the revoked token still publishes, on a fresh token."""
    for number, head in ((2, scenario.safe), (3, scenario.blocked)):
        scenario.open_pull(number, head)
        if number == 3:
            scenario.fake.revoke()
        body = webhook(
            "pull_request__opened", number=number, pull_request__number=number, pull_request__head__sha=head
        )
        assert (await app.send("pull_request", body)).status_code == 202
        await app.drain()
    assert [(r["head_sha"], r["status"]) for r in scenario.repo.check_runs] == [
        (scenario.safe, "completed"),
        (scenario.blocked, "completed"),
    ]
    assert scenario.fake.seen("POST", r"/access_tokens$") == 2
    assert len({c["issue"] for c in scenario.repo.comments}) == 2


async def test_processes_on_one_store_draw_on_one_pace(open_store: Opener) -> None:  # noqa: F811
    """The burst of one installation is spent by one process: the other's next write waits its turn.
    The waits are recorded, not slept, so nothing here depends on the machine's speed."""
    waits: dict[str, list[float]] = {"a": [], "b": []}

    def pacer(name: str, installation: int = 7) -> Pacer:
        async def sleep(seconds: float) -> None:
            waits[name].append(seconds)

        return Pacer(interval=60.0, burst=2, installation_id=installation, shared=open_store(), sleep=sleep)

    async def nothing() -> None:
        return None

    first, second, elsewhere = pacer("a"), pacer("b"), pacer("a", installation=8)
    await first.write(nothing)
    await first.write(nothing)
    await second.write(nothing)
    await second.write(nothing)
    await elsewhere.write(nothing)  # another installation has a budget of its own
    assert waits["a"] == []
    assert waits["b"] == [pytest.approx(60.0, abs=5.0), pytest.approx(120.0, abs=5.0)]


async def test_processes_on_their_own_pace_do_not_see_each_other() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def nothing() -> None:
        return None

    for _ in range(2):  # two processes without a store: each spends a whole burst of its own
        pacer = Pacer(interval=60.0, burst=2, sleep=sleep)
        await pacer.write(nothing)
        await pacer.write(nothing)
    assert waits == []
