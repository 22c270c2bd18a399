"""TypeORM migrations through `review()`: detection, the QueryRunner API and SQL at their lines, runner
semantics (`transaction = false`), reversibility, data changes and entities as code references."""

from __future__ import annotations

import pytest

from bot.frameworks import detect, typeorm
from bot.model.changeset import MemoryTree
from bot.model.config import Config
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    CreateTable,
    DataUpdate,
    DropColumn,
    DropIndex,
    RenameColumn,
    SetNotNull,
    Unparsed,
)
from tests.conftest import review_sql

PATH = "src/migrations/1718000000000-ChangeOrders.ts"
BASE = {
    "src/migrations/1700000000000-Init.ts": (
        'import { MigrationInterface, QueryRunner } from "typeorm";\n'
        "export class Init1700000000000 implements MigrationInterface {\n"
        "  public async up(queryRunner: QueryRunner): Promise<void> {\n"
        '    await queryRunner.query(`CREATE TABLE "orders" ("id" SERIAL PRIMARY KEY, "legacy_code" varchar, '
        '"state" varchar, "user_id" integer)`);\n'
        "  }\n"
        "  public async down(queryRunner: QueryRunner): Promise<void> {\n"
        '    await queryRunner.query(`DROP TABLE "orders"`);\n'
        "  }\n"
        "}\n"
    )
}


def _migration(up: str, down: str = "    await queryRunner.query(`SELECT 1`);\n", head: str = "") -> str:
    return (
        'import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from "typeorm";\n'
        "\n"
        "export class ChangeOrders1718000000000 implements MigrationInterface {\n"
        f"{head}"
        "  public async up(queryRunner: QueryRunner): Promise<void> {\n"
        f"{up}"
        "  }\n"
        "\n"
        "  public async down(queryRunner: QueryRunner): Promise<void> {\n"
        f"{down}"
        "  }\n"
        "}\n"
    )


def _parse(text: str) -> typeorm.Migration:
    return typeorm.parse(PATH, text, MemoryTree(), "postgres")


def _rules(result: object) -> set[tuple[str, int]]:
    return {(f.rule, f.line) for f in result.active}  # type: ignore[attr-defined]


def test_detects_typeorm_migrations_only() -> None:
    text = _migration("")
    assert getattr(detect(PATH, text, Config()), "NAME", None) == typeorm.NAME
    assert (
        getattr(detect("dist/migrations/1718000000000-ChangeOrders.js", text, Config()), "NAME", None)
        == typeorm.NAME
    )
    assert detect("src/entities/order.ts", text, Config()) is None
    assert typeorm.version(PATH) == "1718000000000"


def test_query_runner_api_at_the_lines_of_its_calls() -> None:
    migration = _parse(
        _migration(
            '    await queryRunner.addColumn("orders", new TableColumn({ name: "code", type: "varchar", length: "40", isNullable: true }));\n'
            '    await queryRunner.dropColumn("orders", "legacy_code");\n'
            '    await queryRunner.renameColumn("orders", "state", "status");\n'
            '    await queryRunner.createIndex("orders", new TableIndex({ name: "IDX_orders_code", columnNames: ["code"], isConcurrent: true }));\n'
            '    await queryRunner.dropIndex("orders", "IDX_old");\n'
            '    await queryRunner.createForeignKey("orders", new TableForeignKey({ columnNames: ["user_id"], referencedTableName: "users", referencedColumnNames: ["id"] }));\n'
            '    await queryRunner.createTable(new Table({ name: "coupons", columns: [{ name: "id", type: "int", isPrimary: true }, { name: "code", type: "varchar" }] }), true);\n'
            '    await queryRunner.changeColumn("orders", "status", new TableColumn({ name: "status", type: "varchar", isNullable: false }));\n'
        )
    )
    kinds = [(op.location.line, type(op)) for op in migration.up]
    assert kinds == [
        (5, AddColumn),
        (6, DropColumn),
        (7, RenameColumn),
        (8, AddIndex),
        (9, DropIndex),
        (10, AddConstraint),
        (11, CreateTable),
        *[(12, type(op)) for op in migration.up[7:]],
    ]
    add, _, _, index, _, key, table = migration.up[:7]
    assert isinstance(add, AddColumn) and add.column.type == "varchar(40)" and add.column.nullable
    assert isinstance(index, AddIndex) and index.concurrently and index.columns == ("code",)
    assert isinstance(key, AddConstraint) and key.references == "users" and key.constraint == "foreign_key"
    assert isinstance(table, CreateTable) and [c.name for c in table.columns] == ["id", "code"]
    assert any(isinstance(op, SetNotNull) and op.column == "status" for op in migration.up[7:])


