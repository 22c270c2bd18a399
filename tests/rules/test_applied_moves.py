"""An applied migration moved to another folder: a finding only where the runner records the path."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import Review, review

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
