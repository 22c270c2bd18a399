"""An applied migration the change edits runs, on a new install, where the history puts it: the migrations
ordered after it have not run yet. basejump's edited `00000000000002_accounts.sql` re-creates a type that
`00000000000011_invitations.sql` uses later: "cannot drop type … because other objects depend on it" (critical)
was the schema of the whole history speaking, not the one the file runs on."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review
from tests.conftest import rule_ids

NAMES = [("member_role", "invitations", "accounts"), ("ticket_state", "tickets", "queues")]


@pytest.mark.parametrize(("kind", "user", "table"), NAMES)
@pytest.mark.parametrize("user_first", [False, True])
def test_an_edited_migration_is_checked_on_the_schema_before_it(
    kind: str, user: str, table: str, user_first: bool
) -> None:
    folder = "db/migrations"
    uses = f"CREATE TABLE {user} (id bigint PRIMARY KEY, role {kind});\n"
    base = {
        f"{folder}/001_types.sql": f"CREATE TYPE {kind} AS ENUM ('a', 'b');\n" + (uses if user_first else ""),
        f"{folder}/003_{user}.sql": "" if user_first else uses,
    }
    path = f"{folder}/002_{table}.sql"
    old = f"CREATE TABLE {table} (id bigint PRIMARY KEY);\n"
    new = f"DROP TYPE {kind};\nCREATE TYPE {kind} AS ENUM ('a', 'b', 'c');\n" + old
    changeset = ChangeSet(
        base="b",
        head="h",
        files=(ChangedFile(path, "modified", old, new),),
        head_tree=MemoryTree({**base, path: new}),
        base_tree=MemoryTree({**base, path: old}),
    )
    assert ("object-in-use-dropped" in rule_ids(review(changeset, dialect="postgres"))) is user_first
