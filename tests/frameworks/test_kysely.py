"""Kysely migrations through `review()`: detection, the schema builder read as the SQL Kysely sends (each
statement at its line), raw ``sql`…` `` templates, data changes through the query builder, the dialect and the
transaction mode the project sets, and the way back."""

from __future__ import annotations

import pytest

from bot.frameworks import BY_NAME, detect, parse
from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.config import Config
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    CreateEnum,
    CreateTable,
    DataDelete,
    DataInsert,
    DataUpdate,
    DropColumn,
    DropIndex,
    DropNotNull,
    DropTable,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetNotNull,
    Unparsed,
)
from bot.review import review
from tests.conftest import review_sql

PG = '{"dependencies": {"kysely": "^0.27.0", "pg": "^8.11.0"}}'
MYSQL = '{"dependencies": {"kysely": "^0.27.0", "mysql2": "^3.6.0"}}'

# two name sets: the same hazards on other tables and columns
ORDERS = {"table": "orders", "a": "state", "b": "legacy_code", "n": "total", "new": "note"}
ACCOUNTS = {"table": "accounts", "a": "plan", "b": "old_email", "n": "balance", "new": "region"}
NAMES = [ORDERS, ACCOUNTS]


def _base(names: dict[str, str], package: str = PG) -> dict[str, str]:
    create = (
        "import { Kysely } from 'kysely'\n\n"
        "export async function up(db: Kysely<any>): Promise<void> {\n"
        "  await db.schema\n"
        f"    .createTable('{names['table']}')\n"
        "    .addColumn('id', 'serial', (col) => col.primaryKey())\n"
        f"    .addColumn('{names['a']}', 'text')\n"
        f"    .addColumn('{names['b']}', 'text')\n"
        f"    .addColumn('{names['n']}', 'integer')\n"
        f"    .addColumn('{names['new']}_id', 'varchar(100)')\n"
        "    .execute()\n"
        "}\n\n"
        "export async function down(db: Kysely<any>): Promise<void> {\n"
        f"  await db.schema.dropTable('{names['table']}').execute()\n"
        "}\n"
    )
    return {"src/migrations/2024-01-01T00:00:00_create.ts": create, "package.json": package}


PATH = "src/migrations/2024-06-01T00:00:00_change.ts"


def _migration(up: str, down: str | None = "") -> str:
    text = (
        "import { Kysely, sql } from 'kysely'\n\n"
        "export async function up(db: Kysely<any>): Promise<void> {\n"
        f"{up}"
        "}\n"
    )
    if down is not None:
        text += f"\nexport async function down(db: Kysely<any>): Promise<void> {{\n{down}}}\n"
    return text


def _review(up: str, names: dict[str, str], down: str | None = "", **kwargs: object):  # type: ignore[no-untyped-def]
    base = kwargs.pop("base", None) or _base(names)
    return review_sql(_migration(up, down), path=PATH, base=base, **kwargs)  # type: ignore[arg-type]


def _parse(up: str, down: str | None = "", dialect: str = "postgres"):  # type: ignore[no-untyped-def]
    """The migration as the review reads it (the operations a review's summary only counts)."""
    return parse(BY_NAME["kysely"], PATH, _migration(up, down), MemoryTree(_base(ORDERS)), dialect)


def _rules(result: object) -> set[str]:
    return {f.rule for f in result.active}  # type: ignore[attr-defined]


def _lines(result: object, rule: str) -> list[int]:
    return sorted(f.line for f in result.active if f.rule == rule)  # type: ignore[attr-defined]


# -- detection --------------------------------------------------------------------------------------------


def test_detects_kysely_migrations_by_their_content() -> None:
    typed = _migration("  await db.schema.dropTable('x').execute()\n")
    assert getattr(detect(PATH, typed, Config()), "NAME", None) == "kysely"
    untyped = (
        "export async function up(db) {\n"
        "  await db.schema.createTable('x').addColumn('id', 'integer').execute()\n"
        "}\n"
    )
    assert getattr(detect("migrations/001_init.js", untyped, Config()), "NAME", None) == "kysely"
    defined = (
        "import { defineMigration } from 'kysely/migration'\n\n"
        "export default defineMigration({\n"
        "  async up(db) {\n"
        "    await db.schema.dropTable('x').execute()\n"
        "  },\n"
        "})\n"
    )
    assert getattr(detect("db/migrations/0002_drop.ts", defined, Config()), "NAME", None) == "kysely"
    assert detect("src/routes/orders.ts", typed, Config()) is None  # not in a migrations folder
    knex = "exports.up = (knex) => knex.schema.createTable('x', (t) => { t.increments() });\n"
    assert getattr(detect("migrations/20240101000000_x.js", knex, Config()), "NAME", None) == "knex"


def test_a_kysely_migration_is_read_not_reported_unreadable() -> None:
    result = _review("  await db.schema.alterTable('orders').addColumn('note', 'text').execute()\n", ORDERS)
    assert [(m.framework, m.dialect) for m in result.migrations] == [("kysely", "postgres")]
    assert "unreadable-migration" not in _rules(result)


