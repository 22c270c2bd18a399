"""node-pg-migrate migrations: detection, each `pgm.*` call read into its operation at its line, the transaction
(`pgm.noTransaction()`), the way back (an exported `down`, `down = false`, the down the runner infers), shorthands,
SQL migrations, and reviews of bad and safe changes."""

from __future__ import annotations

import pytest

from bot.frameworks import detect, framework_dialect, node_pg_migrate, parse
from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.config import Config
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddEnumValue,
    AddIndex,
    AlterColumnType,
    CreateEnum,
    CreateFunction,
    CreateTable,
    DataUpdate,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropTable,
    Migration,
    RawSQL,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetNotNull,
    Unparsed,
)
from bot.review import review
from tests.conftest import review_sql, rule_ids

NAMES = [("orders", "note", "user_id"), ("invoices", "memo", "account_id")]
FOLDER = "migrations"
INIT = f"{FOLDER}/1700000000000_init.js"
CHANGE = f"{FOLDER}/1700000000001_change.js"


def _parse(text: str, path: str = CHANGE, tree: dict[str, str] | None = None) -> Migration:
    module = detect(path, text, Config())
    assert module is not None and module.NAME == "node-pg-migrate"
    return parse(module, path, text, MemoryTree({path: text, **(tree or {})}), "postgres")


def _base(table: str, key: str) -> dict[str, str]:
    init = (
        "exports.up = (pgm) => {\n"
        f"  pgm.createTable('{table}', {{ id: 'id', {key}: {{ type: 'integer', notNull: true }}, total: 'integer',\n"
        "    state: 'text', legacy: 'text' });\n};\n"
    )
    code = f"export const rows = (db) => db.query('SELECT legacy, state, total FROM {table}');\n"
    return {INIT: init, "src/repository.js": code}


def _review(text: str, table: str, key: str, path: str = CHANGE) -> set[str]:
    return rule_ids(review_sql(text, path=path, base=_base(table, key)))


@pytest.mark.parametrize(("table", "column", "key"), NAMES)
def test_each_call_is_read_into_its_operation_at_its_line(table: str, column: str, key: str) -> None:
    text = (
        "/** @param {import('node-pg-migrate').MigrationBuilder} pgm */\n"  # 1
        "exports.up = (pgm) => {\n"
        f"  pgm.createTable('{table}_audit', {{ id: 'id', {key}: {{ type: 'integer', notNull: true,\n"
        f"    references: '\"{table}\"', onDelete: 'CASCADE' }}, at: {{ type: 'timestamptz', default: pgm.func('now()') }} }});\n"
        f"  pgm.addColumns('{table}', {{ {column}: {{ type: 'varchar(40)', notNull: true, default: 'x' }} }});\n"  # 5
        f"  pgm.dropColumns('{table}', ['legacy']);\n"
        f"  pgm.renameColumn('{table}', 'state', 'status');\n"
        f"  pgm.alterColumn('{table}', 'total', {{ type: 'bigint', using: 'total::bigint', notNull: true, default: null }});\n"
        f"  pgm.createIndex('{table}', ['{key}', 'status'], {{ unique: true, where: 'total > 0', method: 'btree' }});\n"
        f"  pgm.dropIndex('{table}', '{column}');\n"  # 10
        f"  pgm.addConstraint('{table}', '{table}_total_positive', 'CHECK (total > 0) NOT VALID');\n"
        f"  pgm.addConstraint('{table}', null, {{ foreignKeys: {{ columns: '{key}', references: 'users(id)' }} }});\n"
        f"  pgm.dropConstraint('{table}', '{table}_old_check', {{ ifExists: true }});\n"
        f"  pgm.createType('{table}_kind', ['a', 'b']);\n"
        f"  pgm.addTypeValue('{table}_kind', 'c', {{ after: 'b' }});\n"  # 15
        "  pgm.createExtension('pgcrypto', { ifNotExists: true });\n"
        "  pgm.createFunction('touch', [], { returns: 'trigger', language: 'plpgsql' }, `BEGIN RETURN NEW; END;`);\n"
        f"  pgm.createTrigger('{table}', 'touch_{table}', {{ when: 'BEFORE', operation: 'UPDATE', function: 'touch', level: 'ROW' }});\n"
        f"  pgm.sql(`UPDATE {table} SET {column} = 'y' WHERE {column} = 'x'`);\n"
        f"  pgm.renameTable('{table}_audit', '{table}_history');\n"  # 20
        f"  pgm.dropTable('{table}_old', {{ ifExists: true }});\n"
        "};\n"
    )
    migration = _parse(text)
    by_line: dict[int, list[type]] = {}
    for op in migration.up:
        by_line.setdefault(op.location.line, []).append(type(op))
    assert by_line == {
        3: [CreateTable],
        5: [AddColumn],
        6: [DropColumn],
        7: [RenameColumn],
        8: [SetDefault, AlterColumnType, SetNotNull],
        9: [AddIndex],
        10: [DropIndex],
        11: [AddConstraint],
        12: [AddConstraint],
        13: [DropConstraint],
        14: [CreateEnum],
        15: [AddEnumValue],
        16: [RawSQL],
        17: [CreateFunction],
        18: [RawSQL],
        19: [DataUpdate],
        20: [RenameTable],
        21: [DropTable],
    }
    create, add = migration.up[0], migration.up[1]
    assert isinstance(create, CreateTable) and [c.name for c in create.columns] == ["id", key, "at"]
    assert create.columns[0].primary_key and create.columns[0].type == "serial"  # the `id` shorthand
    assert create.columns[1].references == table and create.columns[1].on_delete == "cascade"
    assert create.columns[2].default == "CURRENT_TIMESTAMP"  # `now()`, as the SQL reader writes it
    assert isinstance(add, AddColumn) and add.column.name == column and not add.column.nullable
    assert add.column.default == "'x'"
    altered = next(op for op in migration.up if isinstance(op, AlterColumnType))
    assert altered.new_type == "bigint" and altered.using
    index = next(op for op in migration.up if isinstance(op, AddIndex))
    assert index.name == f"{table}_{key}_status_unique_index" and index.unique and index.where == "total > 0"
    dropped = next(op for op in migration.up if isinstance(op, DropIndex))
    assert dropped.name == f"{table}_{column}_index" and dropped.table == table
    checks = [op for op in migration.up if isinstance(op, AddConstraint)]
    assert checks[0].not_valid and checks[0].name == f"{table}_total_positive"
    assert checks[1].constraint == "foreign_key" and checks[1].name == f"{table}_fk_{key}"
    assert migration.in_transaction


