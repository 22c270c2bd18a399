"""`down-drop-not-found`: solidus' AddCountryForeignKeys added the key of `spree_prices` on `country_iso` and its
down removed the one on `country_id`, which never existed: Rails raises and the rollback stops. A down that
finds the up's key (by name, or for Rails by the table it references) is quiet, and so is one that drops a key
of the schema before."""

from __future__ import annotations

import pytest

from bot.model.findings import Severity
from tests.conftest import review_sql

NAMES = [
    ("spree_prices", "spree_countries", "country_iso", "country_id"),
    ("invoices", "customers", "billing_customer_id", "customer_id"),
]


def _found(table: str, parent: str, up: str, down: str, schema_key: str = "") -> list:  # type: ignore[type-arg]
    schema = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY, iso text UNIQUE);\n"
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, country_iso bigint, country_id bigint, "
        f"billing_customer_id bigint, customer_id bigint);\n{schema_key}"
    )
    migration = f"class AddKeys < ActiveRecord::Migration[7.0]\n  def up\n    {up}\n  end\n\n  def down\n    {down}\n  end\nend\n"
    path = "db/migrate/20250709073151_add_keys.rb"
    result = review_sql(migration, path=path, base={"db/migrations/000_schema.sql": schema})
    return [f for f in result.findings if f.rule == "down-drop-not-found"]


@pytest.mark.parametrize(("table", "parent", "column", "other"), NAMES)
def test_a_rails_down_that_removes_the_key_on_another_column(
    table: str, parent: str, column: str, other: str
) -> None:
    up = f"add_foreign_key :{table}, :{parent}, column: :{column}"
    [finding] = _found(table, parent, up, f"remove_foreign_key :{table}, :{parent}, column: :{other}")
    assert finding.severity is Severity.CRITICAL
    assert f"on ({other})" in finding.message and f"on ({column})" in finding.message
    assert "transaction undoes" in finding.blast_radius


@pytest.mark.parametrize(("table", "parent", "column", "other"), NAMES)
@pytest.mark.parametrize(
    ("up", "down"),
    [
        ("add_foreign_key :{t}, :{p}, column: :{c}", "remove_foreign_key :{t}, :{p}, column: :{c}"),
        ("add_foreign_key :{t}, :{p}, column: :{c}, name: 'custom_fk'", "remove_foreign_key :{t}, :{p}"),
        ("add_foreign_key :{t}, :{p}, column: :{c}", "remove_foreign_key :{t}, column: :{c}"),
        (
            "add_foreign_key :{t}, :{p}, column: :{c}",
            "remove_foreign_key :{t}, :{p}, column: :{o}, if_exists: true",
        ),
    ],
)
def test_a_rails_down_that_finds_the_key_the_up_added_is_quiet(
    table: str, parent: str, column: str, other: str, up: str, down: str
) -> None:
    names = {"t": table, "p": parent, "c": column, "o": other}
    assert not _found(table, parent, up.format(**names), down.format(**names))


@pytest.mark.parametrize(("table", "parent", "column", "other"), NAMES)
def test_sql_down_that_drops_a_name_the_up_did_not_create(
    table: str, parent: str, column: str, other: str
) -> None:
    schema = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n"
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} bigint, {other} bigint);\n"
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_{other}_fk FOREIGN KEY ({other}) REFERENCES {parent} (id);\n"
        "-- migration\n"
    )
    up = f"-- +goose Up\nALTER TABLE {table} ADD CONSTRAINT {table}_{column}_fk FOREIGN KEY ({column}) REFERENCES {parent} (id);\n"
    typo = f"-- +goose Down\nALTER TABLE {table} DROP CONSTRAINT {table}_{parent}_fk;"
    [finding] = [f for f in review_sql(schema + up + typo).findings if f.rule == "down-drop-not-found"]
    assert f"`{table}_{parent}_fk`" in finding.message and f"`{table}_{column}_fk`" in finding.message
    # a key of the schema before is there to drop (another change, not this rule's), and the right name is quiet
    for down in (f"{table}_{other}_fk", f"{table}_{column}_fk"):
        sql = schema + up + f"-- +goose Down\nALTER TABLE {table} DROP CONSTRAINT {down};"
        assert not [f for f in review_sql(sql).findings if f.rule == "down-drop-not-found"]


INDEXES = [("orders", "state", "status"), ("spree_variants", "sku", "sku_code")]


