"""unique-key-case-folded: a column of a unique key made to compare without case (PostgreSQL's citext, a MySQL
`…_ci` collation over a `…_bin` one, SQLite's NOCASE through Rails' `change_column … collation:`): rows that
differ only in case collide while the key is built again."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from tests.conftest import refusal, review_sql

RULE = "unique-key-case-folded"
NAMES = [("tags", "tag", "description"), ("accounts", "login", "nickname")]


def _findings(sql: str, dialect: str, **kwargs: Any) -> list[Any]:
    return [f for f in review_sql(sql, dialect=dialect, **kwargs).active if f.rule == RULE]


@pytest.mark.parametrize(("table", "key", "other"), NAMES)
def test_postgresql_citext_on_a_unique_column(table: str, key: str, other: str) -> None:
    schema = (
        f"CREATE EXTENSION citext;\nCREATE TABLE {table} (id bigint PRIMARY KEY, {key} varchar(40) NOT NULL, "
        f"{other} text);\nCREATE UNIQUE INDEX {table}_{key}_key ON {table} ({key});\n-- migration\n"
    )
    (finding,) = _findings(schema + f"ALTER TABLE {table} ALTER COLUMN {key} TYPE citext;\n", "postgres")
    assert f"`{table}.{key}` now compares without case (type `citext`)" in finding.message
    assert f"GROUP BY lower({key}) HAVING count(*) > 1" in finding.fix
    # a column in no unique key, or one that already was citext: nothing collides that did not before
    assert not _findings(schema + f"ALTER TABLE {table} ALTER COLUMN {other} TYPE citext;\n", "postgres")
    was = schema.replace(f"{key} varchar(40)", f"{key} citext")
    assert not _findings(was + f"ALTER TABLE {table} ALTER COLUMN {key} TYPE citext;\n", "postgres")


@pytest.mark.parametrize(("table", "key", "other"), NAMES)
@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_mysql_from_a_binary_collation_to_one_that_ignores_case(
    table: str, key: str, other: str, dialect: str
) -> None:
    def schema(collation: str) -> str:
        return (
            f"CREATE TABLE {table} (id bigint PRIMARY KEY, {key} varchar(40) COLLATE {collation} NOT NULL, "
            f"{other} varchar(40) COLLATE utf8mb4_bin, UNIQUE KEY {table}_{key} ({key})) DEFAULT CHARSET=utf8mb4;\n"
            "-- migration\n"
        )

    folded = f"ALTER TABLE {table} MODIFY {key} varchar(40) COLLATE utf8mb4_general_ci NOT NULL;\n"
    (finding,) = _findings(schema("utf8mb4_bin") + folded, dialect)
    assert "collation `utf8mb4_general_ci`" in finding.message
    # the column already ignored case (MySQL's default collations do), or the new one keeps it apart
    assert not _findings(schema("utf8mb4_unicode_ci") + folded, dialect)
    kept = folded.replace("utf8mb4_general_ci", "utf8mb4_0900_as_cs")
    assert not _findings(schema("utf8mb4_bin") + kept, dialect)
    # a column in no unique key
    loose = f"ALTER TABLE {table} MODIFY {other} varchar(40) COLLATE utf8mb4_general_ci;\n"
    assert not _findings(schema("utf8mb4_bin") + loose, dialect)


@pytest.mark.parametrize(("table", "key", "other"), NAMES)
def test_rails_change_column_to_nocase_on_sqlite(table: str, key: str, other: str) -> None:
    schema = (
        "ActiveRecord::Schema[8.0].define(version: 1) do\n"
        f'  create_table "{table}", force: :cascade do |t|\n'
        f'    t.string "{key}", limit: 25, null: false\n    t.string "{other}", limit: 25\n'
        f'    t.index ["{key}"], name: "index_{table}_on_{key}", unique: true\n  end\nend\n'
    )

    def migration(column: str) -> str:
        return (
            "class AddNocase < ActiveRecord::Migration[8.0]\n  def change\n"
            f'    change_column :{table}, :{column}, :string, limit: 25, collation: "NOCASE"\n  end\nend\n'
        )

    path = "db/migrate/20260128183915_add_nocase.rb"
    (finding,) = _findings(migration(key), "sqlite", path=path, base={"db/schema.rb": schema})
    assert "collation `NOCASE`" in finding.message
    assert not _findings(migration(other), "sqlite", path=path, base={"db/schema.rb": schema})
    already = schema.replace(f'"{key}", limit: 25,', f'"{key}", limit: 25, collation: "NOCASE",')
    assert not _findings(migration(key), "sqlite", path=path, base={"db/schema.rb": already})


@pytest.mark.parametrize(("table", "key", "other"), NAMES)
def test_rails_change_column_collation_copies_a_mysql_table(table: str, key: str, other: str) -> None:
    """The collation of Rails' `change_column` reaches the review: on MySQL a new collation copies the table."""
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {key} varchar(25) NOT NULL, {other} varchar(25));\n"
    )
    text = (
        "class Collate < ActiveRecord::Migration[8.0]\n  def change\n"
        f'    change_column :{table}, :{key}, :string, limit: 25, null: false, collation: "utf8mb4_bin"\n'
        "  end\nend\n"
    )
    result = review_sql(
        text, path="db/migrate/20260101000000_collate.rb", dialect="mysql", base={"db/structure.sql": schema}
    )
    assert any(f.rule == "mysql-table-copy" and "collation" in f.message for f in result.active)
    plain = text.replace(', collation: "utf8mb4_bin"', "")
    result = review_sql(
        plain, path="db/migrate/20260101000000_collate.rb", dialect="mysql", base={"db/structure.sql": schema}
    )
    assert not any(f.rule == "mysql-table-copy" for f in result.active)


def test_the_databases_refuse_the_change_when_two_values_differ_only_in_case(pg: Any, mariadb: Any) -> None:
    pg.execute("CREATE EXTENSION IF NOT EXISTS citext")
    pg.execute("CREATE TABLE tags (id int PRIMARY KEY, tag varchar(25) NOT NULL UNIQUE)")
    pg.execute("INSERT INTO tags VALUES (1, 'Rust'), (2, 'rust')")
    assert "could not create unique index" in refusal(
        pg.execute, "ALTER TABLE tags ALTER COLUMN tag TYPE citext"
    )
    with mariadb.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE tags (id int PRIMARY KEY, tag varchar(25) COLLATE utf8mb4_bin NOT NULL, UNIQUE KEY (tag))"
            " DEFAULT CHARSET=utf8mb4"
        )
        cursor.execute("INSERT INTO tags VALUES (1, 'Rust'), (2, 'rust')")
        refused = refusal(
            cursor.execute, "ALTER TABLE tags MODIFY tag varchar(25) COLLATE utf8mb4_general_ci NOT NULL"
        )
        assert "Duplicate entry" in refused
    # SQLite: Rails rebuilds the table under the new definition and copies the rows into it
    db = sqlite3.connect(":memory:")
    db.executescript(
        "CREATE TABLE tags (id integer PRIMARY KEY, tag varchar(25) NOT NULL);"
        "CREATE UNIQUE INDEX index_tags_on_tag ON tags (tag);"
        "INSERT INTO tags VALUES (1, 'Rust'), (2, 'rust');"
        "CREATE TABLE a_tags (id integer PRIMARY KEY, tag varchar(25) COLLATE NOCASE NOT NULL);"
        "CREATE UNIQUE INDEX tindex_tags_on_tag ON a_tags (tag);"
    )
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE constraint failed"):
        db.execute("INSERT INTO a_tags SELECT id, tag FROM tags")
