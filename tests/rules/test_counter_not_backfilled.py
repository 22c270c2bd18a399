"""counter-not-backfilled: a count of related rows added with DEFAULT 0 and not filled."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

RULE = "counter-not-backfilled"

CASES = [
    ("posts", "comments", "post_id", "comments_count"),
    ("albums", "photos", "album_id", "photos_count"),
    ('"Post"', '"Like"', '"postId"', '"likesCount"'),
]


def _found(sql: str, **kw: Any) -> list[Any]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


def _schema(parent: str, child: str, key: str) -> str:
    return (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {key} bigint REFERENCES {parent} (id));\n-- migration\n"
    )


@pytest.mark.parametrize(("parent", "child", "key", "count"), CASES)
def test_a_count_added_as_zero_is_found(parent, child, key, count) -> None:  # type: ignore[no-untyped-def]
    (finding,) = _found(
        _schema(parent, child, key) + f"ALTER TABLE {parent} ADD COLUMN {count} integer NOT NULL DEFAULT 0;"
    )
    assert child.strip('"') in finding.message


@pytest.mark.parametrize(("parent", "child", "key", "count"), CASES)
def test_a_filled_count_or_a_count_of_nothing_known_is_quiet(parent, child, key, count) -> None:  # type: ignore[no-untyped-def]
    schema = _schema(parent, child, key)
    filled = (
        f"ALTER TABLE {parent} ADD COLUMN {count} integer NOT NULL DEFAULT 0;\n"
        f"UPDATE {parent} SET {count} = (SELECT count(*) FROM {child} WHERE {child}.{key} = {parent}.id) "
        f"WHERE id BETWEEN 1 AND 1000;"
    )
    assert not _found(schema + filled)
    assert not _found(schema + f"ALTER TABLE {parent} ADD COLUMN retry_count integer NOT NULL DEFAULT 0;")


def test_rails_reset_counters_in_the_migration_is_a_backfill() -> None:
    base = {
        "db/schema.rb": (
            "ActiveRecord::Schema[7.1].define(version: 2024_01_01_000000) do\n"
            '  create_table "posts" do |t|\n    t.string "title"\n  end\n'
            '  create_table "comments" do |t|\n    t.bigint "post_id"\n  end\n'
            '  add_foreign_key "comments", "posts"\nend\n'
        )
    }
    added = "    add_column :posts, :comments_count, :integer, default: 0, null: false\n"
    bare = f"class AddCommentsCount < ActiveRecord::Migration[7.1]\n  def up\n{added}  end\nend\n"
    path = "db/migrate/20240202000000_add_comments_count.rb"
    assert _found(bare, path=path, base=base)
    reset = bare.replace(
        added, added + "    Post.find_each { |post| Post.reset_counters(post.id, :comments) }\n"
    )
    assert not _found(reset, path=path, base=base)


@pytest.mark.parametrize(
    ("parent", "child", "count"),
    [("posts", "comments", "comments_count"), ("users", "orders", "number_of_orders")],
)
def test_a_later_migration_of_the_change_that_fills_the_count_is_the_backfill(
    tmp_path, parent, child, count
) -> None:  # type: ignore[no-untyped-def]
    from tests.test_lint_cli import lint_json, write

    key = f"{parent[:-1]}_id"
    files = {
        "db/migrations/001_schema.sql": f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {key} bigint REFERENCES {parent} (id));\n",
        "db/migrations/002_add_count.sql": f"ALTER TABLE {parent} ADD COLUMN {count} integer NOT NULL DEFAULT 0;\n",
    }
    write(tmp_path, files)
    found = [
        f for f in lint_json(str(tmp_path / "db"), "--dialect", "postgres")["findings"] if f["rule"] == RULE
    ]
    assert [f["path"].rsplit("/", 1)[-1] for f in found] == ["002_add_count.sql"]
    write(
        tmp_path,
        {
            "db/migrations/003_fill_count.sql": f"UPDATE {parent} SET {count} = (SELECT count(*) FROM {child} "
            f"WHERE {child}.{key} = {parent}.id) WHERE id BETWEEN 1 AND 1000;\n"
        },
    )
    assert not [
        f for f in lint_json(str(tmp_path / "db"), "--dialect", "postgres")["findings"] if f["rule"] == RULE
    ]
