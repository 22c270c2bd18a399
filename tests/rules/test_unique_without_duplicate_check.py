from typing import Any

import pytest

from bot.model.facts import EXACT, Count, Facts
from tests.conftest import review_sql

RULE = "unique-without-duplicate-check"
RAILS = "db/migrate/20240101000000_add_unique_email.rb"


def _messages(sql: str, **kw: Any) -> list[str]:
    return [f.message for f in review_sql(sql, **kw).active if f.rule == RULE]


def test_unique_index_constraint_and_mysql_forms_on_an_existing_table() -> None:
    [message] = _messages("CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);")
    assert "`users` (email)" in message
    assert _messages("ALTER TABLE `users` ADD UNIQUE KEY `users_email` (`email`);", dialect="mysql")
    assert _messages("CREATE UNIQUE INDEX users_email ON users (email);", dialect="sqlite")


def test_a_partial_index_is_checked_over_its_rows() -> None:
    finding = next(
        f
        for f in review_sql("CREATE UNIQUE INDEX u ON users (email) WHERE deleted_at IS NULL;").active
        if f.rule == RULE
    )
    assert "WHERE deleted_at IS NULL GROUP BY email" in finding.fix


def test_rails_add_index_unique() -> None:
    rails = (
        "class AddUniqueEmail < ActiveRecord::Migration[7.1]\n  def change\n"
        "    add_index :users, :email, unique: true\n  end\nend\n"
    )
    assert _messages(rails, path=RAILS)
    assert not _messages(rails.replace(", unique: true", ""), path=RAILS)


def test_keys_that_cannot_repeat_are_quiet() -> None:
    assert not _messages("CREATE UNIQUE INDEX u ON users (id, email);")  # contains the row key
    assert not _messages(
        "ALTER TABLE users ADD COLUMN external_id text;\nCREATE UNIQUE INDEX u ON users (external_id);"
    )  # every existing row is NULL there
    assert not _messages("CREATE TABLE t (id bigint, code text);\nCREATE UNIQUE INDEX u ON t (code);")


def test_a_column_added_with_a_default_is_not_taken_for_unique() -> None:
    # every existing row gets the same value: duplicates as soon as the table has two rows
    assert _messages(
        "ALTER TABLE users ADD COLUMN code text DEFAULT 'x';\nCREATE UNIQUE INDEX u ON users (code);"
    )


def test_a_clean_up_in_the_same_migration_is_the_check() -> None:
    sql = (
        "DELETE FROM users a USING users b WHERE a.email = b.email AND a.id > b.id;\n"
        "CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);"
    )
    assert not _messages(sql)


def test_the_probe_answer_replaces_the_question() -> None:
    facts = Facts(
        connection="replica",
        dialect="postgres",
        taken_at="2026-01-05T09:00:00Z",
        counts=(Count("duplicates", "users", ("email",), 0, EXACT, detail="0 values"),),
    )
    assert not _messages("CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);", facts=facts)


@pytest.mark.parametrize(
    ("table", "column", "existing"),
    [
        ("users", "email", "CREATE UNIQUE INDEX users_email ON users (email);"),
        ("accounts", "login", "ALTER TABLE accounts ADD CONSTRAINT accounts_login_key UNIQUE (login);"),
        ("devices", "serial", "CREATE UNIQUE INDEX devices_serial ON devices (serial);"),
    ],
)
def test_a_key_already_unique_needs_no_duplicate_check(table: str, column: str, existing: str) -> None:
    """A partial unique index on `email`, or a wider key with `email`, while `email` is already unique:
    the rows it covers are a subset of rows with distinct values."""
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text, kind text);\n{existing}\n-- migration\n"
    )
    partial = (
        f"CREATE UNIQUE INDEX CONCURRENTLY {table}_{column}_live ON {table} ({column}) WHERE kind = 'a';"
    )
    wider = f"CREATE UNIQUE INDEX CONCURRENTLY {table}_{column}_kind ON {table} (kind, {column});"
    assert not _messages(schema + partial) and not _messages(schema + wider)