# -- the schema builder, each kind of statement at its line ------------------------------------------------


def test_each_builder_is_read_into_its_operation_at_its_line() -> None:
    up = (
        "  await db.schema\n"  # 4
        "    .createTable('coupons')\n"
        "    .ifNotExists()\n"
        "    .addColumn('id', 'bigserial', (col) => col.primaryKey())\n"
        "    .addColumn('code', 'varchar(40)', (col) => col.notNull().unique())\n"
        "    .addColumn('created_at', 'timestamptz', (col) => col.defaultTo(sql`now()`).notNull())\n"
        "    .addColumn('order_id', 'integer', (col) => col.references('orders.id').onDelete('cascade'))\n"
        "    .addColumn('amount', 'integer', (col) => col.check(sql`amount > 0`))\n"
        "    .addUniqueConstraint('coupons_code_order_uq', ['code', 'order_id'])\n"
        "    .execute()\n"  # 13
        "  await db.schema\n"  # 14
        "    .alterTable('orders')\n"
        "    .addColumn('note', 'text')\n"  # 16
        "    .dropColumn('legacy_code')\n"  # 17
        "    .execute()\n"
        "  await db.schema.alterTable('orders').renameColumn('state', 'status').execute()\n"  # 19
        "  await db.schema.alterTable('orders').alterColumn('total', (c) => c.setDataType('bigint')).execute()\n"
        "  await db.schema.alterTable('orders').alterColumn('total', (c) => c.setDefault(0)).execute()\n"
        "  await db.schema.alterTable('orders').alterColumn('total', (c) => c.setNotNull()).execute()\n"
        "  await db.schema.alterTable('orders').alterColumn('note', (c) => c.dropNotNull()).execute()\n"
        "  await db.schema.alterTable('orders').alterColumn('note', (c) => c.dropDefault()).execute()\n"
        "  await db.schema\n"  # 25
        "    .alterTable('coupons')\n"
        "    .addForeignKeyConstraint('coupons_order_fk', ['order_id'], 'orders', ['id'])\n"
        "    .onDelete('set null')\n"
        "    .execute()\n"
        "  await db.schema.createIndex('orders_status_idx').on('orders').column('status').execute()\n"  # 30
        "  await db.schema.dropIndex('orders_old_idx').ifExists().execute()\n"
        "  await db.schema.createType('mood').asEnum(['happy', 'sad']).execute()\n"
        "  await db.schema.alterTable('coupons').renameTo('vouchers').execute()\n"
        "  await db.schema.dropTable('vouchers').ifExists().cascade().execute()\n"  # 34
        "  await sql`UPDATE orders SET status = 'open' WHERE status IS NULL`.execute(db)\n"
        "  await db.insertInto('orders').values({ status: 'draft', total: 0 }).execute()\n"
        "  await db.updateTable('orders').set({ note: 'none' }).where('note', 'is', null).execute()\n"
        "  await db.deleteFrom('orders').where('total', '<', 0).execute()\n"  # 38
    )
    migration = _parse(up)
    kinds = [(op.location.line, type(op)) for op in migration.up]
    assert kinds == [
        (5, CreateTable),
        (16, AddColumn),
        (17, DropColumn),
        (19, RenameColumn),
        (20, AlterColumnType),
        (21, SetDefault),
        (22, SetNotNull),
        (23, DropNotNull),
        (24, SetDefault),
        (26, AddConstraint),
        (30, AddIndex),
        (31, DropIndex),
        (32, CreateEnum),
        (33, RenameTable),
        (34, DropTable),
        (35, DataUpdate),
        (36, DataInsert),
        (37, DataUpdate),
        (38, DataDelete),
    ]
    create = migration.up[0]
    assert isinstance(create, CreateTable) and create.if_not_exists
    columns = {c.name: c for c in create.columns}
    assert columns["id"].primary_key and columns["id"].type == "bigserial"
    assert not columns["code"].nullable and columns["code"].unique and columns["code"].type == "varchar(40)"
    assert columns["created_at"].default == "CURRENT_TIMESTAMP" and not columns["created_at"].nullable
    assert columns["order_id"].references == "orders" and columns["order_id"].on_delete == "cascade"
    assert {c.constraint for c in create.constraints} >= {"unique", "check"}
    key = migration.up[9]
    assert isinstance(key, AddConstraint) and key.references == "orders" and key.on_delete == "set null"
    assert isinstance(migration.up[4], AlterColumnType) and migration.up[4].new_type == "bigint"
    assert isinstance(migration.up[5], SetDefault) and migration.up[5].default == "0"
    assert isinstance(migration.up[8], SetDefault) and migration.up[8].default is None
    drop = migration.up[14]
    assert isinstance(drop, DropTable) and drop.if_exists and drop.cascade
    update = migration.up[17]
    assert isinstance(update, DataUpdate) and update.where is not None and "note" in update.where


