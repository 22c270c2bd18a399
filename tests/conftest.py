"""Shared helpers and fakes. Databases are real; tests that need one skip (or fail under CI=true) without it.

GitHub is faked at the HTTP boundary by tests/fakegithub.py; the fixtures below wire the app to it.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.app import jobs, tasks
from bot.app.github import GitHubApp
from bot.app.metrics import Metrics
from bot.app.settings import Settings
from bot.app.store import Job, Store
from bot.app.web import create_app
from bot.app.webhooks import sign
from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.config import Config
from bot.model.facts import Facts
from bot.model.findings import Review
from bot.review import review
from tests.fakegithub import BASE_FILES, BLOCKED, SAFE, FakeGitHub, FakePull, FakeRepo

PG_DSN = os.environ.get("MIGRATION_REVIEW_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
MARIADB_DSN = os.environ.get("MIGRATION_REVIEW_TEST_MARIADB", "mysql://root@127.0.0.1:3306/test")
SCHEMA_MARKER = "-- migration\n"
pytest_plugins = ["tests.generated_sql"]  # every review's generated SQL runs on the real databases
START_PG = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
START_MARIADB = "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd"


def review_sql(
    sql: str,
    *,
    path: str = "db/migrations/001_change.sql",
    dialect: str | None = None,
    base: dict[str, str] | None = None,
    head: dict[str, str] | None = None,
    config: Config | None = None,
    description: str = "",
    facts: Facts | None = None,
    previous: str | None = None,
) -> Review:
    """Review one migration file added on top of a base tree (given as {path: text}), or edited when the
    base tree had it as `previous`.

    Statements above a `-- migration` line are the schema before the change (a migration of the base tree).
    """
    base_files = dict(base or {})
    if previous is not None:
        base_files[path] = previous
    if SCHEMA_MARKER in sql:
        schema, sql = sql.split(SCHEMA_MARKER, 1)
        base_files.setdefault("db/migrations/000_schema.sql", schema)
    head_files = {**base_files, **(head or {}), path: sql}
    changeset = ChangeSet(
        base="base",
        head="head",
        files=(ChangedFile(path, "added" if previous is None else "modified", previous, sql),),
        head_tree=MemoryTree(head_files),
        base_tree=MemoryTree(base_files),
        description=description,
    )
    return review(changeset, config=config, dialect=dialect, facts=facts)


def review_removal(
    path: str,
    text: str,
    *,
    base: dict[str, str] | None = None,
    head: dict[str, str] | None = None,
    config: Config | None = None,
) -> Review:
    """Review a change that deletes `path` (holding `text` in the base tree) and adds the files of `head`."""
    base_files = {**(base or {}), path: text}
    head_files = {p: t for p, t in {**base_files, **(head or {})}.items() if p != path}
    added = tuple(ChangedFile(p, "added", None, t) for p, t in (head or {}).items())
    changeset = ChangeSet(
        base="base",
        head="head",
        files=(ChangedFile(path, "removed", text, None), *added),
        head_tree=MemoryTree(head_files),
        base_tree=MemoryTree(base_files),
    )
    return review(changeset, config=config)


def rule_ids(result: Review) -> set[str]:
    return {f.rule for f in result.active}


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    )
    return done.stdout


def _unavailable(what: str, start: str, error: Exception) -> None:
    message = f"{what} is not reachable ({error}); start it with: {start}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def pg():  # type: ignore[no-untyped-def]
    import psycopg

    try:
        connection = psycopg.connect(PG_DSN, autocommit=True, connect_timeout=3)
    except Exception as error:
        _unavailable("PostgreSQL", START_PG, error)
    schema = f"mr_test_{os.getpid()}"
    connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    connection.execute(f"CREATE SCHEMA {schema}")
    connection.execute(f"SET search_path TO {schema}")
    yield connection
    connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    connection.close()


def refusal(run: Callable[[str], object], statement: str) -> str:
    """The database's error for `statement` (run by `run`: `pg.execute`, a MariaDB cursor's `execute`), or ""
    when the database accepts it."""
    try:
        run(statement)
    except Exception as error:  # each driver raises its own error types
        return str(error)
    return ""


def connect_mariadb() -> Any:
    """A connection to the MariaDB of MIGRATION_REVIEW_TEST_MARIADB, in autocommit."""
    import pymysql

    dsn = urlsplit(MARIADB_DSN)
    return pymysql.connect(
        host=dsn.hostname or "127.0.0.1",
        port=dsn.port or 3306,
        user=unquote(dsn.username or "root"),
        password=unquote(dsn.password or ""),
        autocommit=True,
        connect_timeout=3,
    )


@pytest.fixture
def mariadb():  # type: ignore[no-untyped-def]
    try:
        connection = connect_mariadb()
    except Exception as error:
        _unavailable("MariaDB", START_MARIADB, error)
    database = f"mr_test_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {database}")
        cursor.execute(f"CREATE DATABASE {database}")
        cursor.execute(f"USE {database}")
    yield connection
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {database}")
    connection.close()


FIXTURES = Path(__file__).parent / "fixtures" / "webhooks"
APP_ID = 29310  # the app id in the example check_suite payload
SECRET = b"it's a secret to everybody"
OWNER, NAME, REPO_ID = "Codertocat", "Hello-World", 186853002


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def key_pair() -> tuple[str, str]:
    """A throwaway app key in the PKCS#1 PEM form GitHub issues, and its public half."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@dataclass
