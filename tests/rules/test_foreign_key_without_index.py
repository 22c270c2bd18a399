from typing import Any

from bot.model.findings import Finding
from tests.conftest import review_sql

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