def test_create_index_options_and_a_chain_without_execute() -> None:
    up = (
        "  await db.schema\n"
        "    .createIndex('orders_state_idx')\n"
        "    .ifNotExists()\n"
        "    .unique()\n"
        "    .on('orders')\n"
        "    .columns(['state', 'total desc'])\n"
        "    .using('btree')\n"
        "    .where('state', '=', 'open')\n"
        "    .execute()\n"
        "  db.schema.dropTable('orders')\n"  # built, never executed: sends nothing
        "  const query = db.schema.dropIndex('orders_old_idx')\n"  # kept, executed on the next line
        "  await query.execute()\n"
    )
    index, unsent, dropped = _parse(up).up
    assert isinstance(index, AddIndex) and index.location.line == 5
    assert index.unique and index.if_not_exists and index.method == "btree"
    assert index.columns[:1] == ("state",) and "open" in index.where
    assert isinstance(unsent, Unparsed) and unsent.location.line == 13 and "never executed" in unsent.error
    assert isinstance(dropped, DropIndex) and dropped.location.line == 14


def test_a_name_the_code_computes_is_unread_not_guessed() -> None:
    up = "  await db.schema.alterTable(tableName()).dropColumn('state').execute()\n"
    assert [type(op) for op in _parse(up).up] == [Unparsed]
    assert "unreadable-migration" in _rules(_review(up, ORDERS))


def test_constants_and_transactions_are_read_through() -> None:
    up = (
        "  const TABLE = 'orders'\n"
        "  await db.transaction().execute(async (trx) => {\n"
        "    await trx.schema.alterTable(TABLE).dropColumn('legacy_code').execute()\n"
        "  })\n"
    )
    assert [(op.location.line, type(op)) for op in _parse(up).up] == [(6, DropColumn)]


# -- the hazards, bad and safe twins on two name sets ---------------------------------------------------------


@pytest.mark.parametrize("names", NAMES)
def test_create_index_on_an_existing_table_blocks_writes(names: dict[str, str]) -> None:
    t, a = names["table"], names["a"]
    bad = _review(f"  await db.schema.createIndex('{t}_{a}_idx').on('{t}').column('{a}').execute()\n", names)
    assert _lines(bad, "non-concurrent-index") == [4]
    safe = _review(
        f"  await db.schema.createTable('{t}_log').addColumn('{a}', 'text').execute()\n"
        f"  await db.schema.createIndex('{t}_log_{a}_idx').on('{t}_log').column('{a}').execute()\n",
        names,
    )
    assert [m.framework for m in safe.migrations] == ["kysely"]
    assert "non-concurrent-index" not in _rules(safe)


@pytest.mark.parametrize("names", NAMES)
def test_not_null_column_without_default_on_an_existing_table(names: dict[str, str]) -> None:
    t, new = names["table"], names["new"]
    bad = _review(
        f"  await db.schema.alterTable('{t}').addColumn('{new}', 'text', (c) => c.notNull()).execute()\n",
        names,
    )
    assert _lines(bad, "not-null-without-default") == [4]
    safe = _review(
        f"  await db.schema.alterTable('{t}')\n"
        f"    .addColumn('{new}', 'text', (c) => c.notNull().defaultTo('none'))\n"
        "    .execute()\n",
        names,
    )
    assert [m.framework for m in safe.migrations] == ["kysely"]
    assert "not-null-without-default" not in _rules(safe)


@pytest.mark.parametrize("names", NAMES)
def test_dropping_a_column_the_code_still_reads(names: dict[str, str]) -> None:
    t, b = names["table"], names["b"]
    code = {
        "src/repository.ts": f"export const find = (db) => db.selectFrom('{t}').select(['{b}']).execute()\n"
    }
    up = f"  await db.schema.alterTable('{t}').dropColumn('{b}').execute()\n"
    down = f"  await db.schema.alterTable('{t}').addColumn('{b}', 'text').execute()\n"
    bad = _review(up, names, down, head=code)
    [finding] = [f for f in bad.active if f.rule == "column-dropped"]
    assert finding.line == 4 and "src/repository.ts" in str(finding.references)
    safe = _review(
        f"  await db.schema.alterTable('{t}').addColumn('{b}_v2', 'text').execute()\n", names, head=code
    )
    assert [m.framework for m in safe.migrations] == ["kysely"]
    assert "column-dropped" not in _rules(safe)


@pytest.mark.parametrize("names", NAMES)
def test_renaming_a_column(names: dict[str, str]) -> None:
    t, a = names["table"], names["a"]
    bad = _review(f"  await db.schema.alterTable('{t}').renameColumn('{a}', '{a}_v2').execute()\n", names)
    assert _lines(bad, "column-renamed") == [4]
    safe = _review(
        f"  await db.schema.createTable('{t}_v2').addColumn('{a}', 'text').execute()\n"
        f"  await db.schema.alterTable('{t}_v2').renameColumn('{a}', '{a}_v2').execute()\n",
        names,
    )
    assert [m.framework for m in safe.migrations] == ["kysely"]
    assert "column-renamed" not in _rules(safe)


