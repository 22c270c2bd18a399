from typing import Any

from bot.model.findings import Finding
from tests.conftest import review_sql

BASE = {
    "db/migrations/000_base.sql": "CREATE TABLE orders (id bigint, user_id bigint REFERENCES users (id), "
    "total numeric, CONSTRAINT orders_owner FOREIGN KEY (id) REFERENCES owners (id), "
    "CONSTRAINT orders_total_positive CHECK (total > 0));"
}


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "foreign-key-dropped"]


def test_named_and_default_named_foreign_keys_from_the_catalog() -> None:
    assert _found("ALTER TABLE orders DROP CONSTRAINT orders_owner;", base=BASE)
    assert _found("ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;", base=BASE)


def test_check_constraint_is_quiet() -> None:
    assert not _found("ALTER TABLE orders DROP CONSTRAINT orders_total_positive;", base=BASE)


def test_mysql_drop_foreign_key_syntax() -> None:
    assert _found("ALTER TABLE orders DROP FOREIGN KEY orders_owner;", dialect="mysql")
