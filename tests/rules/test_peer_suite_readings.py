"""Readings the peers' own suites showed wrong, each with the hazardous and the safe variant."""

from __future__ import annotations

from bot.model.config import parse_config
from tests.conftest import review_sql

NO_TX = parse_config("assume_in_transaction: false\n")
RAILS_SCHEMA = """ActiveRecord::Schema[7.1].define(version: 1) do
  create_table :accounts do |t|
    t.string :handle
    t.text :bio
    t.citext :login
  end
end
"""


def _rails(body: str) -> dict[str, set[str]]:
    migration = f"class Change < ActiveRecord::Migration[7.1]\n  def up\n{body}\n  end\nend\n"
    result = review_sql(
        migration,
        path="db/migrate/20240101000000_change.rb",
        base={"db/schema.rb": RAILS_SCHEMA, "config/database.yml": "production:\n  adapter: postgresql\n"},
    )
    found: dict[str, set[str]] = {}
    for f in result.active:
        found.setdefault(f.rule, set()).add(f.message)
    return found


def _rules(sql: str, **kw: object) -> set[str]:
    return {f.rule for f in review_sql(sql, **kw).active}  # type: ignore[arg-type]


# --- int-primary-key: id columns, serial counters and id arrays, not every integer ----------------------


def test_id_columns_serial_counters_and_id_arrays_are_keys() -> None:
    for sql in (
        "CREATE TABLE people (id int);",
        "CREATE TABLE orders (id INTEGER, total numeric);",
        "CREATE TABLE runs (n bigint, seq serial);",
        "CREATE TABLE posts (id bigint PRIMARY KEY, tag_ids int[]);",
        "CREATE TABLE kinds (id SmallSerial);",
    ):
        assert "int-primary-key" in _rules(sql), sql


def test_plain_integer_columns_and_bigint_ids_are_quiet() -> None:
    for sql in (
        "CREATE TABLE people (id bigint, age int, visits smallint);",
        "CREATE TABLE posts (id bigint PRIMARY KEY, tag_ids bigint[], scores int[]);",
    ):
        assert "int-primary-key" not in _rules(sql), sql


# --- identifier-too-long: PostgreSQL's parser cuts names before we see them -----------------------------


def test_long_names_are_seen_in_added_columns_and_drops() -> None:
    long_column = "delivery_window_" + "x" * 60
    long_table = "archived_" + "y" * 60
    for sql in (
        f"ALTER TABLE shipments ADD COLUMN {long_column} bigint;",
        f"DROP TABLE {long_table};",
        f'ALTER TABLE shipments ADD COLUMN "{long_column.title()}" bigint;',
    ):
        found = [f for f in review_sql(sql).active if f.rule == "identifier-too-long"]
        assert found and "cuts it to" in found[0].message, sql


def test_names_within_the_limit_are_quiet() -> None:
    assert "identifier-too-long" not in _rules("ALTER TABLE shipments ADD COLUMN delivery_window bigint;")


# --- set-not-null: the validated CHECK helps from PostgreSQL 12 on only ---------------------------------

TWO_STEP = (
    "CREATE TABLE invoices (id bigint PRIMARY KEY);\n-- migration\n"
    "ALTER TABLE invoices ADD COLUMN paid_at timestamptz;\n"
    "ALTER TABLE invoices ADD CONSTRAINT invoices_paid_at_nn CHECK (paid_at IS NOT NULL) NOT VALID;\n"
    "ALTER TABLE invoices VALIDATE CONSTRAINT invoices_paid_at_nn;\n"
    "ALTER TABLE invoices ALTER COLUMN paid_at SET NOT NULL;\n"
)


def test_validated_check_before_set_not_null_scans_anyway_before_12() -> None:
    assert "set-not-null" in _rules(TWO_STEP, config=parse_config('database_version: "11"\n'))
    assert "set-not-null" not in _rules(TWO_STEP, config=parse_config('database_version: "16"\n'))


def test_check_from_an_earlier_migration_validated_here_is_the_two_step_pattern() -> None:
    sql = (
        "CREATE TABLE members (id bigint PRIMARY KEY, email text);\n-- migration\n"
        "ALTER TABLE members VALIDATE CONSTRAINT members_email_not_null;\n"
        "ALTER TABLE members ALTER COLUMN email SET NOT NULL;\n"
    )
    assert "set-not-null" not in _rules(sql)
    other = sql.replace("members_email_not_null", "members_age_positive")
    assert "set-not-null" in _rules(other)


# --- non-robust-statement: DROP TYPE and friends, ADD CONSTRAINT, temporary tables ----------------------


def test_drops_of_other_objects_and_unguarded_constraints_are_not_robust() -> None:
    found = [
        f.message
        for f in review_sql(
            "DROP TYPE shipment_state;\nDROP VIEW open_orders;\n"
            "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;\n",
            config=NO_TX,
        ).active
        if f.rule == "non-robust-statement"
    ]
    assert any("DROP TYPE shipment_state" in m for m in found)
    assert any("DROP VIEW open_orders" in m for m in found)
    assert any("ADD CONSTRAINT orders_total_positive" in m for m in found)


def test_guarded_drops_dropped_constraints_and_temporary_tables_are_robust() -> None:
    sql = (
        "DROP TYPE IF EXISTS shipment_state;\n"
        "ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_total_positive;\n"
        "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;\n"
        "CREATE TEMP TABLE scratch (id int) ON COMMIT DROP;\n"
    )
    assert "non-robust-statement" not in _rules(sql, config=NO_TX)
    twice = sql + "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;\n"
    assert "non-robust-statement" in _rules(twice, config=NO_TX)


