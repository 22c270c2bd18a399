import json
from pathlib import Path
from typing import Any

import pytest

from bot.model.findings import Finding
from tests.conftest import git, review_sql
from tests.test_cli import run

RULE = "foreign-key-without-index"


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


def test_inline_reference_without_index() -> None:
    [finding] = _found("CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));")
    assert "order_id" in finding.message and "CREATE INDEX CONCURRENTLY items_order_id_idx" in finding.fix


def test_index_in_the_same_migration_covers_it() -> None:
    sql = (
        "CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));\n"
        "CREATE INDEX items_order_idx ON items (order_id, id);"
    )
    assert not _found(sql)


def test_index_from_an_earlier_migration_covers_it() -> None:
    base = {
        "db/migrations/000_base.sql": "CREATE TABLE items (id bigint, order_id bigint);\n"
        "CREATE INDEX items_order_idx ON items (order_id);"
    }
    sql = "ALTER TABLE items ADD CONSTRAINT items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) NOT VALID;"
    assert not _found(sql, base=base)


def test_leading_primary_key_column_covers_it_but_not_the_second() -> None:
    sql = (
        "CREATE TABLE m (a bigint, b bigint, PRIMARY KEY (a, b), "
        "FOREIGN KEY (a) REFERENCES x (id), FOREIGN KEY (b) REFERENCES y (id));"
    )
    assert ["b" in f.message for f in _found(sql)] == [True]


def test_mysql_indexes_foreign_keys_itself() -> None:
    assert not _found(
        "CREATE TABLE items (id bigint, order_id bigint, FOREIGN KEY (order_id) REFERENCES o (id));",
        dialect="mysql",
    )


# --- through the command line: the indexes a change adds or drops for foreign keys that already exist ------


def _reviewed(root: Path, before: str, change: str) -> list[dict[str, Any]]:
    """`migration-review review` of a pull request adding `change` on top of a history holding `before`."""
    folder = root / "db/migrations"
    folder.mkdir(parents=True)
    (folder / "000001_schema.up.sql").write_text(before)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "schema")
    (folder / "000002_change.up.sql").write_text(change)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "change")
    done = run("review", "--repo", str(root), "--base", "HEAD~1", "--format", "json", "--exit-zero")
    assert done.returncode == 0, done.stderr
    return [f for f in json.loads(done.stdout)["findings"] if f["rule"] == RULE]


INVOICES = (
    "CREATE TABLE customers (id bigint PRIMARY KEY);\n"
    "CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id),"
    " paid_at timestamptz);\n"
)
SHIPMENTS = (
    "CREATE TABLE warehouses (id bigint PRIMARY KEY);\n"
    "CREATE TABLE shipments (id bigint PRIMARY KEY, warehouse_id bigint NOT NULL,"
    " CONSTRAINT shipments_warehouse_fk FOREIGN KEY (warehouse_id) REFERENCES warehouses (id));\n"
)


def test_a_partial_index_on_a_foreign_key_serves_none_of_its_checks(tmp_path: Path) -> None:
    [finding] = _reviewed(
        tmp_path,
        INVOICES,
        "CREATE INDEX CONCURRENTLY invoices_unpaid_idx ON invoices (customer_id) WHERE paid_at IS NULL;\n",
    )
    assert "partial" in finding["message"] and "`invoices` (customer_id) → `customers`" in finding["message"]
    assert finding["line"] == 1
    [finding] = _reviewed(
        tmp_path / "second",
        SHIPMENTS,
        "CREATE INDEX CONCURRENTLY shipments_recent_idx ON shipments (warehouse_id, id) WHERE id > 1000;\n",
    )
    assert "`shipments` (warehouse_id) → `warehouses`" in finding["message"]


def test_a_whole_index_or_one_only_without_nulls_serves_them(tmp_path: Path) -> None:
    assert not _reviewed(
        tmp_path, INVOICES, "CREATE INDEX CONCURRENTLY invoices_customer_idx ON invoices (customer_id);\n"
    )
    assert not _reviewed(
        tmp_path / "second",
        SHIPMENTS,
        "CREATE INDEX CONCURRENTLY shipments_warehouse_idx ON shipments (warehouse_id)"
        " WHERE warehouse_id IS NOT NULL;\n",
    )