@pytest.mark.parametrize("names", NAMES)
def test_changing_a_column_type(names: dict[str, str]) -> None:
    t, n, new = names["table"], names["n"], names["new"]
    bad = _review(
        f"  await db.schema.alterTable('{t}').alterColumn('{n}', (c) => c.setDataType('bigint')).execute()\n",
        names,
    )
    assert _lines(bad, "type-change-rewrite") == [4]
    # a longer varchar: PostgreSQL changes the catalog only
    safe = _review(
        f"  await db.schema.alterTable('{t}').alterColumn('{new}_id', (c) => c.setDataType('varchar(200)')).execute()\n",
        names,
    )
    assert [m.framework for m in safe.migrations] == ["kysely"]
    assert "type-change-rewrite" not in _rules(safe)


@pytest.mark.parametrize("names", NAMES)
def test_a_migration_without_down_cannot_be_rolled_back(names: dict[str, str]) -> None:
    t, b = names["table"], names["b"]
    up = f"  await db.schema.alterTable('{t}').dropColumn('{b}').execute()\n"
    bad = _review(up, names, down=None)
    assert "missing-down-migration" in _rules(bad)
    assert [(m.has_down, m.reversible) for m in bad.migrations] == [(False, False)]
    safe = _review(
        up, names, down=f"  await db.schema.alterTable('{t}').addColumn('{b}', 'text').execute()\n"
    )
    assert [(m.framework, m.has_down) for m in safe.migrations] == [("kysely", True)]
    assert "missing-down-migration" not in _rules(safe)


@pytest.mark.parametrize("names", NAMES)
def test_what_down_does_is_the_rollback_read(names: dict[str, str]) -> None:
    t, new = names["table"], names["new"]
    up = f"  await db.schema.alterTable('{t}').addColumn('{new}', 'text').execute()\n"
    bad = _review(up, names, down=f"  await db.schema.dropTable('{t}').execute()\n")
    assert "down-overreaches" in _rules(bad) or "down-does-not-restore" in _rules(bad)
    safe = _review(up, names, down=f"  await db.schema.alterTable('{t}').dropColumn('{new}').execute()\n")
    assert not {"down-overreaches", "down-does-not-restore"} & _rules(safe)
    assert [m.framework for m in safe.migrations] == ["kysely"]


# -- the dialect, from the project ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "dialect"),
    [
        (
            {
                "src/db.ts": "import { Kysely, MysqlDialect } from 'kysely'\n"
                "export const db = new Kysely<DB>({ dialect: new MysqlDialect({ pool }) })\n"
            },
            "mysql",
        ),
        (
            {
                "src/database.ts": "import { Kysely, PostgresDialect } from 'kysely'\n"
                "export const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) })\n"
            },
            "postgres",
        ),
        (
            {
                "kysely.config.ts": "import { defineConfig } from 'kysely-ctl'\n"
                "export default defineConfig({ dialect: 'mysql2', dialectConfig: {} })\n"
            },
            "mysql",
        ),
        (
            {
                "src/lib/db.ts": "import { LibsqlDialect } from '@libsql/kysely-libsql'\n"
                "export const db = new Kysely<DB>({ dialect: new LibsqlDialect({ url }) })\n"
            },
            "sqlite",
        ),
    ],
)
def test_the_dialect_is_the_one_the_project_constructs(setup: dict[str, str], dialect: str) -> None:
    package = '{"dependencies": {"kysely": "^0.27.0"}}'
    base = {**_base(ORDERS, package), **setup}
    result = _review(
        "  await db.schema.alterTable('orders').addColumn('note', 'text').execute()\n", ORDERS, base=base
    )
    assert [(m.framework, m.dialect) for m in result.migrations] == [("kysely", dialect)]


@pytest.mark.parametrize("names", NAMES)
def test_mysql_and_postgres_read_the_same_change_each_its_way(names: dict[str, str]) -> None:
    """A NOT NULL column added to an existing table: PostgreSQL refuses it without a default (the rows
    have none), MySQL fills in the type's implicit default. The dialect comes from the project's driver."""
    t, new = names["table"], names["new"]
    up = f"  await db.schema.alterTable('{t}').addColumn('{new}', 'integer', (c) => c.notNull()).execute()\n"
    postgres = _review(up, names, base=_base(names, PG))
    mysql = _review(up, names, base=_base(names, MYSQL))
    assert [m.dialect for m in postgres.migrations] == ["postgres"]
    assert [m.dialect for m in mysql.migrations] == ["mysql"]
    assert "not-null-without-default" in _rules(postgres)
    assert not mysql.migrations[0].in_transaction and postgres.migrations[0].in_transaction


