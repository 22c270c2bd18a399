"""consent-assumed: a consent flag added to a table of existing rows with the default true records every existing
person as having agreed; the default false, a table the change creates, existing rows set back in the migration,
or a flag that is no consent (`is_marketing`, a post's `newsletter`) are quiet."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

RULE = "consent-assumed"
NAMES = [("users", "marketing_opt_in"), ("customers", "newsletter_subscribed")]
RAILS_SCHEMA = 'ActiveRecord::Schema[7.1].define(version: 1) do\n  create_table "{table}" do |t|\n    t.string "email"\n  end\nend\n'


def _found(sql: str, **kw: object) -> list[str]:
    return [f.message for f in review_sql(sql, **kw).active if f.rule == RULE]  # type: ignore[arg-type]


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_consent_flag_that_starts_true_for_existing_rows(table: str, column: str) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, email text NOT NULL);\n-- migration\n"
    (message,) = _found(schema + f"ALTER TABLE {table} ADD COLUMN {column} boolean NOT NULL DEFAULT true;")
    assert f"`{table}.{column}` is added with the default `TRUE`" in message
    mysql = schema.replace("text", "varchar(100)")
    assert _found(
        mysql + f"ALTER TABLE {table} ADD COLUMN {column} tinyint(1) NOT NULL DEFAULT 1;", dialect="mysql"
    )
    rails = (
        "class AddConsent < ActiveRecord::Migration[7.1]\n  def change\n"
        f"    add_column :{table}, :{column}, :boolean, default: true, null: false\n  end\nend\n"
    )
    assert _found(
        rails,
        path="db/migrate/20240101000000_add_consent.rb",
        base={"db/schema.rb": RAILS_SCHEMA.format(table=table)},
    )


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_off_by_default_new_tables_filled_rows_and_other_flags_are_quiet(table: str, column: str) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, email text NOT NULL);\n-- migration\n"
    for sql in (
        schema + f"ALTER TABLE {table} ADD COLUMN {column} boolean NOT NULL DEFAULT false;",
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} boolean NOT NULL DEFAULT true);",
        schema + f"ALTER TABLE {table} ADD COLUMN {column} boolean NOT NULL DEFAULT true;\n"
        f"UPDATE {table} SET {column} = false;",
        schema + f"ALTER TABLE {table} ADD COLUMN is_marketing boolean NOT NULL DEFAULT true;",
        schema + f"ALTER TABLE {table} ADD COLUMN newsletter boolean NOT NULL DEFAULT true;",
    ):
        assert not _found(sql), sql
