"""MikroORM (`this.addSql`) and Drizzle (drizzle-kit's SQL files and journal) through `review()`."""

from __future__ import annotations

import json

from bot.frameworks import detect, drizzle, mikroorm
from bot.model.changeset import MemoryTree
from bot.model.config import Config
from bot.model.migration import AddIndex, DropColumn, Unparsed
from tests.conftest import review_sql

MIKRO = "src/migrations/Migration20240601120000.ts"
BASE_SQL = {
    "db/migrations/000_schema.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, legacy_code text, state text);\n"
}


def _mikro(up: str, down: str = "    this.addSql('select 1');\n", head: str = "") -> str:
    return (
        "import { Migration } from '@mikro-orm/migrations';\n"
        "\n"
        "export class Migration20240601120000 extends Migration {\n"
        f"{head}"
        "  async up(): Promise<void> {\n"
        f"{up}"
        "  }\n"
        "\n"
        "  async down(): Promise<void> {\n"
        f"{down}"
        "  }\n"
        "}\n"
    )


def test_mikroorm_add_sql_at_its_lines() -> None:
    text = _mikro(
        '    this.addSql(\'alter table "orders" drop column "legacy_code";\');\n'
        '    this.addSql(`create index "orders_state_index" on "orders" ("state");`);\n'
    )
    assert detect(MIKRO, text, Config()) is mikroorm
    migration = mikroorm.parse(MIKRO, text, MemoryTree(), "postgres")
    assert [(op.location.line, type(op)) for op in migration.up] == [(5, DropColumn), (6, AddIndex)]
    assert migration.in_transaction and mikroorm.version(MIKRO) == "20240601120000"


def test_mikroorm_not_transactional_with_a_concurrent_index() -> None:
    head = "  isTransactional(): boolean {\n    return false;\n  }\n\n"
    up = "    this.addSql(\"set lock_timeout = '5s';\");\n    this.addSql('create index concurrently if not exists orders_state_idx on orders (state);');\n"
    down = "    this.addSql('drop index concurrently if exists orders_state_idx;');\n"
    good = review_sql(_mikro(up, down, head), path=MIKRO, base=BASE_SQL)
    assert good.approval == "APPROVED", [(f.rule, f.line) for f in good.active]
    bad = review_sql(_mikro(up, down), path=MIKRO, base=BASE_SQL)
    assert "concurrent-in-transaction" in {f.rule for f in bad.active}


def test_mikroorm_dropped_column_without_down() -> None:
    text = (
        "import { Migration } from '@mikro-orm/migrations';\n"
        "export class Migration20240601120000 extends Migration {\n"
        "  async up(): Promise<void> {\n"
        "    this.addSql('alter table orders drop column legacy_code;');\n"
        "  }\n"
        "}\n"
    )
    result = review_sql(text, path=MIKRO, base=BASE_SQL)
    assert {("column-dropped", 4), ("missing-down-migration", 4)} <= {(f.rule, f.line) for f in result.active}


DRIZZLE = "drizzle/0003_brave_hulk.sql"


def _journal(*tags: str) -> str:
    entries = [
        {"idx": i, "version": "7", "when": 1700000000000 + i, "tag": tag, "breakpoints": True}
        for i, tag in enumerate(tags)
    ]
    return json.dumps({"version": "7", "dialect": "postgresql", "entries": entries})


def test_drizzle_statements_between_breakpoints_at_their_lines() -> None:
    text = (
        'ALTER TABLE "orders" DROP COLUMN "legacy_code";--> statement-breakpoint\n'
        'CREATE INDEX "orders_state_idx" ON "orders" USING btree ("state");\n'
    )
    assert detect(DRIZZLE, text, Config()) is drizzle
    tree = MemoryTree({"drizzle/meta/_journal.json": _journal("0000_init", "0003_brave_hulk")})
    migration = drizzle.parse(DRIZZLE, text, tree, "postgres")
    assert [(op.location.line, type(op)) for op in migration.up] == [(1, DropColumn), (2, AddIndex)]
    assert migration.down is None and drizzle.version(DRIZZLE) == "0003"


def test_drizzle_file_missing_from_the_journal_is_a_finding() -> None:
    tree = MemoryTree({"drizzle/meta/_journal.json": _journal("0000_init")})
    migration = drizzle.parse(DRIZZLE, 'ALTER TABLE "orders" ADD COLUMN "note" text;\n', tree, "postgres")
    assert isinstance(migration.up[0], Unparsed) and "_journal.json" in migration.up[0].error


def test_drizzle_review_bad_and_good() -> None:
    journal = {"drizzle/meta/_journal.json": _journal("0000_init", "0003_brave_hulk")}
    base = {
        **journal,
        "drizzle/0000_init.sql": 'CREATE TABLE "orders" ("id" serial PRIMARY KEY, "legacy_code" text);\n',
    }
    bad = review_sql('ALTER TABLE "orders" DROP COLUMN "legacy_code";\n', path=DRIZZLE, base=base)
    assert {"column-dropped", "missing-down-migration"} <= {f.rule for f in bad.active}
    assert "drizzle-kit" in next(f.fix for f in bad.active if f.rule == "missing-down-migration")
    good = review_sql('ALTER TABLE "orders" ADD COLUMN "note" text;\n', path=DRIZZLE, base=base)
    assert good.approval == "APPROVED", [(f.rule, f.line) for f in good.active]
    assert [m.framework for m in good.migrations] == ["drizzle"]


def test_mikroorm_entity_of_a_dropped_table_is_a_reference() -> None:
    entity = (
        "import { Entity, PrimaryKey } from '@mikro-orm/core';\n"
        "\n"
        "@Entity({ tableName: 'orders' })\n"
        "export class Purchase {\n"
        "  @PrimaryKey() id!: number;\n"
        "}\n"
    )
    service = "import { Purchase } from '../entities/Purchase';\n\nexport const repository = em.getRepository(Purchase);\n"
    text = _mikro("    this.addSql('drop table orders;');\n")
    base = {**BASE_SQL, "src/entities/Purchase.ts": entity, "src/services/purchases.ts": service}
    result = review_sql(text, path=MIKRO, base=base)
    finding = next(f for f in result.active if f.rule == "table-dropped")
    assert ("src/services/purchases.ts", 3) in [(ref.path, ref.line) for ref in finding.references]