def test_change_column_with_a_new_type_drops_and_re_adds_it() -> None:
    migration = _parse(
        _migration(
            '    await queryRunner.changeColumn("orders", new TableColumn({ name: "total", type: "int" }),\n'
            '      new TableColumn({ name: "total", type: "numeric", precision: 10, scale: 2 }));\n'
        )
    )
    assert [type(op) for op in migration.up] == [DropColumn, AddColumn]


def test_query_is_read_as_sql_with_template_literals() -> None:
    migration = _parse(
        _migration(
            "    await queryRunner.query(\n"
            "      `UPDATE orders SET state = 'closed' WHERE id = ${id}`,\n"
            "    );\n"
        )
    )
    (update,) = migration.up
    assert isinstance(update, DataUpdate) and update.table == "orders" and update.location.line == 6


def test_sql_computed_at_run_time_is_an_unparsed_finding() -> None:
    result = review_sql(_migration("    await queryRunner.query(buildSql());\n"), path=PATH, base=BASE)
    assert ("unparsed-statement", 5) in _rules(result)


def test_dropped_column_blocks_and_down_restores() -> None:
    bad = review_sql(
        _migration(
            '    await queryRunner.dropColumn("orders", "legacy_code");\n',
            down="    throw new Error('irreversible');\n",
        ),
        path=PATH,
        base=BASE,
    )
    assert {("column-dropped", 5), ("missing-down-migration", 5)} <= _rules(bad)
    assert "@Column" in next(f.fix for f in bad.active if f.rule == "column-dropped")
    assert bad.approval == "BLOCKED"


def test_non_concurrent_index_and_its_fix_in_typeorm_terms() -> None:
    bad = review_sql(
        _migration(
            '    await queryRunner.createIndex("orders", new TableIndex({ name: "IDX_state", columnNames: ["state"] }));\n'
        ),
        path=PATH,
        base=BASE,
    )
    finding = next(f for f in bad.active if f.rule == "non-concurrent-index")
    assert finding.line == 5 and "transaction = false" in finding.fix
    good = review_sql(
        _migration(
            "    await queryRunner.query(`SET lock_timeout = '5s'`);\n"
            '    await queryRunner.createIndex("orders", new TableIndex({ name: "IDX_state", columnNames: ["state"], isConcurrent: true }));\n',
            down='    await queryRunner.dropIndex("orders", new TableIndex({ name: "IDX_state", columnNames: ["state"], isConcurrent: true }));\n',
            head="  transaction = false;\n\n",
        ),
        path=PATH,
        base=BASE,
    )
    assert not _parse(_migration("", head="  transaction = false;\n")).in_transaction
    assert "non-concurrent-index" not in {f.rule for f in good.active}
    assert "concurrent-in-transaction" not in {f.rule for f in good.active}


def test_concurrent_index_inside_the_transaction_is_found() -> None:
    result = review_sql(
        _migration(
            '    await queryRunner.query(`CREATE INDEX CONCURRENTLY "IDX_state" ON "orders" ("state")`);\n'
        ),
        path=PATH,
        base=BASE,
    )
    assert ("concurrent-in-transaction", 5) in _rules(result)


def test_additive_reversible_migration_is_approved() -> None:
    result = review_sql(
        _migration(
            '    await queryRunner.addColumn("orders", new TableColumn({ name: "note", type: "text", isNullable: true }));\n',
            down='    await queryRunner.dropColumn("orders", "note");\n',
        ),
        path=PATH,
        base=BASE,
    )
    assert result.approval == "APPROVED", [f.rule for f in result.active]


def test_entity_using_a_dropped_column_is_a_reference() -> None:
    entity = (
        'import { Entity, Column, PrimaryGeneratedColumn } from "typeorm";\n'
        "\n"
        '@Entity("orders")\n'
        "export class Order {\n"
        "  @PrimaryGeneratedColumn()\n"
        "  id: number;\n"
        "\n"
        "  @Column()\n"
        "  legacy_code: string;\n"
        "}\n"
    )
    result = review_sql(
        _migration('    await queryRunner.dropColumn("orders", "legacy_code");\n'),
        path=PATH,
        base={**BASE, "src/entities/order.entity.ts": entity},
    )
    finding = next(f for f in result.active if f.rule == "column-dropped")
    assert any(ref.path == "src/entities/order.entity.ts" for ref in finding.references)


def test_unknown_runner_method_is_unparsed() -> None:
    migration = _parse(_migration('    await queryRunner.createView(new View({ name: "v" }));\n'))
    assert isinstance(migration.up[0], Unparsed)


def test_dialect_from_the_data_source() -> None:
    source = (
        'import { DataSource } from "typeorm";\n'
        'export default new DataSource({ type: "mariadb", migrations: ["src/migrations/*.ts"] });\n'
    )
    result = review_sql(_migration(""), path=PATH, base={**BASE, "src/data-source.ts": source})
    assert [m.dialect for m in result.migrations] == ["mariadb"]  # parsed as MySQL, judged as MariaDB


