"""An applied migration moved to another folder: a finding only where the runner records the path."""

from __future__ import annotations

from typing import Any

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Finding
from bot.review import Review, review
from tests.conftest import refusal

PRISMA_SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'


def _moved(old: str, new: str, text: str, extra: dict[str, str]) -> Review:
    base = {**extra, old: text}
    head = {**extra, new: text}
    changeset = ChangeSet(
        base="base",
        head="head",
        files=(ChangedFile(new, "renamed", text, text, previous_path=old),),
        head_tree=MemoryTree(head),
        base_tree=MemoryTree(base),
    )
    return review(changeset)


def _edits(result: Review) -> list[str]:
    return [f.message for f in result.active if f.rule == "applied-migration-edited"]


@pytest.mark.parametrize(
    ("old", "new", "table"),
    [
        (
            "db/postgresql/migrations/01_init/migration.sql",
            "prisma/migrations/01_init/migration.sql",
            "website",
        ),
        (
            "packages/db/migrations/20240105_orders/migration.sql",
            "packages/database/prisma/migrations/20240105_orders/migration.sql",
            "orders",
        ),
    ],
)
def test_a_prisma_migration_folder_moved_under_its_name_is_still_applied(
    old: str, new: str, table: str
) -> None:
    """Prisma records the migration folder's name (and the file's checksum), not where the folder is: moving
    the history to another place keeps every migration applied."""
    text = f"CREATE TABLE {table} (id integer PRIMARY KEY, name text);\n"
    schema = {"prisma/schema.prisma": PRISMA_SCHEMA}
    assert _edits(_moved(old, new, text, schema)) == []
    # the folder renamed: another migration to Prisma, which runs it again on databases that ran the old one
    renamed = new.replace("/migration.sql", "_v2/migration.sql")
    [message] = _edits(_moved(old, renamed, text, schema))
    assert "is renamed to" in message


@pytest.mark.parametrize(
    ("old", "new", "table"),
    [
        ("migrations/20240101120000_add_notes.js", "db/migrations/20240101120000_add_notes.js", "notes"),
        ("src/db/migrations/20230305_create_pets.js", "migrations/20230305_create_pets.js", "pets"),
    ],
)
def test_a_knex_migration_moved_under_its_file_name_is_still_applied(old: str, new: str, table: str) -> None:
    """Knex records the file's name: a migration moved to another folder under the same name is applied."""
    text = (
        "exports.up = function (knex) {\n"
        f"  return knex.schema.createTable('{table}', (t) => {{ t.increments('id'); t.string('name'); }});\n"
        "};\n"
        f"exports.down = function (knex) {{\n  return knex.schema.dropTable('{table}');\n}};\n"
    )
    assert _edits(_moved(old, new, text, {"knexfile.js": "module.exports = { client: 'pg' };\n"})) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("db/changelog/changes/001-accounts.sql", "src/main/resources/db/changelog/001-accounts.sql"),
        ("changelog/002-invoices.sql", "db/changelog/002-invoices.sql"),
    ],
)
def test_a_liquibase_changelog_moved_is_still_a_warning(old: str, new: str) -> None:
    """Liquibase keys each changeSet on its changelog's path as well: moved, it is a new changeSet to it."""
    text = "--liquibase formatted sql\n--changeset dev:1\nCREATE TABLE accounts (id integer PRIMARY KEY);\n"
    [message] = _edits(_moved(old, new, text, {}))
    assert "is moved to" in message


