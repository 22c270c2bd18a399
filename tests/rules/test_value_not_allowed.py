"""Written values judged without a probe: against the CHECK constraints and enum types the earlier
migrations built, and against the choices and enums the application declares for the column."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql
from tests.rules.test_data_expressions import FRAMEWORKS

NAMES = [
    {"table": "orders", "column": "status", "good": "closed", "bad": "archived"},
    {"table": "invoices", "column": "payment_state", "good": "settled", "bad": "voided"},
]
CHECKED = (
    "CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text NOT NULL DEFAULT 'open'"
    " CHECK ({column} IN ('open', 'paid', '{good}')), note text);\n"
)
ENUM = (
    "CREATE TYPE {table}_state AS ENUM ('open', 'paid', '{good}');\n"
    "CREATE TABLE {table} (id bigint PRIMARY KEY, {column} {table}_state NOT NULL, note text);\n"
)


def _found(result) -> list[Finding]:  # type: ignore[no-untyped-def]
    return [f for f in result.active if f.rule == "value-not-allowed"]


def _review(schema: str, sql: str, framework, names: dict[str, str]):  # type: ignore[no-untyped-def]
    path, text = framework(sql.format(**names))
    return review_sql(text, path=path, base={"db/structure.sql": schema.format(**names)})


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("schema", [CHECKED, ENUM], ids=["check", "enum"])
def test_set_value_the_schema_refuses(schema: str, framework, names: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    bad = "UPDATE {table} SET {column} = '{bad}' WHERE note = 'x';"
    found = _found(_review(schema, bad, framework, names))
    assert len(found) == 1 and found[0].severity is Severity.CRITICAL
    assert (
        f"'{names['bad']}'" in found[0].message and f"{names['table']}.{names['column']}" in found[0].message
    )
    good = "UPDATE {table} SET {column} = '{good}' WHERE note = 'x';"
    assert not _found(_review(schema, good, framework, names))


@pytest.mark.parametrize("names", NAMES)
def test_case_results_and_values_rows_are_judged(names: dict[str, str]) -> None:
    case = (
        "UPDATE {table} SET {column} = CASE note WHEN 'a' THEN 'paid' WHEN 'b' THEN '{bad}' ELSE {column} END"
        " WHERE id >= 1 AND id < 1000;"
    )
    found = _found(_review(ENUM, case, FRAMEWORKS[0], names))
    assert (
        found
        and f"'{names['bad']}'" in found[0].message
        and "'paid'" not in found[0].message.split("refuses")[0]
    )
    rows = "INSERT INTO {table} (id, {column}) VALUES (1, 'open'), (2, '{bad}');"
    assert _found(_review(CHECKED, rows, FRAMEWORKS[0], names))
    assert not _found(_review(CHECKED, rows.replace("{bad}", "{good}"), FRAMEWORKS[0], names))


def test_postgres_rendering_of_an_in_list_and_numeric_ranges() -> None:
    schema = (
        "CREATE TABLE lines (id bigint PRIMARY KEY, kind varchar(20), qty integer, note text);\n"
        "ALTER TABLE lines ADD CONSTRAINT lines_kind_check CHECK (((kind)::text = ANY"
        " ((ARRAY['item'::character varying, 'fee'::character varying])::text[]))) NOT VALID;\n"
        "ALTER TABLE lines ADD CONSTRAINT lines_qty_check CHECK (qty > 0 AND qty <= 100);\n-- migration\n"
    )
    assert _found(review_sql(schema + "UPDATE lines SET kind = 'discount' WHERE note = 'x';"))
    assert _found(review_sql(schema + "UPDATE lines SET qty = 0 WHERE note = 'x';"))
    assert _found(review_sql(schema + "UPDATE lines SET qty = 101 WHERE note = 'x';"))
    assert not _found(review_sql(schema + "UPDATE lines SET kind = 'fee', qty = 100 WHERE note = 'x';"))


def test_checks_that_cannot_be_decided_or_were_dropped_stay_quiet() -> None:
    other_column = (
        "CREATE TABLE lines (id bigint PRIMARY KEY, kind text, qty integer, CHECK (kind <> 'fee' OR qty = 1));\n"
        "-- migration\nUPDATE lines SET kind = 'fee' WHERE id >= 1 AND id < 1000;"
    )
    assert not _found(review_sql(other_column))
    function = (
        "CREATE TABLE lines (id bigint PRIMARY KEY, code text CHECK (code ~ '^[A-Z]+$'));\n"
        "-- migration\nUPDATE lines SET code = 'abc' WHERE id >= 1 AND id < 1000;"
    )
    assert not _found(review_sql(function))
    dropped = (
        "CREATE TABLE lines (id bigint PRIMARY KEY, kind text CHECK (kind IN ('item', 'fee')));\n-- migration\n"
        "ALTER TABLE lines DROP CONSTRAINT lines_kind_check;\n"
        "UPDATE lines SET kind = 'discount' WHERE id >= 1 AND id < 1000;"
    )
    assert not _found(review_sql(dropped))
    widened = (
        "CREATE TYPE line_kind AS ENUM ('item', 'fee');\nCREATE TABLE lines (id bigint PRIMARY KEY, kind line_kind);\n"
        "-- migration\nALTER TYPE line_kind ADD VALUE 'discount';\n"
        "UPDATE lines SET kind = 'discount' WHERE id >= 1 AND id < 1000;"
    )
    assert not _found(review_sql(widened))


def test_mysql_enum_column_compares_without_case() -> None:
    schema = (
        "CREATE TABLE orders (id bigint PRIMARY KEY, status enum('open','paid'), note text);\n-- migration\n"
    )
    found = _found(
        review_sql(schema + "UPDATE orders SET status = 'gone' WHERE note = 'x';", dialect="mysql")
    )
    assert found and "'' for an unknown ENUM value" in found[0].blast_radius
    assert not _found(
        review_sql(schema + "UPDATE orders SET status = 'PAID' WHERE note = 'x';", dialect="mysql")
    )


DJANGO_MODELS = """from django.db import models


