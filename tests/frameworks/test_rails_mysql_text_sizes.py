"""Rails on MySQL and MariaDB: `text`/`binary` columns with `size:` or a byte `limit:` are the server's
tinytext … longtext (tinyblob … longblob), in migrations and in `db/schema.rb`, so a change between two sizes
is read as the type change it is (MariaDB copies the table for it)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.frameworks.column_types import rails_type
from tests.conftest import review_sql

NAMES = [("moderations", "action", "reason"), ("articles", "body", "summary")]


def _review(table: str, column: str, other: str, change: str) -> Any:
    schema = (
        "ActiveRecord::Schema[8.0].define(version: 2025_01_01_000000) do\n"
        f'  create_table "{table}", charset: "utf8mb4", force: :cascade do |t|\n'
        f'    t.text "{column}", size: :medium\n    t.binary "{other}", size: :tiny\n  end\nend\n'
    )
    text = f"class Change{table.title()} < ActiveRecord::Migration[8.0]\n  def up\n    {change}\n  end\n\n  def down\n  end\nend\n"
    base = {"db/schema.rb": schema, "config/database.yml": "production:\n  adapter: mysql2\n"}
    return review_sql(text, path=f"db/migrate/20250630123615_change_{table}.rb", base=base)


def test_sizes_and_limits_name_the_servers_types() -> None:
    assert rails_type("text", {"size": "long"}, "mariadb") == "longtext"
    assert rails_type("binary", {"size": "medium"}, "mysql") == "mediumblob"
    assert rails_type("text", {"limit": 255}, "mysql") == "tinytext"
    assert rails_type("text", {"limit": 70000}, "mysql") == "mediumtext"
    assert rails_type("text", {"limit": 4294967295}, "mysql") == "longtext"
    assert rails_type("text", {"size": "long"}, "postgres") == "text"  # PostgreSQL has one text type


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_a_longer_text_type_copies_the_table(table: str, column: str, other: str) -> None:
    longer = _review(
        table, column, other, f"change_column :{table}, :{column}, :text, size: :long, null: false"
    )
    (finding,) = [f for f in longer.active if f.rule == "type-change-rewrite"]
    assert "from `mediumtext` to `longtext`" in finding.message
    blob = _review(table, column, other, f"change_column :{table}, :{other}, :binary, limit: 70000")
    assert [f for f in blob.active if f.rule == "type-change-rewrite" and "`mediumblob`" in f.message]
    same = _review(
        table, column, other, f"change_column :{table}, :{column}, :text, size: :medium, null: false"
    )
    assert not [f for f in same.active if f.rule == "type-change-rewrite"]


def test_mariadb_copies_the_table_to_change_a_text_size(mariadb: Any) -> None:
    with mariadb.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS mr_text_sizes")
        cursor.execute("CREATE TABLE mr_text_sizes (id bigint PRIMARY KEY, body mediumtext) ENGINE=InnoDB")
        try:
            with pytest.raises(Exception, match="ALGORITHM=COPY"):
                cursor.execute("ALTER TABLE mr_text_sizes MODIFY body longtext, ALGORITHM=INPLACE, LOCK=NONE")
            cursor.execute(
                "ALTER TABLE mr_text_sizes MODIFY body mediumtext NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"
            )
        finally:
            cursor.execute("DROP TABLE mr_text_sizes")