@pytest.mark.parametrize(("table", "column", "key"), NAMES)
def test_a_call_whose_arguments_are_computed_is_unparsed(table: str, column: str, key: str) -> None:
    text = (
        "exports.up = (pgm) => {\n"
        f"  pgm.addColumns('{table}', buildColumns('{column}'));\n"
        f"  pgm.createPolicy('{table}', 'p');\n"
        "};\n"
    )
    computed, unknown = _parse(text).up
    assert isinstance(computed, Unparsed) and computed.location.line == 2
    assert isinstance(unknown, Unparsed) and "pgm.createPolicy" in unknown.error


@pytest.mark.parametrize(("table", "column", "key"), NAMES)
def test_the_way_back(table: str, column: str, key: str) -> None:
    up = f"exports.up = (pgm) => {{\n  pgm.addColumns('{table}', {{ {column}: 'text' }});\n  pgm.createIndex('{table}', '{column}');\n}};\n"
    inferred = _parse(up)
    assert inferred.down is not None  # the runner reverses each call, the last first
    assert [type(op) for op in inferred.down] == [DropIndex, DropColumn]
    assert inferred.down[0].location.line == 3
    irreversible = _parse(up.replace("pgm.createIndex", "pgm.dropTable('x');\n  pgm.createIndex"))
    assert irreversible.down is None and "pgm.dropTable" in irreversible.irreversible_reason
    refused = _parse(up + "exports.down = false;\n")
    assert refused.down is None and "false" in refused.irreversible_reason
    written = _parse(up + f"exports.down = (pgm) => {{\n  pgm.dropColumns('{table}', '{column}');\n}};\n")
    assert written.down is not None and [type(op) for op in written.down] == [DropColumn]