@pytest.mark.parametrize(
    ("old", "new", "table", "column"),
    [
        (
            "server/migrations/20240911_change_quota.js",
            "server/migrations/20250106_remove_quota.js",
            "users",
            "quota",
        ),
        ("db/migrations/20230101_add_flag.js", "db/migrations/20230601_drop_flag.js", "projects", "flag"),
    ],
)
def test_a_migration_renamed_to_another_name_is_judged_as_the_new_migration_it_is(
    old: str, new: str, table: str, column: str
) -> None:
    """Renamed to another name, the file is a new migration to Knex, which every database runs: what it does is
    judged as such, not as an edit that reaches new installs only."""
    before = (
        f"exports.up = (knex) => knex.schema.alterTable('{table}', (t) => {{ t.integer('{column}'); }});\n"
        f"exports.down = (knex) => knex.schema.alterTable('{table}', (t) => {{ t.dropColumn('{column}'); }});\n"
    )
    after = (
        f"exports.up = (knex) => knex.schema.alterTable('{table}', (t) => {{ t.dropColumn('{column}'); }});\n"
        f"exports.down = (knex) => knex.schema.alterTable('{table}', (t) => {{ t.integer('{column}'); }});\n"
    )
    schema = f"CREATE TABLE {table} (id integer PRIMARY KEY, {column} integer);\n"
    extra = {"knexfile.js": "module.exports = { client: 'pg' };\n", "db/schema.sql": schema}
    base = {**extra, old: before}
    head = {**extra, new: after}
    changeset = ChangeSet(
        base="base",
        head="head",
        files=(ChangedFile(new, "renamed", before, after, previous_path=old),),
        head_tree=MemoryTree(head),
        base_tree=MemoryTree(base),
    )
    result = review(changeset)
    [edit] = _edits(result)
    assert "is renamed to" in edit
    [dropped] = [f for f in result.active if f.rule == "column-dropped"]
    assert "new installs" not in dropped.blast_radius
    assert dropped.severity.value != "info"


RERUN = [
    ("prisma/migrations/18_add_replay/migration.sql", "19_add_replay", "website", "replay_enabled"),
    ("db/migrations/20240301_orders/migration.sql", "20240302_orders", "orders", "archived_at"),
]


@pytest.mark.parametrize(("old", "folder", "table", "column"), RERUN)
def test_a_renamed_migration_that_cannot_run_twice_blocks(
    old: str, folder: str, table: str, column: str
) -> None:
    """Renamed, an applied migration runs again on every database that ran it: an unguarded ADD COLUMN, CREATE
    INDEX or CREATE TABLE of what it made fails there, and the deploy stops."""
    text = (
        f"CREATE TABLE {table}_notes (id integer PRIMARY KEY);\n"
        f"ALTER TABLE {table} ADD COLUMN {column} timestamp;\n"
        f"CREATE INDEX {table}_{column}_idx ON {table} ({column});\n"
    )
    found = _renamed_edits(old, folder, text, text)
    assert [f.severity for f in found] == ["critical"]
    assert f"`CREATE TABLE {table}_notes" in found[0].message and "already exists" in found[0].message
    assert found[0].line == 1 and "restore the file" in found[0].fix


@pytest.mark.parametrize(("old", "folder", "table", "column"), RERUN)
def test_a_renamed_migration_guarded_to_run_again_stays_a_warning(
    old: str, folder: str, table: str, column: str
) -> None:
    text = (
        f"CREATE TABLE IF NOT EXISTS {table}_notes (id integer PRIMARY KEY);\n"
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} timestamp;\n"
        f"CREATE INDEX IF NOT EXISTS {table}_{column}_idx ON {table} ({column});\n"
    )
    assert [f.severity for f in _renamed_edits(old, folder, text, text)] == ["warning"]
    # renamed with a statement added in front: the statement the old run made is the one named, at its line
    added = f"CREATE TABLE IF NOT EXISTS {table}_extra (id integer PRIMARY KEY);\n"
    applied = f"ALTER TABLE {table} ADD COLUMN {column} timestamp;\n"
    found = _renamed_edits(old, folder, applied, added + applied)
    assert [f.severity for f in found] == ["critical"] and found[0].line == 2


def _renamed_edits(old: str, folder: str, before: str, after: str) -> list[Finding]:
    new = old.rsplit("/", 2)[0] + f"/{folder}/migration.sql"
    schema = {"prisma/schema.prisma": PRISMA_SCHEMA}
    changeset = ChangeSet(
        base="base",
        head="head",
        files=(ChangedFile(new, "renamed", before, after, previous_path=old),),
        head_tree=MemoryTree({**schema, new: after}),
        base_tree=MemoryTree({**schema, old: before}),
    )
    return [f for f in review(changeset).active if f.rule == "applied-migration-edited"]


