"""Rails on MySQL and MariaDB: `text`/`binary` columns with `size:` or a byte `limit:` are the server's
tinytext … longtext (tinyblob … longblob), in migrations and in `db/schema.rb`, so a change between two sizes
is read as the type change it is (MariaDB copies the table for it)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.frameworks.column_types import rails_type
from tests.conftest import review_sql

NAMES = [("audit_entries", "detail", "note"), ("articles", "body", "summary")]


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


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_converting_to_utf8mb4_widens_text_columns(table: str, column: str, other: str) -> None:
    """`CONVERT TO CHARACTER SET utf8mb4` moves a text column to mediumtext: a later down that restores
    `size: :medium` puts back what was there."""
    base = {
        "config/database.yml": "production:\n  adapter: mysql2\n",
        "db/migrate/20120101000000_create.rb": f"class Create < ActiveRecord::Migration[4.2]\n  def change\n"
        f"    create_table :{table} do |t|\n      t.text :{column}\n      t.string :{other}\n    end\n  end\nend\n",
        "db/migrate/20130101000000_to_utf8mb4.rb": "class ToUtf8mb4 < ActiveRecord::Migration[4.2]\n  def up\n"
        f'    execute "alter table {table} convert to character set utf8mb4"\n  end\n\n  def down\n  end\nend\n',
    }
    text = (
        f"class Enlarge < ActiveRecord::Migration[8.0]\n  def up\n    change_column :{table}, :{column}, :text, size: :long\n"
        f"  end\n\n  def down\n    change_column :{table}, :{column}, :text, size: :medium\n  end\nend\n"
    )
    result = review_sql(text, path="db/migrate/20250101000000_enlarge.rb", base=base)
    assert not [f for f in result.active if f.rule == "down-does-not-restore"]
    (rewrite,) = [f for f in result.active if f.rule == "type-change-rewrite"]
    assert "from `mediumtext` to `longtext`" in rewrite.message
    # a down that restores plain text does not put back the mediumtext the conversion left
    wrong = text.replace("size: :medium", "size: :tiny")
    assert [
        f
        for f in review_sql(wrong, path="db/migrate/20250101000000_enlarge.rb", base=base).active
        if f.rule == "down-does-not-restore"
    ]


def test_mariadb_widens_text_when_converting_to_utf8mb4(mariadb: Any) -> None:
    with mariadb.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS mr_convert")
        cursor.execute(
            "CREATE TABLE mr_convert (id int PRIMARY KEY, a tinytext, b text, c mediumtext) CHARACTER SET utf8mb3"
        )
        try:
            cursor.execute("ALTER TABLE mr_convert CONVERT TO CHARACTER SET utf8mb4")
            cursor.execute("SHOW COLUMNS FROM mr_convert")
            types = {row[0]: row[1] for row in cursor.fetchall()}
            assert types == {"id": "int(11)", "a": "text", "b": "mediumtext", "c": "longtext"}
        finally:
            cursor.execute("DROP TABLE mr_convert")
