"""A migration written once per database says in one file what it means in the others.

vaultwarden's `update_auth_request_table` makes two columns nullable: `ALTER COLUMN … DROP NOT NULL` in
`migrations/postgresql/`, `MODIFY enc_key TEXT` in `migrations/mysql/`, and a table rebuilt without the NOT NULLs
in `migrations/sqlite/` (SQLite cannot drop a NOT NULL otherwise). The review blocked the SQLite file for losing
the NOT NULLs and warned twice on the MySQL one. Each case has a twin where nothing says the loss is meant.
"""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review
from bot.review import review

NAMES = [
    ("auth_requests", "enc_key", "master_password_hash"),
    ("invitations", "accepted_by", "note"),
]


def _schema(table: str, first: str, second: str) -> str:
    return (
        f"CREATE TABLE {table} (uuid TEXT NOT NULL PRIMARY KEY, user_uuid TEXT NOT NULL, {first} TEXT NOT NULL, "
        f"{second} TEXT NOT NULL);\n"
    )


def _rebuild(table: str, first: str, second: str, kept: str = "") -> str:
    return (
        f"CREATE TABLE {table}_new (uuid TEXT NOT NULL PRIMARY KEY, user_uuid TEXT {kept}, {first} TEXT, "
        f"{second} TEXT);\n"
        f"INSERT INTO {table}_new SELECT * FROM {table};\nDROP TABLE {table};\n"
        f"ALTER TABLE {table}_new RENAME TO {table};\n"
    )


def _review(files: dict[str, str], base: dict[str, str]) -> Review:
    changed = tuple(ChangedFile(path, "added", None, text) for path, text in files.items())
    return review(
        ChangeSet(
            base="base",
            head="head",
            files=changed,
            head_tree=MemoryTree({**base, **files}),
            base_tree=MemoryTree(base),
        )
    )


def _base(table: str, first: str, second: str) -> dict[str, str]:
    return {
        f"migrations/{database}/2020-01-01-000000_init/up.sql": _schema(table, first, second)
        for database in ("sqlite", "postgresql", "mysql")
    }


def _findings(result: Review, rule: str, folder: str) -> list[str]:
    return [
        f.severity for f in result.active if f.rule == rule and f.path.startswith(f"migrations/{folder}/")
    ]


@pytest.mark.parametrize(("table", "first", "second"), NAMES)
def test_not_nulls_the_postgresql_twin_drops_by_name_are_meant(table: str, first: str, second: str) -> None:
    name = "2023-09-01-170620_update_table"
    files = {
        f"migrations/sqlite/{name}/up.sql": _rebuild(table, first, second, kept="NOT NULL"),
        f"migrations/postgresql/{name.replace('170620', '170700')}/up.sql": (
            f"ALTER TABLE {table} ALTER COLUMN {first} DROP NOT NULL;\n"
            f"ALTER TABLE {table} ALTER COLUMN {second} DROP NOT NULL;\n"
        ),
        f"migrations/mysql/{name}/up.sql": f"ALTER TABLE {table} MODIFY {first} TEXT;\nALTER TABLE {table} MODIFY {second} TEXT;\n",
    }
    result = _review(files, _base(table, first, second))
    assert _findings(result, "rebuild-drops-constraints", "sqlite") == []
    assert _findings(result, "modify-resets-column", "mysql") == []
    assert not [f for f in result.active if f.severity == "critical"]


@pytest.mark.parametrize(("table", "first", "second"), NAMES)
def test_without_a_twin_that_says_so_the_loss_is_reported(table: str, first: str, second: str) -> None:
    name = "2023-09-01-170620_update_table"
    # the PostgreSQL twin drops only the first NOT NULL: the second is lost in the other two files
    files = {
        f"migrations/sqlite/{name}/up.sql": _rebuild(table, first, second, kept="NOT NULL"),
        f"migrations/postgresql/{name}/up.sql": f"ALTER TABLE {table} ALTER COLUMN {first} DROP NOT NULL;\n",
        f"migrations/mysql/{name}/up.sql": f"ALTER TABLE {table} MODIFY {first} TEXT;\nALTER TABLE {table} MODIFY {second} TEXT;\n",
    }
    result = _review(files, _base(table, first, second))
    [sqlite] = [f for f in result.active if f.rule == "rebuild-drops-constraints"]
    assert f"makes `{second}` nullable" in sqlite.message and sqlite.severity == "warning"
    assert [f.line for f in result.active if f.rule == "modify-resets-column"] == [2]


@pytest.mark.parametrize(("table", "first", "second"), NAMES)
def test_a_rebuild_that_loses_more_than_not_nulls_still_blocks(table: str, first: str, second: str) -> None:
    name = "2023-09-01-170620_update_table"
    # `user_uuid` loses its NOT NULL and the table its primary key, which nothing says is meant
    rebuild = _rebuild(table, first, second).replace("uuid TEXT NOT NULL PRIMARY KEY", "uuid TEXT NOT NULL")
    files = {f"migrations/sqlite/{name}/up.sql": rebuild}
    result = _review(files, _base(table, first, second))
    [found] = [f for f in result.active if f.rule == "rebuild-drops-constraints"]
    assert found.severity == "critical" and "the primary key (uuid)" in found.message


@pytest.mark.parametrize(("table", "first", "second"), NAMES)
def test_twins_named_by_the_database_in_the_file_name(table: str, first: str, second: str) -> None:
    """ory kratos' `…_make_verification_token_address_nullable.sqlite3.up.sql` beside the `.up.sql` its
    PostgreSQL reads and the `.mysql.up.sql`: the SQLite rebuild renames the table aside and makes the column
    nullable, as the others say by name. Two migrations of one folder with the same name are no twins."""
    folder = "persistence/sql/migrations/sql"
    name = f"20260413000000000000_make_{table}_nullable"
    rebuild = (
        f"ALTER TABLE {table} RENAME TO _{table}_old;\n"
        f"CREATE TABLE {table} (uuid TEXT NOT NULL PRIMARY KEY, user_uuid TEXT NOT NULL, {first} TEXT, "
        f"{second} TEXT NOT NULL);\nINSERT INTO {table} SELECT * FROM _{table}_old;\nDROP TABLE _{table}_old;\n"
    )
    base = {f"{folder}/20200101000000000000_init.sqlite3.up.sql": _schema(table, first, second)}
    dropped = f"ALTER TABLE {table} ALTER COLUMN {first} DROP NOT NULL;\n"
    twin = _review({f"{folder}/{name}.sqlite3.up.sql": rebuild, f"{folder}/{name}.up.sql": dropped}, base)
    assert [f for f in twin.active if f.rule == "rebuild-drops-constraints"] == []
    # the same description under another version, in the same folder and for the same database, is no twin
    other = f"20260414000000000000_make_{table}_nullable"
    alone = _review(
        {f"{folder}/{name}.sqlite3.up.sql": rebuild, f"{folder}/{other}.sqlite3.up.sql": "SELECT 1;\n"}, base
    )
    [found] = [f for f in alone.active if f.rule == "rebuild-drops-constraints"]
    assert f"makes `{first}` nullable" in found.message