@pytest.mark.parametrize("names", NAMES)
def test_mysql_modify_column_and_indexes_of_alter_table(names: dict[str, str]) -> None:
    t, a, n = names["table"], names["a"], names["n"]
    up = (
        f"  await db.schema.alterTable('{t}').modifyColumn('{n}', 'bigint', (c) => c.notNull()).execute()\n"
        f"  await db.schema.alterTable('{t}').addIndex('{t}_{a}_idx').column('{a}').execute()\n"
    )
    down = f"  await db.schema.alterTable('{t}').dropIndex('{t}_{a}_idx').execute()\n"
    migration = parse(BY_NAME["kysely"], PATH, _migration(up, down), MemoryTree(_base(names, MYSQL)), "mysql")
    assert [type(op) for op in migration.up][:1] == [AlterColumnType]
    assert any(isinstance(op, AddIndex) and op.columns == (a,) for op in migration.up)
    assert [type(op) for op in migration.down or ()] == [DropIndex]


# -- transactions -----------------------------------------------------------------------------------------


CONCURRENTLY = "  await sql`CREATE INDEX CONCURRENTLY {t}_{a}_idx ON {t} ({a})`.execute(db)\n"


@pytest.mark.parametrize("names", NAMES)
def test_concurrently_inside_the_migrators_transaction(names: dict[str, str]) -> None:
    up = CONCURRENTLY.format(t=names["table"], a=names["a"])
    bad = _review(up, names)
    assert _lines(bad, "concurrent-in-transaction") == [4]
    migrator = {
        "src/migrate.ts": "const migrator = new Migrator({ db, provider, transactionMode: 'none' })\n"
    }
    safe = _review(up, names, base={**_base(names), **migrator})
    assert [m.in_transaction for m in safe.migrations] == [False]
    assert "concurrent-in-transaction" not in _rules(safe)


@pytest.mark.parametrize("names", NAMES)
def test_a_migration_opts_out_of_its_transaction_per_migration(names: dict[str, str]) -> None:
    t, a = names["table"], names["a"]
    migrator = {"src/db/migrator.ts": "new Migrator({ db, provider, transactionMode: 'per-migration' })\n"}
    body = (
        "import { sql } from 'kysely'\nimport { defineMigration } from 'kysely/migration'\n\n"
        "export default defineMigration({\n{config}"
        "  async up(db) {\n"
        f"    await sql`CREATE INDEX CONCURRENTLY {t}_{a}_idx ON {t} ({a})`.execute(db)\n"
        "  },\n"
        "  async down(db) {\n"
        f"    await sql`DROP INDEX CONCURRENTLY IF EXISTS {t}_{a}_idx`.execute(db)\n"
        "  },\n"
        "})\n"
    )
    base = {**_base(names), **migrator}
    bad = review_sql(body.replace("{config}", ""), path=PATH, base=base)
    assert "concurrent-in-transaction" in _rules(bad)
    safe = review_sql(body.replace("{config}", "  config: { transaction: false },\n"), path=PATH, base=base)
    assert [(m.framework, m.in_transaction) for m in safe.migrations] == [("kysely", False)]
    assert "concurrent-in-transaction" not in _rules(safe)


def test_kysely_runs_no_transaction_on_sqlite_or_mysql() -> None:
    for package in ('{"dependencies": {"kysely": "1", "better-sqlite3": "1"}}', MYSQL):
        result = _review(
            "  await db.schema.alterTable('orders').addColumn('note', 'text').execute()\n",
            ORDERS,
            base=_base(ORDERS, package),
        )
        [migration] = result.migrations
        assert not migration.in_transaction and "transactional DDL" in migration.transaction_note


# -- data changes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("names", NAMES)
def test_data_changes_of_the_query_builder_are_read_as_sql(names: dict[str, str]) -> None:
    t, a = names["table"], names["a"]
    bad = _review(f"  await db.updateTable('{t}').set({{ {a}: 'open' }}).execute()\n", names)
    assert "every-row-overwritten" in _rules(bad)
    safe = _review(
        f"  await db.updateTable('{t}').set({{ {a}: 'open' }}).where('{a}', 'is', null).execute()\n", names
    )
    assert [m.framework for m in safe.migrations] == ["kysely"]
    assert "every-row-overwritten" not in _rules(safe)


# -- classes found replaying real Kysely projects -----------------------------------------------------------


@pytest.mark.parametrize("names", NAMES)
def test_a_typed_sql_template_is_read(names: dict[str, str]) -> None:
    """``sql<{ exists: boolean }>`…` `` (the TypeScript grammar takes the type arguments for comparisons)."""
    t, a = names["table"], names["a"]
    typed = (
        "  const found = await sql<{ exists: boolean }>`SELECT 1 AS exists`.execute(db)\n"
        f"  await sql<never>`CREATE INDEX {t}_{a}_idx ON {t} ({a})`.execute(db)\n"
    )
    bad = _review(typed, names)
    assert _lines(bad, "non-concurrent-index") == [5]
    assert "unparsed-statement" not in _rules(bad)
    safe = _review(
        typed.replace(f"ON {t} ", f"ON {t}_new ").replace(
            "  await sql<never>",
            f"  await db.schema.createTable('{t}_new').addColumn('{a}', 'text').execute()\n  await sql<never>",
        ),
        names,
    )
    assert [m.framework for m in safe.migrations] == ["kysely"]
    assert not {"non-concurrent-index", "unparsed-statement"} & _rules(safe)


