from typing import Any

import pytest

from tests.conftest import review_sql, rule_ids

RULE = "soft-delete-in-unique-key"
RAILS = "db/migrate/20250215083320_add_unique_index_variant.rb"


def _found(sql: str, **kw: Any) -> list[str]:
    return [f.message for f in review_sql(sql, **kw).active if f.rule == RULE]


def test_a_unique_key_with_deleted_at_lets_live_duplicates_in() -> None:
    [message] = _found("CREATE UNIQUE INDEX u ON stock_items (variant_id, deleted_at);")
    assert "(variant_id, deleted_at)" in message and "`deleted_at` is NULL" in message
    assert _found("ALTER TABLE `items` ADD UNIQUE KEY `u` (`sku`, `archived_at`);", dialect="mysql")


def test_rails_add_index_unique_scoped_to_deleted_at() -> None:
    rails = (
        "class AddUniqueIndexVariant < ActiveRecord::Migration[7.1]\n  def change\n"
        "    add_index :spree_stock_items, [:variant_id, :deleted_at], unique: true\n  end\nend\n"
    )
    assert _found(rails, path=RAILS)
    assert not _found(rails.replace("unique: true", 'unique: true, where: "deleted_at IS NULL"'), path=RAILS)
    assert not _found(rails.replace("unique: true", "unique: true, nulls_not_distinct: true"), path=RAILS)


def test_live_rows_only_nulls_not_distinct_and_sentinels_are_quiet() -> None:
    assert not _found("CREATE UNIQUE INDEX u ON stock_items (variant_id) WHERE deleted_at IS NULL;")
    assert not _found("CREATE UNIQUE INDEX u ON stock_items (variant_id, deleted_at) NULLS NOT DISTINCT;")
    sentinel = (
        "CREATE TABLE stock_items (id bigint PRIMARY KEY, variant_id bigint, "
        "deleted_at timestamptz NOT NULL DEFAULT 'epoch');\n-- migration\n"
        "CREATE UNIQUE INDEX CONCURRENTLY u ON stock_items (variant_id, deleted_at);"
    )
    assert not _found(sentinel)


def test_other_nullable_columns_and_a_lone_soft_delete_column_are_not_this_rule() -> None:
    assert not _found("CREATE UNIQUE INDEX u ON accounts (user_id, external_id);")
    assert not _found("CREATE UNIQUE INDEX u ON accounts (deleted_at);")


@pytest.mark.parametrize(
    ("table", "own", "other", "soft"),
    [
        ("history", "client_id", "user_id", "deleted_at"),
        ("stock_items", "sku", "warehouse_id", "archived_at"),
    ],
)
@pytest.mark.parametrize("own_key", [True, False])
def test_a_key_whose_live_columns_are_unique_already_loses_nothing(
    table: str, own: str, other: str, soft: str, own_key: bool
) -> None:
    """atuin's `UNIQUE (client_id, user_id, deleted_at)` where `client_id` is unique by itself: live rows
    cannot repeat whatever `deleted_at` holds; without that key they can."""
    unique = " UNIQUE" if own_key else ""
    sql = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {own} text NOT NULL{unique}, {other} bigint, {soft} timestamp);\n"
        "-- migration\n"
        f"CREATE UNIQUE INDEX {table}_live ON {table} ({own}, {other}, {soft});\n"
    )
    assert ("soft-delete-in-unique-key" in rule_ids(review_sql(sql, dialect="sqlite"))) is not own_key
