"""uncommitted-transaction: drizzle-kit's SQLite table rebuild commits the migrator's transaction, turns foreign
keys off, rebuilds the table in a transaction of its own, turns them on, and opens a last transaction that the
migrator's own COMMIT closes (homarr 039d88141's `0025_add-group-home-board-settings.sql`): no transaction is
left open. A file whose runner wraps nothing, or that never closes the runner's transaction, leaves its last
BEGIN open."""

from __future__ import annotations

import json

import pytest

from tests.conftest import review_sql

RULE = "uncommitted-transaction"
NAMES = [("group", "home_board_id"), ("board", "icon_color")]


def _journal(*tags: str) -> str:
    entries = [
        {"idx": i, "version": "6", "when": 1700000000000 + i, "tag": tag, "breakpoints": True}
        for i, tag in enumerate(tags)
    ]
    return json.dumps({"version": "7", "dialect": "sqlite", "entries": entries})


def _rebuild(table: str, column: str, *, first_commit: bool = True) -> str:
    steps = [
        *(["COMMIT TRANSACTION;"] if first_commit else []),
        "PRAGMA foreign_keys = OFF;",
        "BEGIN TRANSACTION;",
        f"CREATE TABLE `__new_{table}` (`id` text PRIMARY KEY NOT NULL, `name` text NOT NULL, `{column}` text);",
        f'INSERT INTO `__new_{table}`("id", "name") SELECT "id", "name" FROM `{table}`;',
        f"DROP TABLE `{table}`;",
        f"ALTER TABLE `__new_{table}` RENAME TO `{table}`;",
        "COMMIT TRANSACTION;",
        "PRAGMA foreign_keys = ON;",
        "BEGIN TRANSACTION;",
    ]
    return "\n--> statement-breakpoint\n".join(steps) + "\n"


def _found(table: str, sql: str, path: str, base: dict[str, str]) -> list[str]:
    result = review_sql(sql, path=path, base=base, dialect="sqlite")
    return [f.message for f in result.active if f.rule == RULE]


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_last_transaction_handed_back_to_the_migrator_is_closed_by_it(table: str, column: str) -> None:
    folder = "packages/db/migrations/sqlite"
    base = {
        f"{folder}/meta/_journal.json": _journal("0000_init", "0001_rebuild"),
        f"{folder}/0000_init.sql": f"CREATE TABLE `{table}` (`id` text PRIMARY KEY NOT NULL, `name` text NOT NULL);\n",
    }
    path = f"{folder}/0001_rebuild.sql"
    assert not _found(table, _rebuild(table, column), path, base)
    # the runner's transaction is never closed by the file: its own BEGIN nests, and stays open
    assert _found(table, _rebuild(table, column, first_commit=False), path, base)


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_plain_sql_file_that_ends_with_a_begin_leaves_it_open(table: str, column: str) -> None:
    sql = _rebuild(table, column).replace("--> statement-breakpoint\n", "")
    schema = f"CREATE TABLE `{table}` (`id` text PRIMARY KEY NOT NULL, `name` text NOT NULL);\n-- migration\n"
    assert _found(table, schema + sql, "db/migrations/002_rebuild.sql", {})
