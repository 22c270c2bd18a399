"""goose migrations written in Go are named as migrations the review cannot read, never passed over."""

from __future__ import annotations

import pytest

from bot.frameworks import detect
from bot.model.config import Config
from tests.conftest import review_sql

GO = (
    'package migrations\n\nimport (\n\t"context"\n\t"database/sql"\n\n\t"github.com/pressly/goose/v3"\n)\n\n'
    "func init() {{\n\tgoose.{register}({up}, {down})\n}}\n\n"
    "func {up}(ctx context.Context, db *sql.DB) error {{\n"
    '\t_, err := db.ExecContext(ctx, "CREATE INDEX CONCURRENTLY {table}_seen_idx ON {table} (seen_at)")\n'
    "\treturn err\n}}\n"
)
CASES = [
    ("cmd/migrate/migrations/20260806002346_v1_0_137.go", "AddMigrationNoTxContext", "events", False),
    ("db/migrations/00042_backfill.go", "AddMigrationContext", "orders", True),
    ("internal/migration/20240101_split.go", "AddMigration", "users", True),
]


@pytest.mark.parametrize(("path", "register", "table", "in_transaction"), CASES)
def test_a_go_migration_blocks_until_read_by_hand(
    path: str, register: str, table: str, in_transaction: bool
) -> None:
    text = GO.format(register=register, up="upAddIndex", down="downAddIndex", table=table)
    result = review_sql(text, path=path)
    [migration] = result.migrations
    assert migration.framework == "goose_go" and migration.in_transaction is in_transaction
    assert migration.has_down
    [finding] = [f for f in result.active if f.rule == "unreadable-migration"]
    assert "written in Go" in finding.message and result.approval == "BLOCKED"


@pytest.mark.parametrize("table", ["events", "orders"])
def test_a_nil_down_function_is_no_way_back(table: str) -> None:
    text = GO.format(register="AddMigrationContext", up="upFill", down="nil", table=table)
    [migration] = review_sql(text, path="db/migrations/00043_fill.go").migrations
    assert not migration.has_down


@pytest.mark.parametrize(
    "path", ["cmd/migrate/main.go", "db/migrations/00042_backfill_test.go", "internal/store/orders.go"]
)
def test_go_code_that_registers_no_migration_is_none(path: str) -> None:
    text = 'package main\n\nimport "github.com/pressly/goose/v3"\n\nfunc main() {\n\tgoose.Up(db, "migrations")\n}\n'
    assert detect(path, text, Config()) is None
    if path.endswith("_test.go"):
        registered = GO.format(register="AddMigration", up="upX", down="downX", table="t")
        assert detect(path, registered, Config()) is None
