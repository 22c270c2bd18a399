"""`applied-migration-edited` by what the edit changes: only IF [NOT] EXISTS guards (info), only the rows a
migration seeds (warning: existing databases keep the old rows), and a schema change (critical)."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

PATH = "db/migrations/003_change.sql"
BASE = {
    "db/migrations/001_schema.sql": "CREATE TABLE settings (name text PRIMARY KEY, value text);\nCREATE TABLE users (id bigint PRIMARY KEY, login text);\n"
}
RAILS_BASE = {"Gemfile": "gem 'rails'\ngem 'pg'\n", **BASE}


def _edit(path: str, before: str, after: str, base: dict[str, str] = BASE) -> list[tuple[str, str]]:
    review = review_sql(after, path=path, base=base, previous=before)
    return [(f.severity.value, f.message) for f in review.active if f.rule == "applied-migration-edited"]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "CREATE INDEX users_login_idx ON users (login);",
            "CREATE INDEX IF NOT EXISTS users_login_idx ON users (login);",
        ),
        (
            "ALTER TABLE users ADD COLUMN nickname text;",
            "ALTER TABLE users ADD COLUMN IF NOT EXISTS nickname text;",
        ),
        ("DROP INDEX users_login_idx;", "DROP INDEX IF EXISTS users_login_idx;"),
    ],
)
def test_guards_added_to_an_applied_sql_migration_are_info(before: str, after: str) -> None:
    [(severity, message)] = _edit(PATH, before, after)
    assert severity == "info" and "IF NOT EXISTS" in message


@pytest.mark.parametrize(("table", "column"), [("users", "login"), ("settings", "value")])
def test_guards_added_to_an_applied_rails_migration_are_info(table: str, column: str) -> None:
    path = "db/migrate/20260101000000_add_index.rb"
    body = "class AddIndex < ActiveRecord::Migration[7.1]\n  def change\n    add_index :{t}, :{c}{extra}\n  end\nend\n"
    [(severity, _)] = _edit(
        path,
        body.format(t=table, c=column, extra=""),
        body.format(t=table, c=column, extra=", if_not_exists: true"),
        RAILS_BASE,
    )
    assert severity == "info"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "INSERT INTO settings (name, value) VALUES ('mail_from', 'admin@example.net');",
            "INSERT INTO settings (name, value) VALUES ('mail_from', 'admin@dummy.invalid');",
        ),
        (
            "INSERT INTO users (id, login) VALUES (1, 'admin');",
            "INSERT INTO users (id, login) VALUES (1, 'admin');\nINSERT INTO users (id, login) VALUES (2, 'anonymous');",
        ),
    ],
)
def test_seed_rows_edited_in_an_applied_migration_say_existing_databases_keep_the_old_rows(
    before: str, after: str
) -> None:
    """Code that expects the new rows breaks on existing databases: still a block, said precisely."""
    [(severity, message)] = _edit(PATH, before, after)
    assert severity == "critical" and "only new installs get the new ones" in message


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("ALTER TABLE users ADD COLUMN nickname text;", "ALTER TABLE users ADD COLUMN nickname varchar(40);"),
        (
            "INSERT INTO settings (name, value) VALUES ('a', 'b');",
            "INSERT INTO settings (name, value) VALUES ('a', 'b');\nALTER TABLE users ADD COLUMN nickname text;",
        ),
    ],
)
def test_a_schema_change_in_an_applied_migration_stays_critical(before: str, after: str) -> None:
    [(severity, _)] = _edit(PATH, before, after)
    assert severity == "critical"