class Scenario:
    fake: FakeGitHub
    repo: FakeRepo
    base: str
    blocked: str
    safe: str

    def open_pull(self, number: int, head: str, body: str = "Adds a column.") -> FakePull:
        pull = FakePull(number, self.base, head, body)
        self.repo.pulls[number] = pull
        return pull


@pytest.fixture
def scenario(key_pair: tuple[str, str]) -> Scenario:
    fake = FakeGitHub(APP_ID, key_pair[1])
    repo = fake.add_repo(OWNER, NAME, REPO_ID)
    base = fake.commit(repo, BASE_FILES)
    blocked = fake.commit(repo, BASE_FILES | BLOCKED)
    safe = fake.commit(repo, BASE_FILES | SAFE)
    repo.permissions.update({"Codertocat": "admin", "reader": "read"})
    return Scenario(fake, repo, base, blocked, safe)


def make_settings(
    tmp_path: Path, private_key: str, api_url: str = "http://github.test/", **extra: Any
) -> Settings:
    return Settings(
        github_app_id=APP_ID,
        github_private_key=private_key,
        github_webhook_secret=SECRET.decode(),
        github_api_url=api_url,
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        **({"cache_dir": tmp_path / "cache", "write_interval": 0.0} | extra),
    )


def payload(name: str, **changes: Any) -> bytes:
    """A whole example payload from GitHub's published examples, with dotted paths set to new values."""
    data = json.loads((FIXTURES / f"{name}.json").read_text())
    data = copy.deepcopy(data)
    if "repository" in data:
        data["repository"].update({"id": REPO_ID, "name": NAME, "full_name": f"{OWNER}/{NAME}"})
        data["repository"]["owner"]["login"] = OWNER
        data["installation"] = {"id": 1, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ=="}
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target = data
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
        target[last] = value
    return json.dumps(data).encode()


def headers(event: str, body: bytes, delivery: str, secret: bytes = SECRET) -> dict[str, str]:
    return {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": sign(body, secret),
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/test",
    }


@dataclass
class App:
    """The app wired in-process: the receiver, the store, a worker, all talking to the fake."""

    client: httpx.AsyncClient
    store: Store
    worker: jobs.Worker
    settings: Settings
    deliveries: int = 0

    async def send(
        self, event: str, body: bytes, delivery: str | None = None, secret: bytes = SECRET
    ) -> httpx.Response:
        self.deliveries += 1
        guid = delivery or f"delivery-{self.deliveries}"
        return await self.client.post(
            "/webhooks/github", content=body, headers=headers(event, body, guid, secret)
        )

    async def drain(self) -> int:
        return await self.worker.drain()


@asynccontextmanager
async def in_process(
    settings: Settings,
    transport: httpx.AsyncBaseTransport | None,
    *,
    attempts: int = 2,
    shared: bool = False,
    metrics: Metrics | None = None,
) -> AsyncIterator[App]:
    """The app in-process: its web app behind an httpx client, its worker, its GitHub client on `transport`
    (`shared`: tokens and pacing through the store; `metrics`: every part reporting to one registry)."""
    store = Store(settings.database_url)
    github = GitHubApp(settings, transport=transport, metrics=metrics, shared=store if shared else None)
    context = tasks.Context(settings=settings, store=store, app=github)

    async def handle(job: Job) -> str:
        return await tasks.run(job, context)

    async def give_up(job: Job, error: str) -> None:
        await tasks.give_up(job, context, error)

    worker = jobs.Worker(store, handle, give_up, attempts=attempts, metrics=metrics)
    web = create_app(settings, store, worker=None, metrics=metrics)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=web), base_url="http://app.test"
    ) as client:
        yield App(client, store, worker, settings)
    store.close()


@pytest.fixture
async def app(tmp_path: Path, key_pair: tuple[str, str], scenario: Scenario) -> AsyncIterator[App]:
    settings = make_settings(tmp_path, key_pair[0])
    async with in_process(settings, httpx.ASGITransport(app=scenario.fake.app()), shared=True) as running:
        yield running


Payload = Callable[..., bytes]


@pytest.fixture
def webhook() -> Callable[..., bytes]:
    """payload(name, **dotted_changes) → the signed-ready body of an example delivery."""
    return payload


SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def assert_snapshot(name: str, text: str) -> None:
    """Compare with tests/snapshots/<name>; `UPDATE_SNAPSHOTS=1 make test` rewrites them."""
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not path.exists():
        if os.environ.get("CI") == "true" and not path.exists():
            pytest.fail(f"snapshot {name} is missing: run `UPDATE_SNAPSHOTS=1 make test` and commit it")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} changed: review the diff, then UPDATE_SNAPSHOTS=1"
    )