def test_helper_methods_of_the_class_are_read_where_they_are_called() -> None:
    migration = _parse(
        _migration(
            "    await this.backfill(queryRunner);\n",
            head=(
                "  private async backfill(runner: QueryRunner): Promise<void> {\n"
                "    await runner.query(`UPDATE orders SET state = 'open'`);\n"
                "  }\n\n"
            ),
        )
    )
    assert [(op.location.line, op.kind) for op in migration.up] == [(5, "DataUpdate")]


def test_suppression_comment_in_typescript() -> None:
    result = review_sql(
        _migration(
            "    // migration-review: ignore column-dropped the entity stopped reading it in #412\n"
            '    await queryRunner.dropColumn("orders", "legacy_code");\n'
        ),
        path=PATH,
        base=BASE,
    )
    assert "column-dropped" not in {f.rule for f in result.active}


def test_entity_named_by_its_class_is_a_reference() -> None:
    init = _migration(
        '    await queryRunner.query(`CREATE TABLE "order_item" ("id" SERIAL PRIMARY KEY, "legacyCode" varchar)`);\n'
    )
    entity = 'import { Entity, Column } from "typeorm";\n\n@Entity()\nexport class OrderItem {\n  @Column()\n  legacyCode: string;\n}\n'
    result = review_sql(
        _migration('    await queryRunner.dropColumn("order_item", "legacyCode");\n'),
        path=PATH,
        base={"src/migrations/1700000000000-Init.ts": init, "src/entities/order-item.entity.ts": entity},
    )
    finding = next(f for f in result.active if f.rule == "column-dropped")
    assert ("src/entities/order-item.entity.ts", 6) in [(ref.path, ref.line) for ref in finding.references]


def test_foreign_key_fix_in_typeorm_terms() -> None:
    result = review_sql(
        _migration(
            '    await queryRunner.createForeignKey("orders", new TableForeignKey({ columnNames: ["user_id"], referencedTableName: "orders", referencedColumnNames: ["id"] }));\n'
        ),
        path=PATH,
        base=BASE,
    )
    finding = next(f for f in result.active if f.rule == "constraint-not-valid")
    assert finding.line == 5 and "createForeignKey` cannot" in finding.fix


@pytest.mark.parametrize(
    "path", ["packages/core/src/lib/database/migration-executor.ts", "src/migrations/generator.ts"]
)
def test_a_migration_generator_is_no_migration(path: str) -> None:
    """A module that writes migrations from a template (`export class … implements MigrationInterface` inside a
    template string) is code, not a migration."""
    generator = (
        'import { DataSource } from "typeorm";\n\n'
        "export function template(name: string): string {\n"
        "  return `import { MigrationInterface, QueryRunner } from 'typeorm';\n"
        "export class ${name} implements MigrationInterface {\n"
        "    public async up(queryRunner: QueryRunner): Promise<void> {}\n"
        "    public async down(queryRunner: QueryRunner): Promise<void> {}\n}\n`;\n}\n\n"
        "export async function run(source: DataSource) {\n  const queryRunner = source.createQueryRunner();\n"
        "  await queryRunner.release();\n}\n"
    )
    assert not detect(path, generator, Config())
    migration = (
        'import { MigrationInterface, QueryRunner } from "typeorm";\n\n'
        "export class AddNote1700000000000 implements MigrationInterface {\n"
        "  public async up(queryRunner: QueryRunner): Promise<void> {\n"
        '    await queryRunner.query(`ALTER TABLE "order" ADD "note" text`);\n  }\n\n'
        "  public async down(queryRunner: QueryRunner): Promise<void> {}\n}\n"
    )
    assert detect("src/migrations/1700000000000-AddNote.ts", migration, Config()) is typeorm


@pytest.mark.parametrize(
    ("table", "parent", "column"), [("payments", "orders", "order_id"), ("seats", "flights", "flight_id")]
)
def test_create_table_adds_its_indices_and_foreign_keys(table: str, parent: str, column: str) -> None:
    def created(indices: str) -> str:
        return _migration(
            f'    await queryRunner.createTable(\n      new Table({{\n        name: "{table}",\n'
            f'        columns: [{{ name: "id", type: "int", isPrimary: true }}, {{ name: "{column}", type: "int" }}],\n'
            f'        foreignKeys: [new TableForeignKey({{ columnNames: ["{column}"], referencedTableName: "{parent}", '
            'referencedColumnNames: ["id"], onDelete: "CASCADE" })],\n'
            f"{indices}      }}),\n    );\n"
        )

    indexed = created(
        f'        indices: [new TableIndex({{ name: "IDX_{table}_{column}", columnNames: ["{column}"] }})],\n'
    )
    ops = _parse(indexed).up
    assert [type(op) for op in ops] == [CreateTable, AddIndex, AddConstraint]
    assert isinstance(ops[2], AddConstraint) and (ops[2].references, ops[2].on_delete) == (parent, "cascade")
    base = f"CREATE TABLE {parent} (id int PRIMARY KEY);\n-- migration\n"
    assert "foreign-key-without-index" not in {f.rule for f in review_sql(base + indexed, path=PATH).active}
    assert "foreign-key-without-index" in {f.rule for f in review_sql(base + created(""), path=PATH).active}


