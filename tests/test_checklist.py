"""The checklist: every item checked with evidence, unchecked with the reason, or not applicable with why."""

from __future__ import annotations

from bot.model.findings import ChecklistItem, Review
from tests.conftest import review_sql

PRIORITY = {"app/priority.py": "class Priority(IntEnum):\n    LOW = 1\n    HIGH = 3\n"}
SCHEMA = "CREATE TABLE tickets (id bigint PRIMARY KEY, priority text, priority_id integer);\n-- migration\n"


def _items(result: Review) -> dict[str, ChecklistItem]:
    return {i.text: i for i in result.checklist}


def test_every_item_has_a_state_and_a_detail() -> None:
    for sql in ("ALTER TABLE t ADD COLUMN c text;", "UPDATE t SET a = 1 WHERE id >= 1 AND id < 9;", ""):
        for item in review_sql(sql).checklist:
            assert item.state in ("checked", "unchecked", "not-applicable") and item.detail


def test_ids_that_match_the_codes_constants_are_checked() -> None:
    sql = SCHEMA + (
        "UPDATE tickets SET priority_id = CASE priority WHEN 'high' THEN 3 WHEN 'low' THEN 1 "
        "ELSE priority_id END WHERE id >= 1 AND id < 1000;"
    )
    item = _items(review_sql(sql, base=PRIORITY))["Verify ID mappings match production"]
    assert item.state == "checked" and "constants the code defines" in item.detail


def test_an_id_swap_leaves_the_item_unchecked_with_the_reason() -> None:
    sql = SCHEMA + (
        "UPDATE tickets SET priority_id = CASE priority WHEN 'high' THEN 1 WHEN 'low' THEN 3 "
        "ELSE priority_id END WHERE id >= 1 AND id < 1000;"
    )
    item = _items(review_sql(sql, base=PRIORITY))["Verify ID mappings match production"]
    assert item.state == "unchecked" and "ID swap" in item.detail


def test_snapshot_and_restore_make_a_drop_reversible() -> None:
    sql = (
        "-- +goose Up\nCREATE TABLE orders_legacy_backup AS SELECT id, legacy FROM orders;\n"
        "ALTER TABLE orders DROP COLUMN legacy;\n-- +goose Down\nALTER TABLE orders ADD COLUMN IF NOT EXISTS legacy text;\n"
        "UPDATE orders SET legacy = b.legacy FROM orders_legacy_backup b WHERE b.id = orders.id;\n"
    )
    item = _items(review_sql(sql))["Reversible without data loss"]
    assert item.state == "checked" and "copied aside and restored" in item.detail


def test_a_drop_recreated_empty_is_not_reversible() -> None:
    sql = "-- +goose Up\nALTER TABLE orders DROP COLUMN legacy;\n-- +goose Down\nALTER TABLE orders ADD COLUMN legacy text;\n"
    item = _items(review_sql(sql))["Reversible without data loss"]
    assert item.state == "unchecked" and "re-creates the dropped column" in item.detail


def test_batched_backfill_outside_a_transaction_is_not_applicable_there() -> None:
    sql = (
        "-- +goose NO TRANSACTION\n-- +goose Up\nUPDATE orders SET a = 1 WHERE id >= 1 AND id < 1000;\n"
        "UPDATE orders SET b = 2 WHERE id >= 1 AND id < 1000;\n-- +goose Down\nSELECT 1;\n"
    )
    item = _items(review_sql(sql))["Transaction wrapped"]
    assert item.state == "not-applicable" and "on purpose" in item.detail


def test_an_empty_down_is_named_not_counted_as_a_way_back() -> None:
    """An up that only fills empty values has nothing to restore, so an empty down loses no data; the item
    says the down does nothing rather than that every migration has one."""
    cases = (
        ("pages", "editor", "UPDATE pages SET editor = 'markdown' WHERE editor = '';"),
        ("invoices", "currency", "UPDATE invoices SET currency = 'EUR' WHERE currency IS NULL;"),
    )
    for table, column, update in cases:
        sql = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n-- migration\n{update}\n"
        path = f"db/migrations/000002_fill_{column}.up.sql"
        down = {path.replace(".up.", ".down."): "-- nothing to undo\n"}
        item = _items(review_sql(sql, path=path, head=down))["Reversible without data loss"]
        assert item.state == "checked" and f"down migration of `{path}` does nothing" in item.detail
        undone = {path.replace(".up.", ".down."): f"UPDATE {table} SET {column} = NULL WHERE id < 0;\n"}
        item = _items(review_sql(sql, path=path, head=undone))["Reversible without data loss"]
        assert item.detail == "every migration has a down migration and destroys no data"


# (table, new table, column): two name sets
MYSQL_NAMES = [("challenges", "modules", "module_id"), ("orders", "order_notes", "note_id")]


def _transaction_item(dialect: str, body: str) -> ChecklistItem:
    path = "db/migrations/00002_change.sql"
    result = review_sql(f"-- +goose Up\n{body}-- +goose Down\nSELECT 1;\n", path=path, dialect=dialect)
    return _items(result)["Transaction wrapped"]


def test_mysql_commits_after_each_ddl_statement_so_the_runners_transaction_is_no_unit() -> None:
    """MySQL and MariaDB commit before and after every DDL statement: a migration of several statements, one
    of them DDL, is not made atomic by the runner's transaction (checked on MariaDB 10.11: a CREATE TABLE stays
    after the next statement fails and the transaction is rolled back)."""
    for table, created, column in MYSQL_NAMES:
        body = f"CREATE TABLE {created} (id bigint PRIMARY KEY);\nALTER TABLE {table} ADD COLUMN {column} bigint;\n"
        for dialect in ("mysql", "mariadb"):
            item = _transaction_item(dialect, body)
            assert item.state == "unchecked" and "MySQL commits after every DDL statement" in item.detail
            assert "00002_change.sql" in item.detail
        # PostgreSQL runs DDL in the transaction: one unit
        assert _transaction_item("postgres", body).state == "checked"
        # one DDL statement alone, or data changes only (InnoDB rolls them back together), are one unit
        one = f"ALTER TABLE {table} ADD COLUMN {column} bigint;\n"
        assert _transaction_item("mysql", one).state == "checked"
        rows = (
            f"UPDATE {table} SET {column} = 1 WHERE id >= 1 AND id < 100;\n"
            f"UPDATE {table} SET {column} = 2 WHERE id >= 100 AND id < 200;\n"
        )
        assert _transaction_item("mariadb", rows).state == "checked"