def test_postgresql_refuses_the_renamed_migrations_statements_a_second_time(pg: Any) -> None:
    run = pg.execute
    run("DROP TABLE IF EXISTS rerun_orders")
    run("CREATE TABLE rerun_orders (id integer PRIMARY KEY)")
    run("ALTER TABLE rerun_orders ADD COLUMN archived_at timestamp")
    assert "already exists" in refusal(run, "ALTER TABLE rerun_orders ADD COLUMN archived_at timestamp")
    run("ALTER TABLE rerun_orders ADD COLUMN IF NOT EXISTS archived_at timestamp")
    run("DROP TABLE rerun_orders")


def _replaced(old: str, new: str, old_text: str, new_text: str, extra: dict[str, str]) -> Review:
    """A migration removed and another added: git pairs them as no rename when their contents differ."""
    changeset = ChangeSet(
        base="base",
        head="head",
        files=(ChangedFile(old, "removed", old_text, None), ChangedFile(new, "added", None, new_text)),
        head_tree=MemoryTree({**extra, new: new_text}),
        base_tree=MemoryTree({**extra, old: old_text}),
    )
    return review(changeset)


@pytest.mark.parametrize(
    ("folder", "old", "new"),
    [
        (
            "repository/src/main/resources/db/migration/POSTGRESQL",
            "V1_20_4__target_and_attributes",
            "V1_20_4__key_value",
        ),
        ("src/main/resources/db/migration", "V7__orders_indexes", "V7__order_status_index"),
    ],
)
def test_flyway_migration_renamed_under_its_version_is_an_edit_flyway_refuses(
    folder: str, old: str, new: str
) -> None:
    # hawkbit f578f1596: V1_20_4 removed and added under another description, one statement fewer
    schema = {f"{folder}/V1__init.sql": "CREATE TABLE t (id bigint PRIMARY KEY, a int, b int);\n"}
    result = _replaced(
        f"{folder}/{old}.sql",
        f"{folder}/{new}.sql",
        "CREATE INDEX t_a ON t (a);\nCREATE INDEX t_b ON t (b);\n",
        "CREATE INDEX t_b ON t (b);\n",
        schema,
    )
    rules = {f.rule for f in result.active}
    # one migration rewritten, not a deleted one beside a new one of the same version
    assert rules == {"applied-migration-edited"}, rules
    (edit,) = _edits(result)
    assert f"another description (`{old.split('__', 1)[1]}` was recorded)" in edit


@pytest.mark.parametrize(
    ("folder", "old", "new"),
    [
        ("db/migrations", "000003_add_index.up.sql", "000003_add_status_index.up.sql"),
        ("migrations", "20240101000000_orders_idx.up.sql", "20240101000000_orders_status_idx.up.sql"),
    ],
)
def test_golang_migrate_migration_renamed_under_its_version_never_runs_again(
    folder: str, old: str, new: str
) -> None:
    schema = {
        f"{folder}/000001_init.up.sql": "CREATE TABLE t (id bigint PRIMARY KEY, a int, b int);\n",
        f"{folder}/000001_init.down.sql": "DROP TABLE t;\n",
    }
    result = _replaced(
        f"{folder}/{old}",
        f"{folder}/{new}",
        "CREATE INDEX t_a ON t (a);\n",
        "CREATE INDEX t_b ON t (b);\n",
        schema,
    )
    rules = {f.rule for f in result.active}
    assert "duplicate-migration-version" not in rules and "applied-migration-removed" not in rules
    (edit,) = _edits(result)
    assert "already exists in the base branch and is edited" in edit


def test_migration_replaced_under_another_version_is_no_rename() -> None:
    folder = "src/main/resources/db/migration"
    schema = {f"{folder}/V1__init.sql": "CREATE TABLE t (id bigint PRIMARY KEY, a int);\n"}
    result = _replaced(
        f"{folder}/V7__a.sql",
        f"{folder}/V8__b.sql",
        "CREATE INDEX t_a ON t (a);\n",
        "DROP INDEX t_a;\n",
        schema,
    )
    assert "applied-migration-removed" in {f.rule for f in result.active}
    assert _edits(result) == []