@pytest.mark.parametrize(("table", "column", "key"), NAMES)
def test_typescript_module_and_shorthands_of_earlier_migrations(table: str, column: str, key: str) -> None:
    earlier = (
        "import { MigrationBuilder, ColumnDefinitions, PgLiteral } from 'node-pg-migrate';\n"
        "export const shorthands: ColumnDefinitions = {\n"
        f"  {column}_type: {{ type: 'uuid', notNull: true, default: new PgLiteral('gen_random_uuid()') }},\n"
        "};\n"
        "export async function up(pgm: MigrationBuilder): Promise<void> {}\n"
    )
    text = (
        "import { MigrationBuilder } from 'node-pg-migrate';\n\n"
        "export async function up(pgm: MigrationBuilder): Promise<void> {\n"
        f"  pgm.addColumns('{table}', {{ {column}: '{column}_type' }});\n"
        "}\n"
    )
    path = f"{FOLDER}/1700000000002_change.ts"
    migration = _parse(text, path, {f"{FOLDER}/1700000000001_types.ts": earlier})
    (added,) = migration.up
    assert isinstance(added, AddColumn) and added.column.type == "uuid" and not added.column.nullable
    assert added.column.default.lower() == "gen_random_uuid()" and added.location.line == 4


@pytest.mark.parametrize(("table", "column", "key"), NAMES)
def test_sql_migration(table: str, column: str, key: str) -> None:
    text = (
        "-- Up Migration\n"
        f"ALTER TABLE {table} ADD COLUMN {column} text;\n"
        "\n-- Down Migration\n"
        f"ALTER TABLE {table} DROP COLUMN {column};\n"
    )
    path = f"{FOLDER}/1700000000001_change.sql"
    migration = _parse(text, path)
    (added,) = migration.up
    assert isinstance(added, AddColumn) and added.location.line == 2 and migration.in_transaction
    assert migration.down is not None and isinstance(migration.down[0], DropColumn)
    no_down = _parse(text.split("\n-- Down")[0], path)
    assert no_down.down is None and "Down Migration" in no_down.irreversible_reason


def test_other_node_runners_are_not_node_pg_migrate() -> None:
    knex = (
        "exports.up = function (knex) { return knex.schema.createTable('a', t => { t.increments(); }); };\n"
    )
    assert detect(CHANGE, knex, Config()).NAME == "knex"  # type: ignore[union-attr]
    assert not node_pg_migrate.detect("src/lib/util.js", "exports.up = (pgm) => { pgm.sql('x'); };")
    assert not node_pg_migrate.detect(f"{FOLDER}/1_a.sql", "CREATE TABLE a (id int);")


@pytest.mark.parametrize("manifest", ["package.json", "services/api/package.json"])
def test_postgres_from_a_package_that_depends_on_node_pg_migrate(manifest: str) -> None:
    tree = MemoryTree({manifest: '{"scripts": {"migrate": "node-pg-migrate -m migrations"}}'})
    assert framework_dialect(tree) is not None and framework_dialect(tree)[0] == "postgres"  # type: ignore[index]
    assert framework_dialect(MemoryTree({manifest: '{"dependencies": {"pg": "8"}}'})) is None


@pytest.mark.parametrize(("table", "column", "key"), NAMES)
def test_index_on_an_existing_table(table: str, column: str, key: str) -> None:
    plain = f"exports.up = (pgm) => {{\n  pgm.createIndex('{table}', '{key}');\n}};\n"
    assert "non-concurrent-index" in _review(plain, table, key)
    safe = (
        "exports.up = (pgm) => {\n  pgm.noTransaction();\n"
        f"  pgm.createIndex('{table}', '{key}', {{ concurrently: true, ifNotExists: true }});\n}};\n"
    )
    found = _review(safe, table, key)
    assert "non-concurrent-index" not in found and "concurrent-in-transaction" not in found
    in_transaction = safe.replace("  pgm.noTransaction();\n", "")
    assert "concurrent-in-transaction" in _review(in_transaction, table, key)


@pytest.mark.parametrize(("table", "column", "key"), NAMES)
def test_not_null_column_added(table: str, column: str, key: str) -> None:
    bad = f"exports.up = (pgm) => {{\n  pgm.addColumns('{table}', {{ {column}: {{ type: 'text', notNull: true }} }});\n}};\n"
    assert "not-null-without-default" in _review(bad, table, key)
    safe = bad.replace("notNull: true", "notNull: true, default: ''")
    assert "not-null-without-default" not in _review(safe, table, key)


