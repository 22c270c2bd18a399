"""Diesel projects that support several databases keep one migrations folder per database
(`migrations/mysql/<version>_<name>/up.sql`, `migrations/postgresql/…`, `migrations/sqlite/…`), each migration
with its `down.sql` beside its `up.sql`. The `down.sql` is the way back, never a forward migration of its own."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review
from bot.review import review

# (database folder, dialect it names, table, column, migration folder)
CASES = [
    ("mysql", "mysql", "sso_auth", "binding_hash", "2026-04-25-120000_sso_auth_binding"),
    ("postgresql", "postgres", "sso_auth", "binding_hash", "2026-04-25-120000_sso_auth_binding"),
    ("postgres", "postgres", "blogs", "theme", "2021-02-03-101010_add_theme"),
    ("sqlite", "sqlite", "blogs", "theme", "2021-02-03-101010_add_theme"),
]


def _review(folder: str, table: str, name: str, up: str, down: str) -> Review:
    created = f"migrations/{folder}/2020-01-01-000000_create_{table}/up.sql"
    base = {
        created: f"CREATE TABLE {table} (id integer PRIMARY KEY, note text);\n",
        created.replace("up.sql", "down.sql"): f"DROP TABLE {table};\n",
    }
    head = {
        f"migrations/{folder}/{name}/up.sql": up,
        f"migrations/{folder}/{name}/down.sql": down,
    }
    return review(
        ChangeSet(
            base="b",
            head="h",
            files=tuple(ChangedFile(p, "added", None, t) for p, t in head.items()),
            head_tree=MemoryTree({**base, **head}),
            base_tree=MemoryTree(base),
        )
    )


@pytest.mark.parametrize(("folder", "dialect", "table", "column", "name"), CASES)
def test_the_down_sql_of_a_database_folder_is_the_way_back(
    folder: str, dialect: str, table: str, column: str, name: str
) -> None:
    """An added nullable column and the `down.sql` that drops it: one reversible Diesel migration, approved."""
    result = _review(
        folder,
        table,
        name,
        f"ALTER TABLE {table} ADD COLUMN {column} text;\n",
        f"ALTER TABLE {table} DROP COLUMN {column};\n",
    )
    [migration] = result.migrations
    assert migration.framework == "diesel" and migration.path.endswith("/up.sql")
    assert migration.has_down and migration.reversible and migration.dialect == dialect
    assert not [
        f for f in result.active if f.path.endswith("/down.sql") and f.rule == "missing-down-migration"
    ]
    assert result.approval == "APPROVED", [f.rule for f in result.active if f.severity.value == "critical"]


@pytest.mark.parametrize(("folder", "dialect", "table", "column", "name"), CASES)
def test_a_dropped_column_of_a_database_folder_is_still_found(
    folder: str, dialect: str, table: str, column: str, name: str
) -> None:
    """The same layout, the other way round: the up.sql drops a column, and the finding is on the up.sql."""
    result = _review(
        folder,
        table,
        name,
        f"ALTER TABLE {table} DROP COLUMN note;\n",
        f"ALTER TABLE {table} ADD COLUMN note text;\n",
    )
    dropped = [f for f in result.active if f.rule == "column-dropped"]
    assert dropped and all(f.path.endswith("/up.sql") for f in dropped)
    assert [m.path for m in result.migrations] == [f"migrations/{folder}/{name}/up.sql"]
