"""What a type change does to the values: an enum recreated without a value still stored, and a foreign-key
column narrower than the key it references."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql
from tests.rules.test_data_expressions import FRAMEWORKS


def _rules(result, rule: str) -> list[Finding]:  # type: ignore[no-untyped-def]
    return [f for f in result.active if f.rule == rule]


ENUM = "CREATE TYPE {kind} AS ENUM ('open', '{gone}', 'closed');\nCREATE TABLE {table} (id bigint PRIMARY KEY, {column} {kind});\n"
ENUM_NAMES = [
    {"kind": "ticket_state", "gone": "archived", "table": "tickets", "column": "state"},
    {"kind": "payment_status", "gone": "pending", "table": "payments", "column": "status"},
]
RENAME_FIRST = (
    "ALTER TYPE {kind} RENAME TO {kind}_old; CREATE TYPE {kind} AS ENUM ('open', 'closed');"
    " ALTER TABLE {table} ALTER COLUMN {column} TYPE {kind} USING {column}::text::{kind}; DROP TYPE {kind}_old;"
)
NEW_FIRST = (
    "CREATE TYPE {kind}_new AS ENUM ('open', 'closed');"
    " ALTER TABLE {table} ALTER COLUMN {column} TYPE {kind}_new USING {column}::text::{kind}_new;"
    " DROP TYPE {kind}; ALTER TYPE {kind}_new RENAME TO {kind};"
)


def _enum_review(names: dict[str, str], sql: str, framework, head: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    path, text = framework(sql.format(**names))
    return review_sql(text, path=path, base={"db/structure.sql": ENUM.format(**names)}, head=head)


@pytest.mark.parametrize("names", ENUM_NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("recreation", [RENAME_FIRST, NEW_FIRST], ids=["rename-first", "new-first"])
def test_enum_recreated_without_a_stored_value(names: dict[str, str], framework, recreation: str) -> None:  # type: ignore[no-untyped-def]
    found = _rules(_enum_review(names, recreation, framework), "enum-value-dropped")
    assert len(found) == 1 and found[0].severity is Severity.CRITICAL
    assert f"'{names['gone']}'" in found[0].message
    moved = "UPDATE {table} SET {column} = 'closed' WHERE {column} = '{gone}'; " + recreation
    assert not _rules(_enum_review(names, moved, framework), "enum-value-dropped")


def test_enum_value_mapped_in_using_or_kept_is_quiet_and_code_still_writing_it_is_named() -> None:
    names = ENUM_NAMES[0]
    mapped = NEW_FIRST.replace(
        "USING {column}::text::{kind}_new",
        "USING (CASE {column}::text WHEN '{gone}' THEN 'closed' ELSE {column}::text END)::{kind}_new",
    )
    assert not _rules(_enum_review(names, mapped, FRAMEWORKS[0]), "enum-value-dropped")
    kept = RENAME_FIRST.replace("('open', 'closed')", "('open', 'closed', '{gone}', 'new')")
    assert not _rules(_enum_review(names, kept, FRAMEWORKS[0]), "enum-value-dropped")
    model = {
        "app/models/ticket.rb": 'class Ticket < ApplicationRecord\n  enum state: { open: "open", archived: "archived", closed: "closed" }\nend\n'
    }
    found = _rules(_enum_review(names, RENAME_FIRST, FRAMEWORKS[0], head=model), "enum-value-dropped")
    assert found and any(r.path == "app/models/ticket.rb" for r in found[0].references)


KEYS = [("users", "orders", "user_id"), ("accounts", "invoices", "billing_account_id")]


@pytest.mark.parametrize(("parent", "child", "column"), KEYS)
def test_foreign_key_column_narrower_than_its_key(parent: str, child: str, column: str) -> None:
    base = {"db/structure.sql": f"CREATE TABLE {parent} (id bigint PRIMARY KEY);"}
    for sql in (
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {column} integer REFERENCES {parent} (id));",
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {column} integer);\n"
        f"ALTER TABLE {child} ADD CONSTRAINT {child}_fk FOREIGN KEY ({column}) REFERENCES {parent} (id);",
    ):
        found = _rules(review_sql(sql, base=base), "foreign-key-narrower")
        assert (
            len(found) == 1
            and f"`{child}.{column}` is `int" in found[0].message
            and "2,147,483,647" in found[0].message
        )
    same = f"CREATE TABLE {child} (id bigint PRIMARY KEY, {column} bigint REFERENCES {parent} (id));"
    assert not _rules(review_sql(same, base=base), "foreign-key-narrower")


def test_key_widened_without_the_columns_that_reference_it() -> None:
    schema = (
        "CREATE TABLE users (id integer PRIMARY KEY);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, user_id integer REFERENCES users (id));\n-- migration\n"
    )
    found = _rules(
        review_sql(schema + "ALTER TABLE users ALTER COLUMN id TYPE bigint;"), "foreign-key-narrower"
    )
    assert found and "`orders.user_id`" in found[0].message
    both = (
        schema
        + "ALTER TABLE users ALTER COLUMN id TYPE bigint;\nALTER TABLE orders ALTER COLUMN user_id TYPE bigint;"
    )
    assert not _rules(review_sql(both), "foreign-key-narrower")


@pytest.mark.parametrize("kind", ["integer", "bigint"])
def test_rails_references_with_a_narrower_type(kind: str) -> None:
    base = {
        "db/migrate/20250101000000_create_users.rb": "class CreateUsers < ActiveRecord::Migration[7.1]\n  def change\n"
        "    create_table :users do |t|\n      t.string :name\n    end\n  end\nend\n"
    }
    migration = (
        "class CreateOrders < ActiveRecord::Migration[7.1]\n  def change\n    create_table :orders do |t|\n"
        f"      t.references :user, type: :{kind}, foreign_key: true\n    end\n  end\nend\n"
    )
    found = _rules(
        review_sql(migration, path="db/migrate/20260101000000_create_orders.rb", base=base),
        "foreign-key-narrower",
    )
    assert len(found) == (1 if kind == "integer" else 0)


@pytest.mark.parametrize(("table", "column"), [("users", "nickname"), ("products", "sku")])
def test_conversions_say_what_happens_to_a_value(table: str, column: str) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(100), score double precision, seen timestamp);\n-- migration\n"
    cast = f"ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar(20) USING {column}::varchar(20);"
    found = _rules(review_sql(schema + cast), "lossy-type-change")
    assert found and found[0].severity is Severity.CRITICAL
    assert "cut silently by the explicit cast" in found[0].message and "21 characters" in found[0].message
    plain = _rules(
        review_sql(schema + f"ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar(20);"),
        "lossy-type-change",
    )
    assert plain and "fail the change" in plain[0].message
    rounded = _rules(
        review_sql(schema + f"ALTER TABLE {table} ALTER COLUMN score TYPE numeric(10, 2);"),
        "lossy-type-change",
    )
    assert (
        rounded
        and "1.23456 becomes 1.23" in rounded[0].message
        and "more than 8 integer digits" in rounded[0].message
    )
    zoned = _rules(
        review_sql(schema + f"ALTER TABLE {table} ALTER COLUMN seen TYPE timestamptz;"), "lossy-type-change"
    )
    assert zoned and "AT TIME ZONE 'UTC'" in zoned[0].message
    utc = f"ALTER TABLE {table} ALTER COLUMN seen TYPE timestamptz USING seen AT TIME ZONE 'UTC';"
    assert not _rules(review_sql(schema + utc), "lossy-type-change")


@pytest.mark.parametrize(
    ("kind", "table", "gone"), [("Type", "Order", "ITEM"), ("AssetClass", "SymbolProfile", "CASH")]
)
def test_enum_recreated_as_prisma_writes_it_with_quoted_mixed_case_names(
    kind: str, table: str, gone: str
) -> None:
    schema = (
        f"CREATE TYPE \"{kind}\" AS ENUM ('BUY', '{gone}', 'SELL');\n"
        f'CREATE TABLE "{table}" ("id" TEXT PRIMARY KEY, "kind" "{kind}" NOT NULL);\n'
    )
    recreate = (
        f"CREATE TYPE \"public\".\"{kind}_new\" AS ENUM ('BUY', 'SELL');\n"
        f'ALTER TABLE "public"."{table}" ALTER COLUMN "kind" TYPE "public"."{kind}_new" '
        f'USING ("kind"::text::"public"."{kind}_new");\n'
        f'ALTER TYPE "public"."{kind}" RENAME TO "{kind}_old";\n'
        f'ALTER TYPE "public"."{kind}_new" RENAME TO "{kind}";\n'
        f'DROP TYPE "public"."{kind}_old";\n'
    )
    result = review_sql(f"{schema}-- migration\n{recreate}")
    found = _rules(result, "enum-value-dropped")
    assert len(found) == 1 and f"'{gone}'" in found[0].message
    rewrite = _rules(result, "type-change-rewrite")
    assert (
        rewrite and '"' not in rewrite[0].message.split(", which")[0] and "public." not in rewrite[0].message
    )
    moved = f'UPDATE "{table}" SET "kind" = \'BUY\' WHERE "kind" = \'{gone}\';\n'
    assert not _rules(review_sql(f"{schema}-- migration\n{moved}{recreate}"), "enum-value-dropped")
