"""The headline of statements-after-exclusive-lock names what the earlier lock blocks: an index build's SHARE
lock and a foreign key's SHARE ROW EXCLUSIVE lock block writes, not reads, and the headline must not say
ACCESS EXCLUSIVE of them."""

from __future__ import annotations

import pytest

from bot.render.formats import title
from tests.conftest import review_sql

# (table, other table, column): two name sets
NAMES = [("session", "website_event", "hostname"), ("recipes", "users", "rating")]


@pytest.mark.parametrize(("table", "other", "column"), NAMES)
def test_the_headline_holds_for_a_lock_that_blocks_writes(table: str, other: str, column: str) -> None:
    sql = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n"
        f"CREATE TABLE {other} (id bigint PRIMARY KEY, {column} text);\n-- migration\n-- +goose Up\n"
        f"CREATE INDEX {table}_{column}_idx ON {table} ({column});\n"
        f"CREATE INDEX {other}_{column}_idx ON {other} ({column});\n-- +goose Down\nSELECT 1;\n"
    )
    [found] = [f for f in review_sql(sql).findings if f.rule == "statements-after-exclusive-lock"]
    assert "SHARE" in found.message and "ACCESS EXCLUSIVE" not in found.message
    assert "ACCESS EXCLUSIVE" not in title(found.rule) and "blocks writes" in title(found.rule)
