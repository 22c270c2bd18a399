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


def _rebuild(table: str, old_key: str, new_key: str, dialect: str) -> list[str]:
    rename = (
        f"RENAME TABLE {table}_new TO {table};"
        if dialect == "mysql"
        else f"ALTER TABLE {table}_new RENAME TO {table};"
    )
    sql = (
        f"CREATE TABLE {table} (id {old_key} PRIMARY KEY, content_id varchar(64));\n-- migration\n"
        f"CREATE TABLE {table}_new (id {new_key} PRIMARY KEY, memo_id int NOT NULL);\n"
        f"INSERT INTO {table}_new (id, memo_id) SELECT id, 1 FROM {table};\n"
        f"DROP TABLE {table};\n{rename}\n"
    )
    return [f.message for f in review_sql(sql, dialect=dialect).findings if f.rule == "int-primary-key"]


@pytest.mark.parametrize(("table", "dialect"), [("reaction", "mysql"), ("memo_share", "postgres")])
def test_a_table_rebuilt_by_copy_keeps_the_key_it_had(table: str, dialect: str) -> None:
    assert _rebuild(table, "int", "integer", dialect) == []


@pytest.mark.parametrize(("table", "dialect"), [("reaction", "mysql"), ("memo_share", "postgres")])
def test_a_rebuild_that_narrows_the_key_is_named_after_the_table(table: str, dialect: str) -> None:
    [message] = _rebuild(table, "bigint", "int", dialect)
    assert f"`{table}.id`" in message and "_new" not in message