@pytest.mark.parametrize(("table", "column", "key"), NAMES)
def test_column_dropped_while_the_code_reads_it(table: str, column: str, key: str) -> None:
    back = f"exports.down = (pgm) => {{\n  pgm.addColumns('{table}', {{ legacy: 'text' }});\n}};\n"
    bad = f"exports.up = (pgm) => {{\n  pgm.dropColumns('{table}', ['legacy']);\n}};\n" + back
    result = review_sql(bad, path=CHANGE, base=_base(table, key))
    (finding,) = [f for f in result.active if f.rule == "column-dropped"]
    assert finding.location.line == 2 and "src/repository.js" in str(finding.references)
    base = _base(table, key)
    base["src/repository.js"] = f"export const rows = (db) => db.query('SELECT state FROM {table}');\n"
    quiet = review_sql(bad, path=CHANGE, base=base, head={"src/repository.js": base["src/repository.js"]})
    assert not [f for f in quiet.active if f.rule == "column-dropped" and f.references]


@pytest.mark.parametrize(("table", "column", "key"), NAMES)
def test_column_renamed(table: str, column: str, key: str) -> None:
    bad = f"exports.up = (pgm) => {{\n  pgm.renameColumn('{table}', 'state', '{column}');\n}};\n"
    assert "column-renamed" in _review(bad, table, key)
    safe = f"exports.up = (pgm) => {{\n  pgm.addColumns('{table}', {{ {column}: 'text' }});\n}};\n"
    assert "column-renamed" not in _review(safe, table, key)


@pytest.mark.parametrize(("table", "column", "key"), NAMES)
def test_column_type_changed(table: str, column: str, key: str) -> None:
    bad = (
        f"exports.up = (pgm) => {{\n  pgm.alterColumn('{table}', 'total', {{ type: 'varchar(10)' }});\n}};\n"
    )
    assert "type-change-rewrite" in _review(bad, table, key)
    safe = f"exports.up = (pgm) => {{\n  pgm.alterColumn('{table}', 'total', {{ default: 0 }});\n}};\n"
    assert "type-change-rewrite" not in _review(safe, table, key)


@pytest.mark.parametrize(("table", "column", "key"), NAMES)
def test_no_way_back(table: str, column: str, key: str) -> None:
    bad = f"exports.up = (pgm) => {{\n  pgm.dropTable('{table}');\n}};\n"
    assert "missing-down-migration" in _review(bad, table, key)
    restored = bad + (
        f"exports.down = (pgm) => {{\n  pgm.createTable('{table}', {{ id: 'id' }});\n"
        f"  pgm.sql('INSERT INTO {table} (id) SELECT id FROM {table}_backup');\n}};\n"
    )
    assert "missing-down-migration" not in _review(restored, table, key)
    inferred = f"exports.up = (pgm) => {{\n  pgm.addColumns('{table}', {{ {column}: 'text' }});\n}};\n"
    assert "missing-down-migration" not in _review(inferred, table, key)


@pytest.mark.parametrize(("table", "column", "key"), NAMES)
def test_a_migration_rewritten_in_typescript_keeps_its_recorded_name(
    table: str, column: str, key: str
) -> None:
    old = f"{FOLDER}/1700000000001_index.js"
    before = f"exports.up = (pgm) => {{\n  pgm.createIndex('{table}', '{key}');\n}};\n"
    after = (
        "import type { MigrationBuilder } from 'node-pg-migrate';\n\n"
        f"export const up = (pgm: MigrationBuilder) => {{\n  pgm.createIndex('{table}', '{key}');\n}};\n"
    )

    def found(new: str) -> set[str]:
        base = {**_base(table, key), old: before}
        head = {**_base(table, key), new: after}
        files = (ChangedFile(new, "renamed", before, after, previous_path=old),)
        changes = ChangeSet("base", "head", files, head_tree=MemoryTree(head), base_tree=MemoryTree(base))
        result = review(changes)
        return {f"{f.rule}:{f.severity.value}" for f in result.active}

    same_name = found(f"{FOLDER}/1700000000001_index.ts")
    assert (
        "non-concurrent-index:critical" not in same_name
        and "applied-migration-edited:critical" not in same_name
    )
    renamed = found(f"{FOLDER}/1700000000001_{column}_index.ts")
    assert "applied-migration-edited:critical" in renamed and "non-concurrent-index:critical" in renamed


