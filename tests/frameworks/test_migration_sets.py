"""A folder-based runner's folders of one database engine are databases of their own (atuin's client, AI and
server crates each migrate a SQLite file; Temporal's `temporal` and `visibility` schemas): one folder's tables
are not another's."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review
from tests.conftest import rule_ids

SETS = [
    ("crates/app-client/migrations", "crates/app-ai/migrations", "sessions", "head_id"),
    ("services/billing/db/migrations", "services/search/db/migrations", "jobs", "queue"),
]


def _added(base: dict[str, str], path: str, text: str) -> ChangeSet:
    return ChangeSet(
        base="b",
        head="h",
        files=(ChangedFile(path, "added", None, text),),
        head_tree=MemoryTree({**base, path: text}),
        base_tree=MemoryTree(base),
    )


def _review(base: dict[str, str], path: str, text: str, *, dialect: str = "sqlite") -> list[str]:
    return rule_ids(review(_added(base, path, text), dialect=dialect))


@pytest.mark.parametrize(("one", "other", "table", "column"), SETS)
@pytest.mark.parametrize("same_folder", [False, True])
def test_a_table_of_another_folders_history_is_not_this_ones(
    one: str, other: str, table: str, column: str, same_folder: bool
) -> None:
    base = {
        f"{one}/20240101000000_init.sql": f"CREATE TABLE {table} (id text PRIMARY KEY, created integer);\n"
    }
    folder = one if same_folder else other
    path = f"{folder}/20250101000000_{table}.sql"
    created = f"CREATE TABLE {table} (id text PRIMARY KEY, {column} text);\n"
    assert ("object-already-exists" in _review(base, path, created)) is same_folder
    guarded = f"CREATE TABLE IF NOT EXISTS {table} (id text PRIMARY KEY, {column} text);\n"
    assert ("guarded-create-skipped" in _review(base, path, guarded)) is same_folder


@pytest.mark.parametrize(
    ("kept", "other"),
    [
        ("schema/postgresql/v12/temporal", "schema/postgresql/v12/visibility"),
        ("db/main", "db/analytics"),
    ],
)
def test_a_schema_dump_beside_another_history_is_not_this_ones(kept: str, other: str) -> None:
    """Temporal keeps the whole schema of each database beside its `versioned/` folder."""
    base = {
        f"{kept}/schema.sql": "CREATE TABLE executions (id bigint PRIMARY KEY);\n",
        f"{kept}/versioned/v1.0/base.sql": "CREATE TABLE executions (id bigint PRIMARY KEY);\n",
        f"{other}/schema.sql": "CREATE TABLE executions_visibility (id bigint PRIMARY KEY);\n",
        f"{other}/versioned/v1.0/base.sql": "CREATE TABLE executions_visibility (id bigint PRIMARY KEY);\n",
    }
    path = f"{kept}/versioned/v1.1/visibility.sql"
    text = "CREATE TABLE executions_visibility (id bigint PRIMARY KEY);\n"
    assert "object-already-exists" not in _review(base, path, text, dialect="postgres")
    again = "CREATE TABLE executions (id bigint PRIMARY KEY);\n"
    assert "object-already-exists" in _review(base, path, again, dialect="postgres")


@pytest.mark.parametrize(
    ("folder", "dialect"),
    [("crates/app-server-sqlite/migrations", "SQLite"), ("services/store-mysql/migrations", "MySQL")],
)
def test_a_package_named_for_its_database_gives_its_migrations_that_database(
    folder: str, dialect: str
) -> None:
    """atuin's `crates/atuin-server-sqlite/` was read as PostgreSQL, the workspace's Cargo features naming only
    `postgres`: every SQLite statement of it was unreadable."""
    path = f"{folder}/20250101000000_init.sql"
    text = "CREATE TABLE store (id integer PRIMARY KEY AUTOINCREMENT, body text);\n"
    base = {"Cargo.toml": '[workspace.dependencies.sqlx]\nversion = "0.8"\nfeatures = ["postgres"]\n'}
    result = review(_added(base, path, text))
    assert [d.database.label for d in result.databases] == [dialect]
    assert "unparsed-statement" not in rule_ids(result)