def _not_null_base(names: dict[str, str]) -> dict[str, str]:
    base = _base(names)
    path = "src/migrations/2024-01-01T00:00:00_create.ts"
    base[path] = base[path].replace(
        f"'{names['a']}', 'text')", f"'{names['a']}', 'text', (c) => c.notNull())"
    )
    return base


@pytest.mark.parametrize("names", NAMES)
def test_rows_built_from_a_spread_object_name_no_columns_they_leave_out(names: dict[str, str]) -> None:
    t, n = names["table"], names["n"]
    base = _not_null_base(names)
    bad = _review(f"  await db.insertInto('{t}').values({{ {n}: 5 }}).execute()\n", names, base=base)
    assert _lines(bad, "null-into-not-null") == [4]
    safe = _review(
        f"  await db.insertInto('{t}').values({{ ...DEFAULTS, {n}: 5 }}).execute()\n", names, base=base
    )
    assert [m.framework for m in safe.migrations] == ["kysely"]
    assert "null-into-not-null" not in _rules(safe)


@pytest.mark.parametrize("names", NAMES)
def test_rows_the_code_maps_keep_their_columns_not_invented_values(names: dict[str, str]) -> None:
    t, a = names["table"], names["a"]
    bad = _review(f"  await db.insertInto('{t}').values({{ id: 5, {a}: 'x' }}).execute()\n", names)
    assert _lines(bad, "sequence-reset") == [4]
    safe = _review(
        f"  await db.insertInto('{t}').values(items.map((item) => ({{ {a}: item.{a} }}))).execute()\n"
        f"  await db.insertInto('{t}').values(rows).execute()\n",
        names,
    )
    assert [m.framework for m in safe.migrations] == ["kysely"]
    assert not {"sequence-reset", "null-into-not-null", "unparsed-statement"} & _rules(safe)


@pytest.mark.parametrize("names", NAMES)
def test_update_from_another_table_with_the_expression_builder(names: dict[str, str]) -> None:
    t, a, b = names["table"], names["a"], names["b"]
    update = (
        f"  await db\n    .updateTable('{t}')\n    .from('{t}_source')\n"
        "    .set({values})\n"
        f"    .whereRef('{t}.id', '=', '{t}_source.id')\n"
        "    .execute()\n"
    )
    bad = _review(update.replace("{values}", "computeValues()"), names)
    assert _lines(bad, "unparsed-statement") == [4]
    safe = _review(update.replace("{values}", f"(eb) => ({{ {a}: eb.ref('{t}_source.{b}') }})"), names)
    assert [m.framework for m in safe.migrations] == ["kysely"]
    assert "unparsed-statement" not in _rules(safe)
    [finding] = [f for f in safe.active if f.rule == "unbatched-data-change"]
    assert f"{t}_source" in finding.message and "matching" in finding.message


@pytest.mark.parametrize("names", NAMES)
def test_expressions_among_the_columns_of_an_index(names: dict[str, str]) -> None:
    t, a, n = names["table"], names["a"], names["n"]
    index = (
        f"  await db.schema\n    .createIndex('{t}_lower_idx')\n    .on('{{table}}')\n"
        f"    .columns(['{n}', sql`lower({a})`])\n    .where(sql.ref('{a}'), 'is not', null)\n    .execute()\n"
    )
    bad = _review(index.replace("{table}", t), names)
    assert _lines(bad, "non-concurrent-index") == [5]
    safe = _review(
        f"  await db.schema.createTable('{t}_v2').addColumn('{a}', 'text').addColumn('{n}', 'integer').execute()\n"
        + index.replace("{table}", f"{t}_v2"),
        names,
    )
    assert [m.framework for m in safe.migrations] == ["kysely"]
    assert not {"non-concurrent-index", "unparsed-statement"} & _rules(safe)


DUMP = (
    "import {{ Kysely, sql }} from 'kysely'\n\n"
    "export async function up(db: Kysely<any>): Promise<void> {{\n"
    "  let script = `\n"
    "CREATE TABLE public.{t} (id bigint PRIMARY KEY, {n} integer, {c} varchar(240), logo text);\n"
    "INSERT INTO public.{t} VALUES (1, 2, 'x', '/self-hosted/logo.png');\n"
    "`\n"
    "  if (process.env.CDN_URL) {{\n"
    "    script = script.replaceAll('/self-hosted/', process.env.CDN_URL)\n"
    "  }}\n"
    "  await sql`${{sql.raw(script)}}`.execute(db)\n"
    "}}\n"
)


