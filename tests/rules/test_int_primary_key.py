from typing import Any

import pytest

from bot.model.findings import Finding
from tests.conftest import review_sql


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "int-primary-key"]


def test_serial_key_suggests_bigserial() -> None:
    [finding] = _found("CREATE TABLE invoices (id serial PRIMARY KEY, total numeric);")
    assert "2,147,483,647" in finding.message
    assert finding.suggestion == "CREATE TABLE invoices (id bigserial PRIMARY KEY, total numeric)"


def test_table_level_primary_key_and_identity() -> None:
    assert _found("CREATE TABLE tags (id integer NOT NULL, PRIMARY KEY (id));")
    assert _found("CREATE TABLE tags (id int GENERATED ALWAYS AS IDENTITY, name text);")


def test_smallint_limit_is_named() -> None:
    [finding] = _found("CREATE TABLE kinds (id smallint PRIMARY KEY);")
    assert "32,767" in finding.message


def test_mysql_unsigned_auto_increment() -> None:
    [finding] = _found(
        "CREATE TABLE t (id int(11) unsigned NOT NULL AUTO_INCREMENT, PRIMARY KEY (id));", dialect="mysql"
    )
    assert "4,294,967,295" in finding.message and finding.suggestion is not None


def test_bigint_keys_composite_keys_and_sqlite_are_quiet() -> None:
    assert not _found("CREATE TABLE t (id bigint PRIMARY KEY, n int);")
    assert not _found("CREATE TABLE t (a int, b int, PRIMARY KEY (a, b));")
    assert not _found("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT);", dialect="sqlite")


@pytest.mark.parametrize(
    ("parent", "child", "key"),
    [("dashboard_widget", "charts_piewidget", "widget_ptr_id"), ("users", "profiles", "user_id")],
)
def test_a_key_that_is_another_tables_key_is_left_to_that_table(parent: str, child: str, key: str) -> None:
    """Baserow's child models (`widget_ptr_id integer PRIMARY KEY REFERENCES dashboard_widget`) were each
    reported: their ids are the parent's, whose key runs out first."""
    schema = f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n-- migration\n"
    assert not _found(schema + f"CREATE TABLE {child} ({key} integer PRIMARY KEY REFERENCES {parent} (id));")
    # a key of its own beside the reference is still reported
    assert _found(
        schema + f"CREATE TABLE {child} (id serial PRIMARY KEY, {key} integer REFERENCES {parent});"
    )
