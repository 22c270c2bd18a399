"""Runners the repository configures to wrap every migration in a transaction, read from their settings."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review
from bot.review import review
from tests.conftest import review_sql

BASE = {"db/migration/V1__orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);\n"}
INDEX = "CREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);\n"
PATH = "db/migration/V2__orders_total_idx.sql"


def _rules(head: dict[str, str]) -> set[str]:
    result = review_sql(INDEX, path=PATH, base=BASE, head=head, dialect="postgres")
    return {f.rule for f in result.active}


def test_flyway_group_runs_a_concurrent_index_inside_a_transaction() -> None:
    found = review_sql(
        INDEX, path=PATH, base=BASE, head={"flyway.conf": "flyway.group=true\n"}, dialect="postgres"
    )
    assert "concurrent-in-transaction" in {f.rule for f in found.active}
    [migration] = found.migrations
    assert "flyway.conf" in migration.transaction_note


def test_flyway_without_group_runs_a_concurrent_only_migration_outside_one() -> None:
    assert "concurrent-in-transaction" not in _rules({"flyway.conf": "flyway.url=jdbc:postgresql://db/app\n"})


def test_spring_flyway_group_in_application_properties() -> None:
    head = {"src/main/resources/application.properties": "spring.flyway.group=true\n"}
    assert "concurrent-in-transaction" in _rules(head)


TYPEORM_PATH = "src/migrations/1718000000000-OrdersTotalIndex.ts"
TYPEORM = (
    'import { MigrationInterface, QueryRunner } from "typeorm";\n'
    "export class OrdersTotalIndex1718000000000 implements MigrationInterface {\n"
    "  transaction = false;\n"
    "  public async up(queryRunner: QueryRunner): Promise<void> {\n"
    '    await queryRunner.query(`CREATE INDEX CONCURRENTLY "orders_total_idx" ON "orders" ("total")`);\n'
    "  }\n"
    "  public async down(queryRunner: QueryRunner): Promise<void> {\n"
    '    await queryRunner.query(`DROP INDEX CONCURRENTLY "orders_total_idx"`);\n'
    "  }\n"
    "}\n"
)


def _typeorm(mode: str) -> set[str]:
    source = (
        'import { DataSource } from "typeorm";\n'
        f'export default new DataSource({{ type: "postgres", migrationsTransactionMode: "{mode}" }});\n'
    )
    result = review_sql(TYPEORM, path=TYPEORM_PATH, base=BASE, head={"src/data-source.ts": source})
    return {f.rule for f in result.active}


def test_typeorm_transaction_mode_all_wraps_a_migration_that_opts_out() -> None:
    assert "concurrent-in-transaction" in _typeorm("all")


def test_typeorm_transaction_mode_each_lets_a_migration_opt_out() -> None:
    assert "concurrent-in-transaction" not in _typeorm("each")


def test_typeorm_transaction_mode_is_read_however_it_is_spaced() -> None:
    source = (
        'import { DataSource } from "typeorm";\n'
        "export default new DataSource({ type: 'postgres', migrationsTransactionMode : 'all' });\n"
    )
    result = review_sql(TYPEORM, path=TYPEORM_PATH, base=BASE, head={"src/data-source.ts": source})
    assert "concurrent-in-transaction" in {f.rule for f in result.active}


@pytest.mark.parametrize(("table", "column"), [("sessions", "device_id"), ("courier_messages", "status")])
def test_pop_runs_each_file_in_a_transaction_unless_named_autocommit(table: str, column: str) -> None:
    """pop/fizz (a go.mod that requires it) wraps every migration file in a transaction, one statement or
    many: CREATE INDEX CONCURRENTLY fails there, and belongs in a `.autocommit.` file, which pop runs bare."""
    folder = "persistence/sql/migrations"
    base = {
        "go.mod": "module example.com/app\n\ngo 1.22\n\nrequire github.com/ory/pop/v6 v6.4.2\n",
        f"{folder}/20240101000000_{table}.up.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);",
    }
    index = f"CREATE INDEX CONCURRENTLY {table}_{column}_idx ON {table} ({column});"

    def review_of(name: str, requires: str = "") -> Review:
        files = {f"{folder}/20240201000000_{column}_idx.{name}": index}
        head = base | ({"go.mod": requires} if requires else {}) | files
        changed = tuple(ChangedFile(p, "added", None, t) for p, t in files.items())
        return review(ChangeSet("b", "h", changed, MemoryTree(head), MemoryTree(base)))

    wrapped = review_of("postgres.up.sql")
    assert wrapped.migrations[0].in_transaction
    assert "concurrent-in-transaction" in {f.rule for f in wrapped.active}
    bare = review_of("postgres.autocommit.up.sql")
    assert not bare.migrations[0].in_transaction
    assert "concurrent-in-transaction" not in {f.rule for f in bare.active}
    # golang-migrate sends a file of one statement bare
    migrate = review_of(
        "up.sql", "module example.com/app\n\nrequire github.com/golang-migrate/migrate/v4 v4.17.0\n"
    )
    assert not migrate.migrations[0].in_transaction