ENUM_NAMES = [
    ("users", "status", ("active", "banned", "pending")),
    ("tickets", "priority", ("low", "high", "urgent")),
]


@pytest.mark.parametrize(("table", "column", "labels"), ENUM_NAMES)
def test_an_enum_column_changed_to_fewer_labels_drops_one(
    table: str, column: str, labels: tuple[str, ...]
) -> None:
    def listed(values: tuple[str, ...]) -> str:
        return ", ".join(f'"{v}"' for v in values)

    init = (
        'import { MigrationInterface, QueryRunner, Table } from "typeorm";\n\n'
        "export class Init1700000000000 implements MigrationInterface {\n"
        "  public async up(queryRunner: QueryRunner): Promise<void> {\n"
        f'    await queryRunner.createTable(new Table({{ name: "{table}", columns: [{{ name: "id", type: "int", '
        f'isPrimary: true }}, {{ name: "{column}", type: "enum", enum: [{listed(labels)}] }}] }}));\n'
        "  }\n\n  public async down(queryRunner: QueryRunner): Promise<void> {}\n}\n"
    )

    def changed(values: tuple[str, ...]) -> set[str]:
        change = _migration(
            f'    await queryRunner.changeColumn("{table}", "{column}", new TableColumn({{ name: "{column}", '
            f'type: "enum", enum: [{listed(values)}] }}));\n'
        )
        base = {"src/migrations/1700000000000-Init.ts": init}
        return {f.rule for f in review_sql(change, path=PATH, base=base, dialect="postgres").active}

    assert "enum-value-dropped" in changed((labels[0], labels[2]))
    assert "enum-value-dropped" not in changed((*labels, "spare"))


@pytest.mark.parametrize(("table", "column", "labels"), ENUM_NAMES)
def test_the_values_bound_to_a_query_are_read_in_place_of_their_parameters(
    table: str, column: str, labels: tuple[str, ...]
) -> None:
    listed = ", ".join(f"'{v}'" for v in labels)
    before = f"CREATE TYPE {table}_{column}_enum AS ENUM ({listed});\nCREATE TABLE {table} (id int PRIMARY KEY, {column} {table}_{column}_enum, data jsonb);\n-- migration\n"

    def found(value: str) -> set[str]:
        change = _migration(
            f'    await queryRunner.query(`UPDATE "{table}" SET "{column}" = $1 WHERE "{column}" = $2 AND NOT data ? \'x\'`, '
            f'["{labels[0]}", "{value}"]);\n'
        )
        return {f.rule for f in review_sql(before + change, path=PATH).active}

    assert "enum-label-unknown" in found(labels[1].upper())
    assert "enum-label-unknown" not in found(labels[1])
    [update] = [
        op
        for op in _parse(
            _migration(
                f'    await queryRunner.query(`UPDATE "{table}" SET "{column}" = $1 WHERE id = $2`, ["{labels[0]}", someId]);\n'
            )
        ).up
        if isinstance(op, DataUpdate)
    ]
    assert update.where is not None and "$2" in update.where and f"'{labels[0]}'" in update.sql


@pytest.mark.parametrize(("table", "column", "labels"), ENUM_NAMES)
def test_the_query_builder_reads_the_values_bound_to_its_conditions(
    table: str, column: str, labels: tuple[str, ...]
) -> None:
    listed = ", ".join(f"'{v}'" for v in labels)
    before = f"CREATE TYPE {table}_{column}_enum AS ENUM ({listed});\nCREATE TABLE {table} (id int PRIMARY KEY, {column} {table}_{column}_enum);\n-- migration\n"

    def found(value: str) -> set[str]:
        change = _migration(
            f'    await queryRunner.manager.createQueryBuilder().update("{table}").set({{ {column}: "{labels[0]}" }})\n'
            f'      .where("{column} = :old AND id IN (:...ids) AND {column}::text <> \':keep\'", {{ old: "{value}", ids: [1, 2] }})\n'
            "      .execute();\n"
        )
        return {f.rule for f in review_sql(before + change, path=PATH).active}

    assert "enum-label-unknown" in found(labels[1].upper())
    assert "enum-label-unknown" not in found(labels[1])
