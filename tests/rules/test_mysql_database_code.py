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


# A migration written for the mysql client (`DELIMITER //` around bodies) and a mysqldump schema (definitions
# in versioned comments, `DELIMITER ;;`, events): the same objects, found by the same reading.
CLIENT = """CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(20), total int);
CREATE TABLE journal (id bigint PRIMARY KEY, note varchar(80));
DELIMITER //
CREATE TRIGGER {table}_journal AFTER UPDATE ON {table} FOR EACH ROW
BEGIN
  INSERT INTO journal (note) VALUES (NEW.{column});
END //
CREATE PROCEDURE stale_{table}()
BEGIN
  SELECT id FROM {table} WHERE {column} = 'x';
END//
DELIMITER ;
"""
DUMP = """CREATE TABLE `{table}` (`id` bigint NOT NULL, `{column}` varchar(20), `total` int, PRIMARY KEY (`id`));
CREATE TABLE `journal` (`id` bigint NOT NULL, `note` varchar(80), PRIMARY KEY (`id`));
/*!40101 SET NAMES utf8mb4 */;
/*!50001 CREATE ALGORITHM=UNDEFINED */
/*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */
/*!50001 VIEW `open_{table}` AS select `{table}`.`id` AS `id`,`{table}`.`{column}` AS `{column}` from `{table}` */;
/*!50003 SET @saved_cs_client = @@character_set_client */ ;
DELIMITER ;;
/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `{table}_journal` AFTER UPDATE ON `{table}` FOR EACH ROW BEGIN
  INSERT INTO journal (note) VALUES (NEW.`{column}`);
END */;;
DELIMITER ;
DELIMITER ;;
/*!50106 CREATE*/ /*!50117 DEFINER=`root`@`localhost`*/ /*!50106 EVENT `purge_{table}` ON SCHEDULE EVERY 1 DAY STARTS '2020-01-01 00:00:00' ON COMPLETION NOT PRESERVE ENABLE DO DELETE FROM `{table}` WHERE `{column}` = 'old' */ ;;
DELIMITER ;
"""
NAMES = [("orders", "legacy_status"), ("tickets", "old_state")]


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_bodies_between_client_delimiters_are_read(table: str, column: str) -> None:
    schema = CLIENT.format(table=table, column=column) + "-- migration\n"
    result = review_sql(schema + f"ALTER TABLE {table} DROP COLUMN {column};", dialect="mysql")
    places = _places(_finding(result, "column-dropped"))
    assert set(places) == {f"{BASE}:6", f"{BASE}:10"}
    assert f"trigger `{table}_journal` on `{table}`" in places[f"{BASE}:6"]
    assert f"function `stale_{table}` still names `{table}.{column}`" in places[f"{BASE}:10"]
    other = review_sql(schema + f"ALTER TABLE {table} DROP COLUMN total;", dialect="mysql")
    assert not _places(_finding(other, "column-dropped"))


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_mysqldump_schema_with_views_triggers_and_events(table: str, column: str) -> None:
    schema = DUMP.format(table=table, column=column) + "-- migration\n"
    result = review_sql(schema + f"ALTER TABLE {table} DROP COLUMN {column};", dialect="mysql")
    places = _places(_finding(result, "column-dropped"))
    assert set(places) == {f"{BASE}:6", f"{BASE}:10", f"{BASE}:14"}
    assert places[f"{BASE}:6"].startswith(f"database: view `open_{table}` still names")
    assert places[f"{BASE}:14"] == f"database: event `purge_{table}` still names `{table}.{column}`"
    # an event dropped before the change no longer runs
    dropped = review_sql(
        schema + f"DROP EVENT purge_{table};\nALTER TABLE {table} DROP COLUMN {column};", dialect="mysql"
    )
    assert f"{BASE}:14" not in _places(_finding(dropped, "column-dropped"))