@pytest.mark.parametrize("names", NAMES)
def test_a_dump_the_migration_loads_after_replacing_text_in_it(names: dict[str, str]) -> None:
    """A baseline migration loading a pg_dump held in a `let`, changed only by `script.replaceAll(…)`: its
    statements build the schema later migrations change, so a widened varchar is known to be one."""
    t, n, c = names["table"], names["n"], names["new"]
    base = {
        "src/migrations/2024-01-01T00:00:00_init.ts": DUMP.format(t=t, n=n, c=c),
        "package.json": PG,
    }
    bad = _review(
        f"  await db.schema.alterTable('{t}').alterColumn('{n}', (col) => col.setDataType('bigint')).execute()\n",
        names,
        base=base,
    )
    [finding] = [f for f in bad.active if f.rule == "type-change-rewrite"]
    assert "integer" in finding.message or "int" in finding.message.split("from")[-1]
    safe = _review(
        f"  await db.schema.alterTable('{t}').alterColumn('{c}', (col) => col.setDataType('varchar(1000)')).execute()\n",
        names,
        base=base,
    )
    assert [m.framework for m in safe.migrations] == ["kysely"]
    assert "type-change-rewrite" not in _rules(safe)


# -- the Migrator's order and its record of names -------------------------------------------------------------


@pytest.mark.parametrize(
    ("applied", "early", "late"),
    [
        (
            "src/migrations/2024-03-01T00:00:00.000Z_add_total.ts",
            "src/migrations/2024-02-01T00:00:00.000Z_add_note.ts",
            "src/migrations/2024-04-01T00:00:00.000Z_add_note.ts",
        ),
        (
            "db/migrations/0003_add_total.ts",
            "db/migrations/0002_add_note.ts",
            "db/migrations/0004_add_note.ts",
        ),
    ],
)
def test_a_migration_named_before_the_last_applied_one(applied: str, early: str, late: str) -> None:
    """Kysely's Migrator refuses a pending migration named before the last executed one, unless it is built
    with `allowUnorderedMigrations: true`."""
    base = {
        **_base(ORDERS),
        applied: _migration("  await db.schema.alterTable('orders').dropColumn('total').execute()\n"),
    }
    text = _migration("  await db.schema.alterTable('orders').addColumn('note', 'text').execute()\n")
    bad = review_sql(text, path=early, base=base)
    [finding] = [f for f in bad.active if f.rule == "migration-out-of-order"]
    assert "allowUnorderedMigrations" in finding.blast_radius
    assert "migration-out-of-order" not in _rules(review_sql(text, path=late, base=base))
    allowed = {**base, "src/migrate.ts": "new Migrator({ db, provider, allowUnorderedMigrations: true })\n"}
    safe = review_sql(text, path=early, base=allowed)
    assert [m.framework for m in safe.migrations] == ["kysely"]
    assert "migration-out-of-order" not in _rules(safe)


@pytest.mark.parametrize("names", NAMES)
def test_findings_say_how_to_do_it_in_kysely(names: dict[str, str]) -> None:
    t, a = names["table"], names["a"]
    result = _review(
        f"  await db.schema.createIndex('{t}_{a}_idx').on('{t}').column('{a}').execute()\n", names
    )
    fixes = {f.rule: f.fix for f in result.active}
    assert (
        "defineMigration" in fixes["non-concurrent-index"] and "CONCURRENTLY" in fixes["non-concurrent-index"]
    )
    assert "sql`SET lock_timeout" in fixes["missing-lock-timeout"]


@pytest.mark.parametrize("names", NAMES)
def test_a_removed_migration_stops_the_migrator(names: dict[str, str]) -> None:
    from tests.conftest import review_removal

    t, n = names["table"], names["n"]
    removed = review_removal(
        "src/migrations/2024-03-01T00:00:00.000Z_drop.ts",
        _migration(f"  await db.schema.alterTable('{t}').dropColumn('{n}').execute()\n"),
        base=_base(names),
    )
    [finding] = [f for f in removed.active if f.rule == "applied-migration-removed"]
    assert "corrupted migrations" in finding.message and finding.severity.value == "critical"


def _enum_base(names: dict[str, str], setup: dict[str, str]) -> dict[str, str]:
    t, a = names["table"], names["a"]
    create = _migration(
        f"  await db.schema.createType('{t}_{a}').asEnum(['open', 'closed']).execute()\n"
        f"  await db.schema.createTable('{t}').addColumn('id', 'serial', (c) => c.primaryKey())"
        f".addColumn('{a}', sql`\"{t}_{a}\"`).execute()\n"
    )
    return {"src/migrations/2024-01-01T00:00:00.000Z_create.ts": create, "package.json": PG, **setup}