def test_dropping_the_index_a_foreign_key_uses(tmp_path: Path) -> None:
    before = INVOICES + "CREATE INDEX invoices_customer_idx ON invoices (customer_id);\n"
    [finding] = _reviewed(tmp_path, before, "DROP INDEX CONCURRENTLY invoices_customer_idx;\n")
    assert finding["message"].startswith("Dropping index `invoices_customer_idx` leaves the foreign key")
    before = SHIPMENTS + "CREATE INDEX shipments_warehouse_idx ON shipments (warehouse_id);\n"
    assert _reviewed(tmp_path / "second", before, "DROP INDEX shipments_warehouse_idx;\n")


def test_dropping_an_index_another_one_replaces_or_that_no_key_uses(tmp_path: Path) -> None:
    before = INVOICES + "CREATE INDEX invoices_customer_idx ON invoices (customer_id);\n"
    change = (
        "CREATE INDEX CONCURRENTLY invoices_customer_paid_idx ON invoices (customer_id, paid_at);\n"
        "DROP INDEX CONCURRENTLY invoices_customer_idx;\n"
    )
    assert not _reviewed(tmp_path, before, change)
    before = SHIPMENTS + "CREATE INDEX shipments_warehouse_idx ON shipments (warehouse_id);\n"
    before += "CREATE INDEX shipments_id_idx ON shipments (id, warehouse_id);\n"
    assert not _reviewed(tmp_path / "second", before, "DROP INDEX shipments_id_idx;\n")


def test_a_new_foreign_key_with_only_a_partial_index() -> None:
    sql = (
        "CREATE TABLE refunds (id bigint PRIMARY KEY, payment_id bigint REFERENCES payments (id), done bool);\n"
        "CREATE INDEX refunds_open_idx ON refunds (payment_id) WHERE NOT done;"
    )
    assert ["payment_id" in f.message for f in _found(sql)] == [True]
    assert not _found(sql.replace("WHERE NOT done", "WHERE payment_id IS NOT NULL"))


@pytest.mark.parametrize(
    ("table", "column", "parent"),
    [("subscriptions", "referrer_id", "users"), ("comments", "author_id", "people")],
)
def test_an_inline_reference_of_an_added_column_is_reported_once(
    table: str, column: str, parent: str
) -> None:
    sql = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\nCREATE TABLE {table} (id bigint PRIMARY KEY);\n-- migration\n"
        f"ALTER TABLE {table} ADD COLUMN {column} bigint REFERENCES {parent} (id) ON DELETE SET NULL;"
    )
    found = [f for f in review_sql(sql).active if f.rule == "foreign-key-without-index"]
    assert len(found) == 1, [f.message for f in found]


@pytest.mark.parametrize(
    ("before", "index", "table", "column"),
    [
        (INVOICES, "invoices_customer_idx", "invoices", "customer_id"),
        (SHIPMENTS, "shipments_warehouse_idx", "shipments", "warehouse_id"),
    ],
)
def test_dropping_the_index_of_a_column_the_migration_then_drops(
    before: str, index: str, table: str, column: str
) -> None:
    """Teaching Vacancies' `remove_index … :jobseeker_profile_id` then `remove_column … :jobseeker_profile_id`:
    the foreign key goes with the column, so nothing is left without an index."""
    schema = before + f"CREATE INDEX {index} ON {table} ({column});\n-- migration\n"
    assert _found(schema + f"DROP INDEX CONCURRENTLY {index};\n")
    assert not _found(
        schema + f"DROP INDEX CONCURRENTLY {index};\nALTER TABLE {table} DROP COLUMN {column};\n"
    )


@pytest.mark.parametrize(
    ("child", "key", "other"), [("items", "order_id", "sku"), ("mints", "deploy_id", "address")]
)
def test_several_drops_name_the_index_the_foreign_key_used(child: str, key: str, other: str) -> None:
    schema = (
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {key} bigint REFERENCES orders (id), {other} text);\n"
        f"CREATE INDEX {child}_{other}_idx ON {child} ({other});\n"
        f"CREATE INDEX {child}_{key}_idx ON {child} ({key});\n-- migration\n"
    )
    both = f"DROP INDEX {child}_{other}_idx;\nDROP INDEX {child}_{key}_idx;\n"
    [finding] = _found(schema + both)
    assert finding.location.line == 2 and f"`{child}_{key}_idx`" in finding.message
    assert not _found(schema + f"DROP INDEX {child}_{other}_idx;\n")
