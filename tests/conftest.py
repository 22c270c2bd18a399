"""Shared helpers and fakes. Databases are real; tests that need one skip (or fail under CI=true) without it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bot.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.config import Config
from bot.findings import Review
from bot.review import review

PG_DSN = os.environ.get("MIGRATION_REVIEW_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
MARIADB_DSN = os.environ.get("MIGRATION_REVIEW_TEST_MARIADB", "mysql://root@127.0.0.1:3306/test")
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
) -> Review:
    """Review one migration file added on top of a base tree (given as {path: text})."""
    base_files = dict(base or {})
    head_files = {**base_files, **(head or {}), path: sql}
    changeset = ChangeSet(
        base="base",
        head="head",
        files=(ChangedFile(path, "added", None, sql),),
        head_tree=MemoryTree(head_files),
        base_tree=MemoryTree(base_files),
        description=description,
    )
    return review(changeset, config=config, dialect=dialect)


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


@pytest.fixture
def mariadb():  # type: ignore[no-untyped-def]
    import pymysql

    try:
        connection = pymysql.connect(
            host="127.0.0.1", port=3306, user="root", password="", autocommit=True, connect_timeout=3
        )
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
