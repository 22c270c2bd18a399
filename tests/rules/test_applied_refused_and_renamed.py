"""applied-migration-edited on two real histories.

vaultwarden fixed a PostgreSQL migration that declared a `DATETIME` column ("Fix PostgreSQL migration") and a
MySQL one whose only statement was `ADD COLUMN "key" TEXT` ("Fix issue with MariaDB/MySQL migrations"): no
database ran either version, so every database runs the fix. The review called both edits of applied
migrations. authelia renamed `V0004.OpenIDConenct.*.up.sql` to `V0004.OpenIDConnect.*.up.sql` with its own runner,
which records the version: the review said, for certain, that the file runs again and fails (critical), and
judged every statement in it as new.
"""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review
from bot.review import review
from tests.conftest import review_sql

RULE = "applied-migration-edited"
NAMES = [("twofactor_incomplete", "login_time"), ("ciphers", "reprompt_at")]


def _edits(result: Review) -> list[tuple[str, str]]:
    return [(f.severity, f.message) for f in result.active if f.rule == RULE]


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_postgresql_version_no_database_could_run_is_fixed_for_every_database(
    table: str, column: str
) -> None:
    path = f"migrations/postgresql/2021-10-24-164321_add_{table}/up.sql"
    broken = f"CREATE TABLE {table} (\n  user_uuid CHAR(36) NOT NULL,\n  {column} DATETIME NOT NULL\n);\n"
    fixed = broken.replace("DATETIME", "TIMESTAMP")
    [(severity, message)] = _edits(review_sql(fixed, path=path, previous=broken, dialect="postgres"))
    assert (
        severity == "info" and 'type "datetime" does not exist' in message and "no database ran it" in message
    )
    # a version PostgreSQL takes was run: its edit reaches new installs only
    was = broken.replace("DATETIME", "TIMESTAMP(0)")
    [(severity, message)] = _edits(review_sql(fixed, path=path, previous=was, dialect="postgres"))
    assert severity != "info" and "no database ran it" not in message


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_a_mysql_version_refused_at_its_first_statement_is_fixed_for_every_database(
    table: str, column: str, dialect: str
) -> None:
    path = f"migrations/mysql/2023-10-21-221242_add_{column}/up.sql"
    broken = f'ALTER TABLE {table}\nADD COLUMN "{column}" TEXT;\n'
    fixed = f"ALTER TABLE {table}\nADD COLUMN `{column}` TEXT;\n"
    [(severity, message)] = _edits(review_sql(fixed, path=path, previous=broken, dialect=dialect))
    assert severity == "info" and "before anything else it does" in message
    # refused after a statement that ran (MySQL commits each schema change): databases kept the first one
    ran = f"ALTER TABLE {table} ADD COLUMN seen_at TEXT;\n" + broken
    [(severity, message)] = _edits(
        review_sql(
            f"ALTER TABLE {table} ADD COLUMN seen_at TEXT;\n" + fixed,
            path=path,
            previous=ran,
            dialect=dialect,
        )
    )
    assert "no database ran it" not in message


def _renamed(old: str, new: str, text: str, base: dict[str, str]) -> Review:
    files = (ChangedFile(new, "renamed", text, text, previous_path=old),)
    return review(
        ChangeSet(
            base="base",
            head="head",
            files=files,
            head_tree=MemoryTree({**base, new: text}),
            base_tree=MemoryTree({**base, old: text}),
        ),
        dialect="postgres",
    )


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_an_unknown_runners_file_renamed_under_its_version_is_questioned_not_blocked(
    table: str, column: str
) -> None:
    folder = "internal/storage/migrations"
    base = {
        f"{folder}/V0001.Initial.postgres.up.sql": f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} text);\n"
    }
    text = f"CREATE UNIQUE INDEX {table}_{column}_key ON {table} ({column});\n"
    result = _renamed(
        f"{folder}/V0004.OpenIDConenct.postgres.up.sql",
        f"{folder}/V0004.OpenIDConnect.postgres.up.sql",
        text,
        base,
    )
    [(severity, message)] = _edits(result)
    assert severity == "warning" and "keeps its version (`V0004`)" in message
    assert not [f for f in result.active if f.severity == "critical"]
    # another version: a new migration to any runner, which fails where the old one ran
    result = _renamed(
        f"{folder}/V0004.OpenIDConenct.postgres.up.sql",
        f"{folder}/V0005.OpenIDConnect.postgres.up.sql",
        text,
        base,
    )
    [(severity, message)] = _edits(result)
    assert severity == "critical" and "already exists" in message
