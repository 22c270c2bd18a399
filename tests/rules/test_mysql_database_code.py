"""Code that lives in a MySQL or MariaDB database: views, triggers and procedures created by earlier
migrations, read with sqlglot's MySQL grammar. MySQL records no dependency, so a dropped or renamed column
they name is let through and breaks them on their next read, write or call."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review, Severity
from tests.conftest import review_sql

SCHEMA = """
CREATE TABLE orders (id bigint PRIMARY KEY, legacy_status varchar(20), total int, customer_id bigint);
CREATE TABLE customers (id bigint PRIMARY KEY, name varchar(80), legacy_status varchar(20));
CREATE TABLE audit (id bigint PRIMARY KEY, note varchar(80));
CREATE ALGORITHM=MERGE DEFINER=`app`@`%` SQL SECURITY DEFINER VIEW open_orders AS
  SELECT o.id, o.legacy_status, c.name
  FROM orders o JOIN customers c ON c.id = o.customer_id
  WHERE o.total > 0;
CREATE TRIGGER orders_audit AFTER UPDATE ON orders FOR EACH ROW
BEGIN
  IF NEW.total <> OLD.total THEN
    INSERT INTO audit (note) VALUES (NEW.legacy_status);
  END IF;
END;
CREATE PROCEDURE customer_labels(IN since bigint)
BEGIN
  SELECT name, legacy_status FROM customers WHERE id > since;
END;
-- migration
"""
BASE = "db/migrations/000_schema.sql"


def _finding(result: Review, rule: str) -> Finding:
    return next(f for f in result.findings if f.rule == rule)


def _places(finding: Finding) -> dict[str, str]:
    return {f"{r.path}:{r.line}": r.kind for r in finding.references}


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_a_view_and_a_trigger_that_name_a_dropped_column(dialect: str) -> None:
    result = review_sql(SCHEMA + "ALTER TABLE orders DROP COLUMN legacy_status;", dialect=dialect)
    finding = _finding(result, "column-dropped")
    places = _places(finding)
    assert set(places) == {f"{BASE}:6", f"{BASE}:12"}  # the view's column line, the trigger body's line
    assert places[f"{BASE}:6"].startswith("database: view `open_orders` still names `orders.legacy_status`")
    assert "trigger `orders_audit` on `orders`" in places[f"{BASE}:12"]
    assert finding.severity is Severity.CRITICAL


def test_the_same_column_of_another_table_names_only_its_own_users() -> None:
    result = review_sql(SCHEMA + "ALTER TABLE customers DROP COLUMN legacy_status;", dialect="mysql")
    places = _places(_finding(result, "column-dropped"))
    assert set(places) == {f"{BASE}:17"}  # the procedure; the view and trigger read orders' column
    assert "function `customer_labels` still names `customers.legacy_status`" in places[f"{BASE}:17"]


def test_a_rename_is_not_followed_by_a_mysql_view() -> None:
    result = review_sql(SCHEMA + "ALTER TABLE orders RENAME COLUMN legacy_status TO status;", dialect="mysql")
    assert f"{BASE}:6" in _places(_finding(result, "column-renamed"))


def test_a_column_no_object_names_has_no_database_place() -> None:
    result = review_sql(SCHEMA + "ALTER TABLE audit DROP COLUMN id;", dialect="mysql")
    found = [f for f in result.findings if f.rule == "column-dropped"]
    assert all(not _places(f) for f in found)