def _index_findings(table: str, column: str, other: str, up: str, down: str) -> list:  # type: ignore[type-arg]
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text, {other} text);\n"
    migration = f"class AddIndex < ActiveRecord::Migration[7.0]\n  def up\n    {up}\n  end\n\n  def down\n    {down}\n  end\nend\n"
    path = "db/migrate/20250709073151_add_index.rb"
    result = review_sql(migration, path=path, base={"db/migrations/000_schema.sql": schema})
    return [f for f in result.findings if f.rule == "down-drop-not-found"]


@pytest.mark.parametrize(("table", "column", "other"), INDEXES)
def test_a_rails_down_that_removes_the_index_on_another_column(table: str, column: str, other: str) -> None:
    [finding] = _index_findings(
        table, column, other, f"add_index :{table}, :{column}", f"remove_index :{table}, :{other}"
    )
    assert finding.severity is Severity.CRITICAL
    assert (
        f"on ({other})" in finding.message and f"`index_{table}_on_{column}` on ({column})" in finding.message
    )
    # by a name that does not exist either
    [finding] = _index_findings(
        table,
        column,
        other,
        f"add_index :{table}, :{column}",
        f"remove_index :{table}, name: 'index_{table}_on_{other}'",
    )
    assert f"`index_{table}_on_{other}`" in finding.message


@pytest.mark.parametrize(("table", "column", "other"), INDEXES)
@pytest.mark.parametrize(
    "down",
    [
        "remove_index :{t}, :{c}",
        "remove_index :{t}, column: :{c}",
        "remove_index :{t}, name: 'index_{t}_on_{c}'",
        "remove_index :{t}, :{o}, if_exists: true",
    ],
)
def test_a_rails_down_that_finds_the_index_the_up_added_is_quiet(
    table: str, column: str, other: str, down: str
) -> None:
    names = {"t": table, "c": column, "o": other}
    assert not _index_findings(table, column, other, f"add_index :{table}, :{column}", down.format(**names))


@pytest.mark.parametrize(("table", "column", "other"), INDEXES)
def test_sql_down_that_drops_an_index_name_the_up_did_not_create(table: str, column: str, other: str) -> None:
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text, {other} text);\n"
        f"CREATE INDEX {table}_{other}_idx ON {table} ({other});\n-- migration\n"
    )
    up = f"-- +goose Up\nCREATE INDEX {table}_{column}_idx ON {table} ({column});\n"
    typo = f"-- +goose Down\nDROP INDEX {table}_{column}_index;"
    [finding] = [f for f in review_sql(schema + up + typo).findings if f.rule == "down-drop-not-found"]
    assert f"`{table}_{column}_index`" in finding.message and f"`{table}_{column}_idx`" in finding.message
    # an index of the schema before is there to drop, and the right name is quiet
    for down in (f"{table}_{other}_idx", f"{table}_{column}_idx"):
        sql = schema + up + f"-- +goose Down\nDROP INDEX {down};"
        assert not [f for f in review_sql(sql).findings if f.rule == "down-drop-not-found"]


@pytest.mark.parametrize(
    ("table", "typo", "parent"), [("comments", "comment", "posts"), ("line_items", "lineitems", "orders")]
)
def test_a_down_that_drops_a_table_the_up_did_not_create(table: str, typo: str, parent: str) -> None:
    """A Diesel down.sql that drops `comment` where the up created `comments`: PostgreSQL refuses (`table
    "comment" does not exist`) and the table stays; the down that names it is quiet."""
    base = {
        f"migrations/2024-01-01-000000_create_{parent}/up.sql": f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n",
        f"migrations/2024-01-01-000000_create_{parent}/down.sql": f"DROP TABLE {parent};\n",
    }
    folder = f"migrations/2024-06-01-000000_create_{table}/"
    up = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {parent}_id bigint NOT NULL REFERENCES {parent} (id));\n"

    def found(down: str) -> list:  # type: ignore[type-arg]
        result = review_sql(up, path=folder + "up.sql", base=base, head={folder + "down.sql": down})
        return [f for f in result.findings if f.rule == "down-drop-not-found"]

    [finding] = found(f"DROP TABLE {typo};\n")
    assert finding.severity is Severity.CRITICAL and finding.path == folder + "down.sql"
    assert f"`{typo}`" in finding.message and f"`{table}`, stays" in finding.message
    assert not found(f"DROP TABLE {table};\n")
    assert not found(f"DROP TABLE IF EXISTS {typo};\nDROP TABLE {table};\n")