@pytest.mark.parametrize(
    ("table", "column", "existing"),
    [
        ("users", "email", "CREATE INDEX users_email ON users (email);"),
        ("accounts", "login", "CREATE UNIQUE INDEX accounts_login ON accounts (login) WHERE kind = 'b';"),
        ("devices", "serial", "CREATE UNIQUE INDEX devices_serial_kind ON devices (serial, kind);"),
    ],
)
def test_a_key_not_yet_unique_is_still_checked(table: str, column: str, existing: str) -> None:
    """A plain index, a partial unique index over other rows, or a wider unique key keeps no rows apart."""
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text, kind text);\n{existing}\n-- migration\n"
    )
    partial = (
        f"CREATE UNIQUE INDEX CONCURRENTLY {table}_{column}_live ON {table} ({column}) WHERE kind = 'a';"
    )
    assert _messages(schema + partial)


@pytest.mark.parametrize(
    ("table", "key"), [("vulnerability_ids", ("finding_id", "code")), ("memberships", ("team_id", "user_id"))]
)
def test_a_dedupe_in_an_earlier_migration_of_the_change_clears_the_unique_key(
    table: str, key: tuple[str, str]
) -> None:
    """Migration 2 deletes the duplicates, migration 3 adds the unique index: the change shows the rows have no
    duplicates. Without migration 2 the index is the assumption the rule reports."""
    from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
    from bot.review import review

    a, b = key
    base = {
        "db/migrations/0001_init.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {a} bigint, {b} text);\n"
    }
    dedupe = f"DELETE FROM {table} x USING {table} y WHERE x.{a} = y.{a} AND x.{b} = y.{b} AND x.id > y.id;\n"
    unique = f"CREATE UNIQUE INDEX CONCURRENTLY {table}_key ON {table} ({a}, {b});\n"

    def found(files: dict[str, str]) -> list[str]:
        changeset = ChangeSet(
            base="base",
            head="head",
            files=tuple(ChangedFile(path, "added", None, text) for path, text in files.items()),
            head_tree=MemoryTree({**base, **files}),
            base_tree=MemoryTree(base),
        )
        return [f.rule for f in review(changeset).active if f.rule == "unique-without-duplicate-check"]

    assert not found({"db/migrations/0002_dedupe.sql": dedupe, "db/migrations/0003_unique.sql": unique})
    assert found({"db/migrations/0003_unique.sql": unique})


@pytest.mark.parametrize(
    ("table", "key", "extra"),
    [("document_insights", '"documentId", date', "period"), ("seats", "event_id, row_label", "section")],
)
def test_a_unique_key_replaced_by_a_wider_one_needs_no_duplicate_check(
    table: str, key: str, extra: str
) -> None:
    """Dropping `(a, b)` and adding `(a, b, c)`: the rows the old key kept apart are still apart."""
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {key.replace(', ', ' bigint, ')} date);\n"
        f"CREATE UNIQUE INDEX {table}_old ON {table} ({key});\n-- migration\n"
    )
    widened = (
        f"BEGIN;\nALTER TABLE {table} ADD COLUMN {extra} text NOT NULL DEFAULT 'day';\n"
        f"DROP INDEX {table}_old;\nCREATE UNIQUE INDEX {table}_new ON {table} ({key}, {extra});\nCOMMIT;\n"
    )
    assert not _messages(schema + widened)
    # a step in between that writes the key's rows can make duplicates: checked again
    rewritten = widened.replace(
        "CREATE UNIQUE", f"UPDATE {table} SET {extra} = 'week' WHERE id > 10;\nCREATE UNIQUE"
    )
    assert _messages(schema + rewritten)
    # a narrower key than the one dropped is no such case
    narrowed = widened.replace(f"({key}, {extra})", f"({key.split(', ')[0]})")
    assert _messages(schema + narrowed)


@pytest.mark.parametrize(("table", "column"), [("document_insights", "documentId"), ("Seats", "rowLabel")])
def test_a_camel_case_key_keeps_its_case_and_the_check_runs(pg, table: str, column: str) -> None:  # type: ignore[no-untyped-def]
    """A quoted camelCase column is named as the database keeps it, in the message and in the query the fix
    gives (folded to `documentid`, PostgreSQL would answer: column does not exist)."""
    schema = f'CREATE TABLE "{table}" (id bigint PRIMARY KEY, "{column}" bigint, day date);'
    [finding] = [
        f
        for f in review_sql(
            f'{schema}\n-- migration\nCREATE UNIQUE INDEX CONCURRENTLY k ON "{table}" ("{column}", day);\n'
        ).active
        if f.rule == RULE
    ]
    assert f"({column}, day)" in finding.message
    query = finding.fix.split("`")[1]
    assert f'"{column}"' in query
    pg.execute(schema)
    pg.execute(query)
