"""Plain SQL files in a migrations folder: which of them are migrations."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review
from tests.conftest import rule_ids


@pytest.mark.parametrize(
    ("folder", "snapshot", "new", "table"),
    [
        ("store/migration/postgres", "LATEST.sql", "0.31/02__reaction_memo.sql", "reaction"),
        ("db/migrations", "schema.sql", "0002_add_note.sql", "orders"),
    ],
)
@pytest.mark.parametrize("versioned", [False, True])
def test_the_schema_a_runner_loads_into_new_databases_is_no_migration(
    folder: str, snapshot: str, new: str, table: str, versioned: bool
) -> None:
    """memos keeps `LATEST.sql` (the whole schema, for new installs) beside its versioned migrations and edits
    it with each of them: it was reviewed as an applied migration edited, critical."""
    edited = f"{folder}/{'0001_init.sql' if versioned else snapshot}"
    before = f"CREATE TABLE {table} (id bigint PRIMARY KEY);\n"
    after = f"CREATE TABLE {table} (id bigint PRIMARY KEY, note text);\n"
    added = f"ALTER TABLE {table} ADD COLUMN note text;\n"
    base = {edited: before}
    head = {edited: after, f"{folder}/{new}": added}
    result = review(
        ChangeSet(
            base="b",
            head="h",
            files=(
                ChangedFile(edited, "modified", before, after),
                ChangedFile(f"{folder}/{new}", "added", None, added),
            ),
            head_tree=MemoryTree(head),
            base_tree=MemoryTree(base),
        )
    )
    assert [m.path for m in result.migrations][-1] == f"{folder}/{new}"
    assert ("applied-migration-edited" in rule_ids(result)) is versioned
    assert (edited in {m.path for m in result.migrations}) is versioned


def _review(base: dict[str, str], added: dict[str, str]) -> list[str]:
    changeset = ChangeSet(
        base="b",
        head="h",
        files=tuple(ChangedFile(path, "added", None, text) for path, text in added.items()),
        head_tree=MemoryTree({**base, **added}),
        base_tree=MemoryTree(base),
    )
    return [m.path for m in review(changeset).migrations]


@pytest.mark.parametrize(
    ("root", "older", "newer"),
    [
        ("schema/postgresql/v12/temporal/versioned", "v1.2/blob_size.sql", "v1.19/drop_state.sql"),
        ("schema/mysql/v8/cadence/versioned", "v0.9/add_tasks.sql", "v0.23/drop_state.sql"),
        ("data/sql/updates/db_world", "2024_01_02_00.sql", "2024_03_01_00.sql"),
        ("db/patches", "003_add_tasks.sql", "017_drop_state.sql"),
    ],
)
def test_sql_changes_in_versioned_folders_of_other_names_are_migrations(
    root: str, older: str, newer: str
) -> None:
    """Temporal's and Cadence's SQL tool runs `versioned/v1.19/<name>.sql` in version order; game servers keep
    `sql/updates/`, others `patches/`: a pull request adding one was "no migration changed", APPROVED."""
    base = {f"{root}/{older}": "CREATE TABLE tasks (id bigint PRIMARY KEY, state text);\n"}
    added = {f"{root}/{newer}": "ALTER TABLE tasks DROP COLUMN state;\n"}
    assert _review(base, added) == [f"{root}/{newer}"]
    changeset = ChangeSet(
        base="b",
        head="h",
        files=(ChangedFile(f"{root}/{newer}", "added", None, added[f"{root}/{newer}"]),),
        head_tree=MemoryTree({**base, **added}),
        base_tree=MemoryTree(base),
    )
    assert "column-dropped" in rule_ids(review(changeset))


@pytest.mark.parametrize(
    "path",
    [
        "schema/postgresql/v12/temporal/schema.sql",  # the whole schema for new installs, beside `versioned/`
        "schema/postgresql/v12/temporal/versioned/README.sql",  # nothing orders it
        "docs/updates/example_query.sql",
    ],
)
def test_unversioned_sql_beside_them_is_no_migration(path: str) -> None:
    assert _review({}, {path: "ALTER TABLE tasks DROP COLUMN state;\n"}) == []


def test_release_folders_run_in_version_order_not_name_order() -> None:
    """`v1.2/` runs before `v1.19/` (by name it would come after): the later one sees the table the earlier
    created."""
    root = "schema/postgresql/v12/temporal/versioned"
    base = {
        f"{root}/v1.2/create_queues.sql": "CREATE TABLE queues (id bigint PRIMARY KEY, owner text);\n",
        f"{root}/v1.19/queue_owner.sql": "ALTER TABLE queues DROP COLUMN owner;\n",
    }
    added = {f"{root}/v1.20/owner_back.sql": "ALTER TABLE queues ADD COLUMN owner text;\n"}
    changeset = ChangeSet(
        base="b",
        head="h",
        files=(
            ChangedFile(f"{root}/v1.20/owner_back.sql", "added", None, added[f"{root}/v1.20/owner_back.sql"]),
        ),
        head_tree=MemoryTree({**base, **added}),
        base_tree=MemoryTree(base),
    )
    assert "object-already-exists" not in rule_ids(review(changeset))
