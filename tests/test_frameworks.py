"""Each SQL runner: which files are its migrations, where the way back is, and whether it wraps a transaction."""

from __future__ import annotations

import pytest

from bot import frameworks
from bot.model.changeset import MemoryTree
from bot.model.config import Config, MigrationPath
from bot.model.migration import Migration

CASES = [
    ("db/migration/V2__add_orders.sql", "SELECT 1;", "flyway"),
    ("db/migration/V2_1__add_orders.sql", "SELECT 1;", "flyway"),
    ("db/migration/R__views.sql", "SELECT 1;", "flyway"),
    ("migrations/000002_orders.up.sql", "SELECT 1;", "golang-migrate"),
    ("db/migrations/20260101120000_orders.sql", "-- +goose Up\nSELECT 1;\n-- +goose Down\n", "goose"),
    ("db/migrations/20260101120000_orders.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\n", "dbmate"),
    # the marks in any case, and in files beyond ASCII (searched whatever they hold)
    ("db/migrations/20260101120000_orders.sql", "-- +GOOSE UP\nSELECT 1;\n-- +Goose Down\n", "goose"),
    ("db/migrations/20260101120000_orders.sql", "-- +goose Up\nSELECT 'café';\n", "goose"),
    ("db/migrations/20260101120000_orders.sql", "--  Migrate:Up\nSELECT 1;\n-- MIGRATE:DOWN\n", "dbmate"),
    ("db/migrations/20260101120000_orders.sql", "-- migrate:up\nSELECT 'naïve';\n", "dbmate"),
    ("db/migrations/20260101120000_orders.sql", "-- goose and migrate: words in a comment\nSELECT 1;", "sql"),
    ("prisma/migrations/20260101120000_orders/migration.sql", "SELECT 1;", "prisma"),
    ("migrations/2026-01-01-120000_orders/up.sql", "SELECT 1;", "diesel"),
    ("deploy/orders.sql", "BEGIN; SELECT 1; COMMIT;", "sqitch"),
    ("db/migrations/0002_orders.sql", "SELECT 1;", "sql"),
]


@pytest.mark.parametrize(("path", "text", "name"), CASES)
def test_detect(path: str, text: str, name: str) -> None:
    module = frameworks.detect(path, text, Config())
    assert module is not None and name == module.NAME


@pytest.mark.parametrize(
    "path",
    [
        "migrations/000002_orders.down.sql",
        "db/migration/U2__add_orders.sql",
        "migrations/2026-01-01-120000_orders/down.sql",
        "revert/orders.sql",
        "verify/orders.sql",
        "app/queries/report.sql",
        "db/migrations/0002_orders.down.sql",
    ],
)
def test_down_files_and_other_sql_are_not_migrations(path: str) -> None:
    assert frameworks.detect(path, "SELECT 1;", Config()) is None


def test_configured_globs_win_and_excludes_drop() -> None:
    config = Config(
        migrations=[MigrationPath(glob="sql/changes/*.sql", framework="sql")], exclude=["db/migrations/old/*"]
    )
    assert frameworks.detect("sql/changes/a.sql", "SELECT 1;", config) is frameworks.plain
    assert frameworks.detect("db/migrations/old/0001_x.sql", "SELECT 1;", config) is None


def _parse(path: str, text: str, files: dict[str, str] | None = None, dialect: str = "postgres") -> Migration:
    module = frameworks.detect(path, text, Config())
    assert module is not None
    return frameworks.parse(module, path, text, MemoryTree({path: text, **(files or {})}), dialect)


def test_golang_migrate_down_file_and_implicit_transaction() -> None:
    m = _parse(
        "m/000002_x.up.sql",
        "ALTER TABLE a ADD COLUMN b int;\nALTER TABLE a ADD COLUMN c int;",
        {"m/000002_x.down.sql": "ALTER TABLE a DROP COLUMN c;\nALTER TABLE a DROP COLUMN b;"},
    )
    assert m.in_transaction and m.down is not None and m.down_path == "m/000002_x.down.sql"
    assert [op.kind for op in m.down] == ["DropColumn", "DropColumn"]
    single = _parse("m/000003_y.up.sql", "CREATE INDEX CONCURRENTLY i ON a (b);")
    assert not single.in_transaction and single.down is None


def test_goose_sections_keep_file_lines() -> None:
    text = "-- +goose Up\n-- +goose StatementBegin\nALTER TABLE a ADD COLUMN b int;\n-- +goose StatementEnd\n\n-- +goose Down\nALTER TABLE a DROP COLUMN b;\n"
    m = _parse("db/migrations/00002_b.sql", text)
    assert [(op.kind, op.location.line) for op in m.up] == [("AddColumn", 3)]
    assert m.down is not None and [(op.kind, op.location.line) for op in m.down] == [("DropColumn", 7)]
    assert m.in_transaction


def test_dbmate_empty_down_is_no_way_back() -> None:
    m = _parse(
        "db/migrations/20260101_x.sql",
        "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON a (b);\n-- migrate:down\n",
    )
    assert not m.in_transaction and m.down is None and "down" in m.irreversible_reason


def test_flyway_undo_and_repeatable() -> None:
    m = _parse(
        "db/migration/V3__x.sql",
        "ALTER TABLE a ADD COLUMN b int;",
        {"db/migration/U3__x.sql": "ALTER TABLE a DROP COLUMN b;"},
    )
    assert m.in_transaction and m.down is not None and m.version == "3"
    assert _parse("db/migration/V4__y.sql", "SELECT 1;").down is None


def test_prisma_has_no_down_and_diesel_metadata() -> None:
    prisma = _parse("prisma/migrations/20260101_x/migration.sql", "ALTER TABLE a ADD COLUMN b int;")
    assert prisma.down is None and "Prisma" in prisma.irreversible_reason
    diesel = _parse(
        "migrations/2026_x/up.sql",
        "CREATE INDEX CONCURRENTLY i ON a (b);",
        {
            "migrations/2026_x/metadata.toml": "run_in_transaction = false\n",
            "migrations/2026_x/down.sql": "DROP INDEX i;",
        },
    )
    assert not diesel.in_transaction and diesel.down is not None


def test_sqitch_transaction_comes_from_the_script() -> None:
    m = _parse(
        "deploy/orders.sql",
        "BEGIN;\nALTER TABLE a ADD COLUMN b int;\nCOMMIT;",
        {"revert/orders.sql": "ALTER TABLE a DROP COLUMN b;"},
    )
    assert m.in_transaction and m.down is not None


def test_dialect_detection() -> None:
    assert (
        frameworks.detect_dialect(
            MemoryTree({"prisma/schema.prisma": 'datasource db {\n provider = "mysql"\n}'}), []
        )
        == "mysql"
    )
    assert (
        frameworks.detect_dialect(
            MemoryTree({"config/database.yml": "production:\n  adapter: postgresql\n"}), []
        )
        == "postgres"
    )
    assert frameworks.detect_dialect(MemoryTree(), ["CREATE TABLE `a` (id int AUTO_INCREMENT);"]) == "mysql"
    assert (
        frameworks.detect_dialect(MemoryTree(), ["CREATE TABLE a (id integer PRIMARY KEY AUTOINCREMENT);"])
        == "sqlite"
    )
    assert frameworks.detect_dialect(MemoryTree(), ["CREATE TABLE a (id bigint);"]) == "postgres"
