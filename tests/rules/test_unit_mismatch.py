"""unit-mismatch: a value moved between units (a rename that changes the unit its name promises, a copy
between columns of different units, milliseconds given to a function that reads seconds) without the
factor between them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

RULE = "unit-mismatch"


def _found(sql: str, **kw: Any) -> list[Any]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


@pytest.mark.parametrize(
    ("table", "old", "new", "factor"),
    [
        ("jobs", "timeout_ms", "timeout_seconds", "1,000×"),
        ("uploads", "size_bytes", "size_mb", "1,000,000×"),
        ("plans", "price_cents", "price_dollars", "100×"),
        ("sessions", '"ttlSeconds"', '"ttlMs"', "1,000×"),
    ],
)
def test_a_rename_that_changes_the_unit_leaves_every_value_in_the_old_one(table, old, new, factor) -> None:  # type: ignore[no-untyped-def]
    sql = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {old} bigint NOT NULL);\n-- migration\n"
    (finding,) = _found(sql + f"ALTER TABLE {table} RENAME COLUMN {old} TO {new};")
    assert f"`{table}.{old.strip(chr(34))}`" in finding.message and factor in finding.blast_radius


@pytest.mark.parametrize(
    ("old", "new"),
    [("timeout_ms", "request_timeout_ms"), ("delay_seconds", "delay_secs"), ("limit", "max_limit")],
)
def test_a_rename_that_keeps_the_unit_is_quiet(old, new) -> None:  # type: ignore[no-untyped-def]
    sql = f"CREATE TABLE jobs (id bigint PRIMARY KEY, {old} integer);\n-- migration\n"
    assert not _found(sql + f"ALTER TABLE jobs RENAME COLUMN {old} TO {new};")


SCHEMA = (
    "CREATE TABLE products (id bigint PRIMARY KEY, price_dollars integer, weight_kg numeric);\n"
    "CREATE TABLE events (id bigint PRIMARY KEY, happened_ms bigint NOT NULL, happened_secs bigint);\n"
)


@pytest.mark.parametrize(
    "change",
    [
        "ALTER TABLE products ADD COLUMN price_cents bigint;\nUPDATE products SET price_cents = price_dollars;",
        "ALTER TABLE products ADD COLUMN weight_grams numeric;\n"
        "UPDATE products SET weight_grams = round(weight_kg) WHERE weight_grams IS NULL;",
        "ALTER TABLE events ADD COLUMN happened_at timestamptz;\n"
        "UPDATE events SET happened_at = to_timestamp(happened_ms) WHERE happened_at IS NULL;",
    ],
)
def test_a_copy_between_units_without_the_factor_is_found(change) -> None:  # type: ignore[no-untyped-def]
    (finding,) = _found(SCHEMA + "-- migration\n" + change)
    assert "×" in finding.blast_radius


@pytest.mark.parametrize(
    "change",
    [
        "ALTER TABLE products ADD COLUMN price_cents bigint;\n"
        "UPDATE products SET price_cents = price_dollars * 100 WHERE price_cents IS NULL;",
        "ALTER TABLE products ADD COLUMN weight_grams numeric;\n"
        "UPDATE products SET weight_grams = weight_kg * 1000 WHERE weight_grams IS NULL;",
        "ALTER TABLE events ADD COLUMN happened_at timestamptz;\n"
        "UPDATE events SET happened_at = to_timestamp(happened_ms / 1000.0) WHERE happened_at IS NULL;",
        "ALTER TABLE events ADD COLUMN happened_at timestamptz;\n"
        "UPDATE events SET happened_at = to_timestamp(happened_secs) WHERE happened_at IS NULL;",
    ],
)
def test_a_converted_copy_is_quiet(change) -> None:  # type: ignore[no-untyped-def]
    result = review_sql(SCHEMA + "-- migration\n" + change)
    assert not {f.rule for f in result.active} & {RULE, "null-propagation"}, [
        f.message for f in result.active
    ]


def test_mysql_from_unixtime_on_milliseconds() -> None:
    sql = (
        "CREATE TABLE logins (id bigint PRIMARY KEY, at_ms bigint NOT NULL, at datetime);\n-- migration\n"
        "UPDATE logins SET at = FROM_UNIXTIME(at_ms) WHERE at IS NULL;"
    )
    (finding,) = _found(sql, dialect="mysql")
    assert "FROM_UNIXTIME" in finding.message.upper() and "at_ms / 1000.0" in finding.fix
    assert not _found(sql.replace("FROM_UNIXTIME(at_ms)", "FROM_UNIXTIME(at_ms / 1000)"), dialect="mysql")


def test_what_it_says_happens_on_postgresql(pg) -> None:  # type: ignore[no-untyped-def]
    pg.execute("CREATE TABLE events (id bigint PRIMARY KEY, happened_ms bigint)")
    pg.execute("INSERT INTO events VALUES (1, 1700000000000)")
    # read as seconds, a time of 2023 in milliseconds is tens of thousands of years ahead
    (year,) = pg.execute("SELECT extract(year FROM to_timestamp(happened_ms)) FROM events").fetchone()
    assert year > 50000
    (fixed,) = pg.execute(
        "SELECT extract(year FROM to_timestamp(happened_ms / 1000.0)) FROM events"
    ).fetchone()
    assert fixed == 2023


def test_a_rails_rename_of_the_unit() -> None:
    base = {
        "db/migrate/20240101000000_create_jobs.rb": (
            "class CreateJobs < ActiveRecord::Migration[7.1]\n  def change\n    create_table :jobs do |t|\n"
            "      t.integer :retry_delay_seconds\n    end\n  end\nend\n"
        )
    }
    rails = (
        "class RenameRetryDelay < ActiveRecord::Migration[7.1]\n  def change\n"
        "    rename_column :jobs, :retry_delay_seconds, :retry_delay_ms\n  end\nend\n"
    )
    (finding,) = _found(rails, path="db/migrate/20240202000000_rename_retry_delay.rb", base=base)
    assert "retry_delay_seconds * 1000" in finding.fix


@pytest.mark.parametrize(
    ("source", "target"), [("discount_percent", "discount_ratio"), ("fee_bps", "fee_pct")]
)
def test_shares_in_percent_basis_points_and_fractions(source, target) -> None:  # type: ignore[no-untyped-def]
    schema = f"CREATE TABLE offers (id bigint PRIMARY KEY, {source} numeric);\n-- migration\n"
    copy = f"ALTER TABLE offers ADD COLUMN {target} numeric;\nUPDATE offers SET {target} = {source} WHERE {target} IS NULL;"
    assert _found(schema + copy)
    assert not _found(schema + copy.replace(f"= {source} WHERE", f"= {source} / 100 WHERE"))