@pytest.mark.parametrize(("table", "column", "key"), NAMES)
def test_names_and_values_imported_from_the_application(table: str, column: str, key: str) -> None:
    model = f"export default class Model {{\n  static tableName = '{table}'\n  static primaryKey = 'id'\n}}\n"
    kinds = f"export enum Kind {{\n  Open = '{column}_open',\n  Closed = '{column}_closed',\n}}\n"
    text = (
        "import { MigrationBuilder } from 'node-pg-migrate'\n"
        "import Model from '../src/entities/model'\n"
        "import { Kind } from '../src/types'\n\n"
        "export async function up(pgm: MigrationBuilder): Promise<void> {\n"
        f"  pgm.createType('{column}_kind', Object.values(Kind))\n"
        f"  pgm.addTypeValue('{column}_kind', Kind.Closed)\n"
        f"  pgm.createIndex(Model.tableName, '{key}')\n"
        f"  pgm.sql(`UPDATE ${{Model.tableName}} SET {key} = 0 WHERE {key} IS NULL`)\n"
        f"  pgm.addConstraint('{column}_log', 'fk', `FOREIGN KEY ({key}) REFERENCES ${{Model.tableName}}(${{Model.primaryKey}})`)\n"
        "}\n"
    )
    path = f"{FOLDER}/1700000000001_change.ts"
    tree = {"src/entities/model.ts": model, "src/types.ts": kinds}
    created, added, index, update, key_added = _parse(text, path, tree).up
    assert isinstance(created, CreateEnum) and created.values == (f"{column}_open", f"{column}_closed")
    assert isinstance(added, AddEnumValue) and added.value == f"{column}_closed"
    assert isinstance(index, AddIndex) and index.table == table and index.name == f"{table}_{key}_index"
    assert isinstance(update, DataUpdate) and update.table == table
    assert isinstance(key_added, AddConstraint) and key_added.references == table
    base = {**_base(table, key), **tree}
    bad = text.replace(f"  pgm.sql(`UPDATE ${{Model.tableName}} SET {key} = 0 WHERE {key} IS NULL`)\n", "")
    assert "non-concurrent-index" in rule_ids(review_sql(bad, path=path, base=base))
    safe = bad.replace(
        f"pgm.createIndex(Model.tableName, '{key}')",
        f"pgm.noTransaction()\n  pgm.createIndex(Model.tableName, '{key}', {{ concurrently: true, ifNotExists: true }})",
    )
    found = rule_ids(review_sql(safe, path=path, base=base))
    assert "non-concurrent-index" not in found and "unreadable-migration" not in found


@pytest.mark.parametrize(("table", "column", "key"), NAMES)
def test_db_query_runs_before_the_queued_calls(table: str, column: str, key: str) -> None:
    late = (
        "exports.up = async (pgm) => {\n"
        "  pgm.sql(\"SET lock_timeout = '5s'\");\n"
        f"  await pgm.db.query('ALTER TABLE {table} ADD COLUMN {column} text');\n"
        "};\n"
    )
    assert "missing-lock-timeout" in _review(late, table, key)
    early = (
        "exports.up = async (pgm) => {\n"
        "  await pgm.db.query(\"SET lock_timeout = '5s'\");\n"
        f"  pgm.addColumns('{table}', {{ {column}: 'text' }});\n"
        "};\n"
    )
    assert "missing-lock-timeout" not in _review(early, table, key)


@pytest.mark.parametrize(("table", "column", "key"), NAMES)
def test_several_statements_in_one_sql_string_share_a_transaction(table: str, column: str, key: str) -> None:
    one = (
        "exports.up = (pgm) => {\n  pgm.noTransaction();\n"
        f"  pgm.sql(`CREATE INDEX CONCURRENTLY IF NOT EXISTS {table}_{key}_idx ON {table} ({key});\n"
        f"    CREATE INDEX CONCURRENTLY IF NOT EXISTS {table}_total_idx ON {table} (total);`);\n}};\n"
    )
    assert "concurrent-in-transaction" in _review(one, table, key)
    apart = (
        "exports.up = (pgm) => {\n  pgm.noTransaction();\n"
        f"  pgm.sql(`CREATE INDEX CONCURRENTLY IF NOT EXISTS {table}_{key}_idx ON {table} ({key})`);\n"
        f"  pgm.sql(`CREATE INDEX CONCURRENTLY IF NOT EXISTS {table}_total_idx ON {table} (total)`);\n}};\n"
    )
    assert "concurrent-in-transaction" not in _review(apart, table, key)