# --- type-change-rewrite through Rails: precision, citext with indexes, CHECK constraints ---------------


def test_rails_lowered_precision_rewrites() -> None:
    for body in (
        "    add_column :accounts, :joined_at, :timestamp\n    change_column :accounts, :joined_at, :timestamp, limit: 3",
        "    add_column :accounts, :opens_at, :time\n    change_column :accounts, :opens_at, :time, precision: 3",
        "    add_column :accounts, :span, :interval\n    change_column :accounts, :span, :interval, precision: 0",
    ):
        assert "type-change-rewrite" in _rails(body), body


def test_rails_raised_precision_is_quiet() -> None:
    body = "    add_column :accounts, :seen_at, :timestamp, precision: 3\n    change_column :accounts, :seen_at, :timestamp, precision: 6"
    assert "type-change-rewrite" not in _rails(body)


def test_citext_change_rebuilds_indexes_also_on_expressions() -> None:
    for index in (":bio", '"lower(bio)"'):
        body = f"    safety_assured {{ add_index :accounts, {index} }}\n    change_column :accounts, :bio, :citext"
        messages = _rails(body).get("type-change-rewrite", set())
        assert any("rebuilds the indexes" in m for m in messages), index
    assert "type-change-rewrite" not in _rails("    change_column :accounts, :bio, :citext")
    assert "type-change-rewrite" not in _rails("    change_column :accounts, :login, :string")


def test_coercible_change_rechecks_the_check_constraints_on_the_column() -> None:
    checked = (
        '    safety_assured do\n      add_check_constraint :accounts, "handle = lower(handle)"\n'
        '      add_check_constraint :accounts, "bio IS NOT NULL"\n    end\n'
        "    change_column :accounts, :handle, :text"
    )
    messages = _rails(checked).get("type-change-rewrite", set())
    assert len(messages) == 1 and "checked again" in next(iter(messages))
    other = checked.replace("change_column :accounts, :handle", "change_column :accounts, :login")
    other = other.replace(":login, :text", ":login, :citext")
    assert "type-change-rewrite" not in _rails(other)


# --- Rails calls read since the peers' suites named them ------------------------------------------------


def test_rails_unique_and_exclusion_constraints_build_under_the_lock() -> None:
    assert "unique-constraint-under-lock" in _rails("    add_unique_constraint :accounts, [:handle]")
    assert "exclusion-constraint" in _rails(
        '    add_exclusion_constraint :accounts, "handle WITH =", using: :gist'
    )


def test_rails_unique_constraint_using_an_index_is_quiet() -> None:
    body = '    add_unique_constraint :accounts, using_index: "index_accounts_on_handle"'
    assert "unique-constraint-under-lock" not in _rails(body)


def test_rails_remove_timestamps_drops_both_columns() -> None:
    messages = _rails("    remove_timestamps :accounts").get("column-dropped", set())
    assert any("created_at" in m for m in messages) and any("updated_at" in m for m in messages)


# --- a SELECT that reads a locked table keeps the lock for its scan -------------------------------------


def test_select_reading_a_table_after_its_exclusive_lock() -> None:
    schema = "CREATE TABLE ledgers (id bigint PRIMARY KEY, note text);\n-- migration\n"
    config = parse_config("assume_in_transaction: true\n")
    locked = schema + "ALTER TABLE ledgers ADD COLUMN memo text;\nSELECT count(*) FROM ledgers;\n"
    assert "statements-after-exclusive-lock" in _rules(locked, config=config)
    before = schema + "SELECT count(*) FROM ledgers;\nALTER TABLE ledgers ADD COLUMN memo text;\n"
    assert "statements-after-exclusive-lock" not in _rules(before, config=config)
    constant = schema + "ALTER TABLE ledgers ADD COLUMN memo text;\nSELECT 1;\n"
    assert "statements-after-exclusive-lock" not in _rules(constant, config=config)


# --- lossy-type-change: a column the migration adds holds no values to lose -----------------------------


def test_narrowing_a_column_added_just_before_loses_nothing() -> None:
    schema = "CREATE TABLE visits (id bigint PRIMARY KEY, seen_at timestamp);\n-- migration\n"
    fresh = (
        schema
        + "ALTER TABLE visits ADD COLUMN left_at timestamp;\nALTER TABLE visits ALTER COLUMN left_at TYPE timestamp(0);\n"
    )
    assert "lossy-type-change" not in _rules(fresh)
    filled = schema + (
        "ALTER TABLE visits ADD COLUMN left_at timestamp;\nUPDATE visits SET left_at = seen_at;\n"
        "ALTER TABLE visits ALTER COLUMN left_at TYPE timestamp(0);\n"
    )
    assert "lossy-type-change" in _rules(filled)
    existing = schema + "ALTER TABLE visits ALTER COLUMN seen_at TYPE timestamp(0);\n"
    assert "lossy-type-change" in _rules(existing)


# --- null-dropping-comparison: a fill of NULLs before NOT NULL has no business with '' ---------------------


def test_filling_nulls_before_not_null_is_not_about_empty_strings() -> None:
    schema = "CREATE TABLE members (id bigint PRIMARY KEY, nickname text);\n-- migration\n"
    fill = "UPDATE members SET nickname = 'anonymous' WHERE nickname IS NULL;\n"
    before_constraint = schema + fill + "ALTER TABLE members ALTER COLUMN nickname SET NOT NULL;\n"
    assert "null-dropping-comparison" not in _rules(before_constraint)
    assert "null-dropping-comparison" in _rules(schema + fill)
