from typing import Any

from bot.model.config import Config
from bot.model.findings import Finding
from tests.conftest import review_sql

SQL = "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));"


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "inline-references-ignored"]


def test_mysql_8_ignores_inline_references() -> None:
    assert _found(SQL, dialect="mysql")


def test_mysql_9_and_mariadb_10_5_honour_them() -> None:
    assert not _found(SQL, config=Config(dialect="mysql", database_version="9.1"))
    assert not _found(SQL, config=Config(dialect="mariadb", database_version="10.6"))
    assert _found(SQL, config=Config(dialect="mariadb", database_version="10.4"))


def test_table_level_foreign_key_and_postgres_are_quiet() -> None:
    good = "CREATE TABLE o (id bigint, user_id bigint, FOREIGN KEY (user_id) REFERENCES users (id));"
    assert not _found(good, dialect="mysql")
    assert not _found(SQL)