class {model}(models.Model):
    class {choices}(models.TextChoices):
        OPEN = "open", "Open"
        PAID = "paid", _("Paid")

    {column} = models.CharField(max_length=10, choices={choices}.choices)
    note = models.TextField()
"""
DJANGO_MIGRATION = """from django.db import migrations


def forwards(apps, schema_editor):
    {model} = apps.get_model("shop", "{model}")
    {model}.objects.filter(note="x").update({column}="{value}")


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""


@pytest.mark.parametrize(
    ("model", "choices", "column"), [("Order", "Status", "status"), ("Shipment", "Stage", "stage")]
)
def test_django_choices_nested_in_the_model(model: str, choices: str, column: str) -> None:
    head = {"shop/models.py": DJANGO_MODELS.format(model=model, choices=choices, column=column)}
    path = "shop/migrations/0002_fill.py"
    bad = review_sql(DJANGO_MIGRATION.format(model=model, column=column, value="Paid"), path=path, head=head)
    found = _found(bad)
    assert found and found[0].severity is Severity.CRITICAL
    assert f"Django choices `{choices}`" in found[0].message and "differs from `paid`" in found[0].message
    assert found[0].references[0].path == "shop/models.py"
    good = review_sql(DJANGO_MIGRATION.format(model=model, column=column, value="paid"), path=path, head=head)
    assert not _found(good)


def test_choices_of_another_model_are_not_this_column() -> None:
    head = {
        "shop/models.py": DJANGO_MODELS.format(model="Invoice", choices="Status", column="status"),
    }
    path = "shop/migrations/0002_fill.py"
    result = review_sql(
        DJANGO_MIGRATION.format(model="Order", column="status", value="shipped"), path=path, head=head
    )
    assert not _found(result)


RAILS_MIGRATION = """class FixTickets < ActiveRecord::Migration[7.1]
  def up
    {model}.where(note: "x").update_all({column}: {value})
  end

  def down
  end
end
"""


@pytest.mark.parametrize(
    ("model", "table", "column"), [("Ticket", "tickets", "status"), ("Lead", "leads", "stage")]
)
def test_rails_enum_of_the_model(model: str, table: str, column: str) -> None:
    head = {
        f"app/models/{table[:-1]}.rb": f"class {model} < ApplicationRecord\n  enum {column}: {{ open: 0, closed: 1 }}\nend\n"
    }
    path = "db/migrate/20260101000000_fix_tickets.rb"
    found = _found(
        review_sql(RAILS_MIGRATION.format(model=model, column=column, value="2"), path=path, head=head)
    )
    assert found and "Rails enum" in found[0].message and "0, 1" in found[0].message
    for good in ("1", ":closed", '"closed"'):
        result = review_sql(
            RAILS_MIGRATION.format(model=model, column=column, value=good), path=path, head=head
        )
        assert not _found(result), good


@pytest.mark.parametrize(
    ("path", "source", "good"),
    [
        ("web/src/orders.ts", "export enum OrderStatus {\n  Paid = 'paid',\n  Open = 'open',\n}\n", "paid"),
        ("web/src/types.ts", "export type OrderStatus = 'paid' | 'open';\n", "open"),
        (
            "src/main/java/shop/OrderStatus.java",
            "package shop;\npublic enum OrderStatus {\n  PAID,\n  OPEN\n}\n",
            "PAID",
        ),
    ],
)
def test_enums_named_after_the_column_in_other_languages_warn(path: str, source: str, good: str) -> None:
    sql = "CREATE TABLE orders (id bigint PRIMARY KEY, status text, note text);\n-- migration\n"
    found = _found(
        review_sql(sql + "UPDATE orders SET status = 'archived' WHERE note = 'x';", head={path: source})
    )
    assert [f.severity for f in found] == [Severity.WARNING] and "`OrderStatus`" in found[0].message
    assert not _found(
        review_sql(sql + f"UPDATE orders SET status = '{good}' WHERE note = 'x';", head={path: source})
    )


@pytest.mark.parametrize(
    ("type_name", "table", "column"), [("auth_kind", "users", "auth"), ("tier", "plans", "level")]
)
def test_a_value_added_to_a_type_whose_creation_was_not_read_is_not_its_only_value(
    type_name: str, table: str, column: str
) -> None:
    """The type was created by code the review does not read (an ORM's `Enum(...).create(bind)`): the
    one value a later migration adds is not the whole type."""
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} {type_name}, note text);\n"
        f"ALTER TYPE {type_name} ADD VALUE 'oidc';\n-- migration\n"
    )
    assert not _found(review_sql(schema + f"UPDATE {table} SET {column} = 'ldap' WHERE note = 'x';"))
    known = f"CREATE TYPE {type_name} AS ENUM ('local', 'ldap');\n" + schema
    found = _found(review_sql(known + f"UPDATE {table} SET {column} = 'saml' WHERE note = 'x';"))
    assert found and "'local', 'ldap', 'oidc'" in found[0].message
