"""A Rails application with strong_migrations' `safe_by_default` gets its index, foreign key, check and NOT NULL
operations run in their safe form on PostgreSQL: the review reads what runs."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

SCHEMA = {
    "db/structure.sql": (
        "CREATE TABLE users (id bigint PRIMARY KEY, email varchar, account_id bigint, age integer);\n"
        "CREATE TABLE accounts (id bigint PRIMARY KEY);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total integer);\n"
    )
}
ON = {
    "config/initializers/strong_migrations.rb": "StrongMigrations.start_after = 20230101000000\nStrongMigrations.safe_by_default = true\n"
}
OFF = {"config/initializers/strong_migrations.rb": "StrongMigrations.start_after = 20230101000000\n"}

MIGRATION = "class Change{n} < ActiveRecord::Migration[7.1]\n  def change\n    {body}\n  end\nend\n"

CASES = [
    ("add_index :users, :email", {"non-concurrent-index"}),
    ("add_index :orders, :user_id, unique: true", {"non-concurrent-index"}),
    ("remove_index :users, :email", {"non-concurrent-index-drop"}),
    ("add_foreign_key :users, :accounts", {"constraint-not-valid"}),
    ("add_foreign_key :orders, :users", {"constraint-not-valid"}),
    ('add_check_constraint :users, "age >= 0", name: "age_check"', {"constraint-not-valid"}),
    ("change_column_null :users, :email, false", {"set-not-null"}),
    ("change_column_null :orders, :total, false, 0", {"set-not-null", "unbatched-data-change"}),
]


def _rules(body: str, extra: dict[str, str], dialect: str | None = None) -> set[str]:
    files = {**SCHEMA, **extra}
    text = MIGRATION.format(n=abs(hash(body)) % 1000, body=body)
    result = review_sql(text, path="db/migrate/20260101000000_change.rb", base=files, dialect=dialect)
    return {f.rule for f in result.active if f.severity.value != "info"}


@pytest.mark.parametrize(("body", "hazards"), CASES)
def test_without_the_option_the_hazard_is_reported(body: str, hazards: set[str]) -> None:
    assert hazards & _rules(body, OFF)


@pytest.mark.parametrize(("body", "hazards"), CASES)
def test_with_safe_by_default_the_safe_form_runs_and_nothing_is_reported(
    body: str, hazards: set[str]
) -> None:
    assert not hazards & _rules(body, ON)


def test_the_option_in_another_initializer_counts() -> None:
    elsewhere = {"config/initializers/migrations.rb": "StrongMigrations.safe_by_default = true\n"}
    assert "non-concurrent-index" not in _rules("add_index :users, :email", elsewhere)


def test_a_commented_out_option_does_not() -> None:
    commented = {"config/initializers/strong_migrations.rb": "# StrongMigrations.safe_by_default = true\n"}
    assert "non-concurrent-index" in _rules("add_index :users, :email", commented)


def test_rails_does_not_quote_a_uuid_generator_given_as_a_default() -> None:
    body = (
        'add_column :users, :token, :uuid\n    change_column_null :users, :token, false, "gen_random_uuid()"'
    )
    assert "value-does-not-fit" not in _rules(body, ON)