@pytest.mark.parametrize("names", NAMES)
def test_an_enum_value_added_by_one_migration_and_used_by_the_next_of_the_same_run(
    names: dict[str, str],
) -> None:
    """Kysely's default `transactionMode: 'per-run'` runs every pending migration in one transaction: a value
    added by the first is not usable by the second ("unsafe use of new value")."""
    t, a = names["table"], names["a"]
    first = (
        "src/migrations/2024-02-01T00:00:00.000Z_add_value.ts",
        _migration(f"  await sql`ALTER TYPE \"{t}_{a}\" ADD VALUE 'archived'`.execute(db)\n"),
    )
    second = (
        "src/migrations/2024-02-02T00:00:00.000Z_archive.ts",
        _migration(
            f"  await db.updateTable('{t}').set({{ {a}: 'archived' }}).where('{a}', '=', 'closed').execute()\n"
        ),
    )

    def run(setup: dict[str, str]):  # type: ignore[no-untyped-def]
        base = _enum_base(names, setup)
        head = {**base, first[0]: first[1], second[0]: second[1]}
        changeset = ChangeSet(
            base="base",
            head="head",
            files=tuple(ChangedFile(p, "added", None, text) for p, text in (first, second)),
            head_tree=MemoryTree(head),
            base_tree=MemoryTree(base),
        )
        return review(changeset)

    bad = run({})
    [finding] = [f for f in bad.active if f.rule == "enum-value-in-transaction"]
    assert finding.path == second[0] and finding.line == 4 and first[0] in finding.message
    safe = run({"src/migrate.ts": "new Migrator({ db, provider, transactionMode: 'per-migration' })\n"})
    assert [m.framework for m in safe.migrations] == ["kysely", "kysely"]
    assert "enum-value-in-transaction" not in _rules(safe)


@pytest.mark.parametrize("names", NAMES)
def test_statements_run_together_with_promise_all(names: dict[str, str]) -> None:
    t, a, n = names["table"], names["a"], names["n"]
    together = (
        "  await Promise.all([\n"
        f"    db.schema.createIndex('{t}_{a}_idx').on('{{table}}').column('{a}').execute(),\n"
        f"    db.schema.createIndex('{t}_{n}_idx').on('{{table}}').column('{n}').execute(),\n"
        "  ])\n"
    )
    bad = _review(together.replace("{table}", t), names)
    assert _lines(bad, "non-concurrent-index") == [5, 6]
    safe = _review(
        f"  await db.schema.createTable('{t}_v2').addColumn('{a}', 'text').addColumn('{n}', 'integer').execute()\n"
        + together.replace("{table}", f"{t}_v2"),
        names,
    )
    assert [m.framework for m in safe.migrations] == ["kysely"]
    assert "non-concurrent-index" not in _rules(safe)


@pytest.mark.parametrize("names", NAMES)
def test_a_column_added_if_not_exists_can_run_again(names: dict[str, str]) -> None:
    """Without a transaction (`transactionMode: 'none'`), a statement that fails halfway is run again: a
    column added with `col.ifNotExists()` can be."""
    t, new = names["table"], names["new"]
    base = {**_base(names), "src/migrate.ts": "new Migrator({ db, provider, transactionMode: 'none' })\n"}
    up = f"  await db.schema.alterTable('{t}').addColumn('{new}', 'text'{{how}}).execute()\n"
    up += f"  await db.schema.alterTable('{t}').dropColumn('{names['b']}').execute()\n"
    bad = _review(up.replace("{how}", ""), names, base=base)
    assert 4 in _lines(bad, "non-robust-statement")
    safe = _review(up.replace("{how}", ", (col) => col.ifNotExists()"), names, base=base)
    assert [m.framework for m in safe.migrations] == ["kysely"]
    assert 4 not in _lines(safe, "non-robust-statement")


def test_mysql_indexes_declared_with_the_table() -> None:
    up = (
        "  await db.schema\n"
        "    .createTable('coupons')\n"
        "    .addColumn('code', 'varchar(40)')\n"
        "    .addColumn('order_id', 'integer')\n"
        "    .addIndex('coupons_code_idx', ['code', 'order_id'])\n"
        "    .execute()\n"
    )
    migration = parse(BY_NAME["kysely"], PATH, _migration(up), MemoryTree(_base(ORDERS, MYSQL)), "mysql")
    assert [type(op) for op in migration.up] == [CreateTable, AddIndex]
    index = migration.up[1]
    assert isinstance(index, AddIndex) and index.columns == ("code", "order_id") and index.table == "coupons"


@pytest.mark.parametrize("names", NAMES)
def test_a_builder_awaited_without_execute_sends_nothing(names: dict[str, str]) -> None:
    """Kysely's builders are no promises: `await db.schema.alterTable(…).dropColumn(…)` without `.execute()`
    makes no change, which the review says rather than approving a migration that does nothing."""
    t, b = names["table"], names["b"]
    statement = f"  await db.schema.alterTable('{t}').dropColumn('{b}'){{run}}\n"
    bad = _review(statement.replace("{run}", ""), names)
    [finding] = [f for f in bad.active if f.rule == "unparsed-statement"]
    assert finding.line == 4 and "never executed" in finding.message
    assert "column-dropped" not in _rules(bad)
    held = f"  const change = db.schema.alterTable('{t}').dropColumn('{b}')\n  await change.execute()\n"
    for safe in (_review(statement.replace("{run}", ".execute()"), names), _review(held, names)):
        assert [m.framework for m in safe.migrations] == ["kysely"]
        assert "unparsed-statement" not in _rules(safe)
        assert _lines(safe, "column-dropped") == [4]
