"""Knex migrations through `review()`: detection, the schema builder and `knex.raw` at their lines, data
changes through the query builder, `config = { transaction: false }`, reversibility and references."""

from __future__ import annotations

import sqlite3

import pytest

from bot.frameworks import detect, knex
from bot.model.changeset import MemoryTree
from bot.model.config import Config
from bot.model.migration import (
    PLACEHOLDER,
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    CreateTable,
    DataDelete,
    DataUpdate,
    DropColumn,
    DropNotNull,
    DropTable,
    RenameColumn,
    RunCode,
    SetDefault,
    SetNotNull,
    Unparsed,
)
from tests.conftest import review_sql

PATH = "migrations/20240601120000_change_orders.js"
BASE = {
    "migrations/20240101000000_create_orders.js": (
        "exports.up = (knex) =>\n"
        "  knex.schema.createTable('orders', (t) => {\n"
        "    t.increments('id');\n"
        "    t.string('legacy_code');\n"
        "    t.string('state');\n"
        "    t.integer('total');\n"
        "    t.integer('user_id');\n"
        "  });\n"
        "exports.down = (knex) => knex.schema.dropTable('orders');\n"
    )
}


def _migration(up: str, down: str = "", tail: str = "") -> str:
    down_part = f"exports.down = async function (knex) {{\n{down}}};\n" if down is not None else ""
    return f"exports.up = async function (knex) {{\n{up}}};\n\n{down_part}{tail}"


def _parse(text: str, path: str = PATH) -> knex.Migration:
    return knex.parse(path, text, MemoryTree(), "postgres")


def _rules(result: object) -> set[tuple[str, int]]:
    return {(f.rule, f.line) for f in result.active}  # type: ignore[attr-defined]


def test_detects_knex_migrations_in_javascript_and_typescript() -> None:
    text = _migration("  await knex.schema.dropTable('x');\n")
    assert getattr(detect(PATH, text, Config()), "NAME", None) == knex.NAME
    typescript = (
        'import type { Knex } from "knex";\n\n'
        "export async function up(knex: Knex): Promise<void> {\n"
        "  await knex.schema.alterTable('orders', (table) => {\n"
        "    table.dropColumn('legacy_code');\n"
        "  });\n"
        "}\n\n"
        "export async function down(knex: Knex): Promise<void> {}\n"
    )
    path = "db/migrations/20240601120000_drop.ts"
    assert getattr(detect(path, typescript, Config()), "NAME", None) == knex.NAME
    migration = knex.parse(path, typescript, MemoryTree(), "postgres")
    assert [(op.location.line, type(op)) for op in migration.up] == [(5, DropColumn)]
    assert migration.down == ()
    assert detect("src/routes/orders.js", text, Config()) is None
    assert knex.version(PATH) == "20240601120000"


def test_schema_builder_at_the_lines_of_its_calls() -> None:
    migration = _parse(
        _migration(
            "  await knex.schema.alterTable('orders', (t) => {\n"
            "    t.string('code', 40).notNullable().defaultTo('none');\n"
            "    t.dropColumn('legacy_code');\n"
            "    t.renameColumn('state', 'status');\n"
            "    t.bigInteger('total').notNullable().alter();\n"
            "    t.index(['user_id'], 'orders_user_id_index');\n"
            "    t.unique(['code']);\n"
            "    t.foreign('user_id').references('id').inTable('users');\n"
            "  });\n"
            "  await knex.schema.createTable('coupons', (t) => {\n"
            "    t.bigIncrements('id');\n"
            "    t.string('code').notNullable();\n"
            "  });\n"
            "  await knex.schema.dropTableIfExists('old_coupons');\n"
        )
    )
    kinds = [(op.location.line, type(op)) for op in migration.up]
    assert kinds == [
        (3, AddColumn),
        (4, DropColumn),
        (5, RenameColumn),
        (6, AlterColumnType),
        (6, SetNotNull),
        (6, SetDefault),
        (7, AddIndex),
        (8, AddConstraint),
        (9, AddConstraint),
        (11, CreateTable),
        (15, DropTable),
    ]
    add = migration.up[0]
    assert isinstance(add, AddColumn) and add.column.type == "varchar(40)" and add.column.default == "'none'"
    retype = migration.up[3]
    assert isinstance(retype, AlterColumnType) and retype.new_type == "bigint"
    key = migration.up[8]
    assert isinstance(key, AddConstraint) and key.references == "users"
    table = migration.up[9]
    assert isinstance(table, CreateTable) and [c.name for c in table.columns] == ["id", "code"]


def test_alter_without_not_nullable_drops_not_null() -> None:
    migration = _parse(
        _migration("  await knex.schema.table('orders', (t) => { t.text('state').alter(); });\n")
    )
    assert [type(op) for op in migration.up] == [AlterColumnType, DropNotNull, SetDefault]


def test_data_changes_through_the_query_builder() -> None:
    migration = _parse(
        _migration(
            "  await knex('orders').whereNull('state').update({ state: 'open' });\n"
            "  await knex('orders').where('state', 'void').del();\n"
            "  await knex.raw(`UPDATE orders SET total = 0 WHERE total IS NULL`);\n"
        )
    )
    update, delete, raw = migration.up
    assert isinstance(update, DataUpdate) and update.assignments == (("state", "'open'"),)
    assert update.where == "state IS NULL" and update.location.line == 2
    assert isinstance(delete, DataDelete) and delete.where == "state = 'void'"
    assert isinstance(raw, DataUpdate) and raw.location.line == 4


def test_unbatched_update_is_found_at_its_line() -> None:
    result = review_sql(
        _migration("  await knex('orders').update({ state: 'open' });\n", down="  return;\n"),
        path=PATH,
        base=BASE,
    )
    assert ("unbatched-data-change", 2) in _rules(result)


def test_transaction_false_with_a_concurrent_index() -> None:
    bad = review_sql(
        _migration(
            "  await knex.raw('CREATE INDEX CONCURRENTLY orders_state_idx ON orders (state)');\n",
            down="  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS orders_state_idx');\n",
        ),
        path=PATH,
        base=BASE,
    )
    assert ("concurrent-in-transaction", 2) in _rules(bad)
    good = review_sql(
        _migration(
            "  await knex.raw(\"SET lock_timeout = '5s'\");\n"
            "  await knex.raw('CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_state_idx ON orders (state)');\n",
            down="  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS orders_state_idx');\n",
            tail="exports.config = { transaction: false };\n",
        ),
        path=PATH,
        base=BASE,
    )
    assert good.approval == "APPROVED", [(f.rule, f.line) for f in good.active]


def test_non_concurrent_index_fix_in_knex_terms() -> None:
    result = review_sql(
        _migration("  await knex.schema.table('orders', (t) => { t.index('state'); });\n"),
        path=PATH,
        base=BASE,
    )
    finding = next(f for f in result.active if f.rule == "non-concurrent-index")
    assert finding.line == 2 and "transaction: false" in finding.fix


def test_dropped_column_without_down_blocks() -> None:
    text = "exports.up = (knex) => knex.schema.table('orders', (t) => t.dropColumn('legacy_code'));\n"
    result = review_sql(text, path=PATH, base=BASE)
    assert {("column-dropped", 1), ("missing-down-migration", 1)} <= _rules(result)
    assert "exports.down" in next(f.fix for f in result.active if f.rule == "missing-down-migration")
    assert result.approval == "BLOCKED"


def test_additive_reversible_migration_is_approved() -> None:
    result = review_sql(
        _migration(
            "  await knex.schema.alterTable('orders', (t) => { t.text('note'); });\n",
            down="  await knex.schema.alterTable('orders', (t) => { t.dropColumn('note'); });\n",
        ),
        path=PATH,
        base=BASE,
    )
    assert result.approval == "APPROVED", [(f.rule, f.line) for f in result.active]


def test_not_null_column_without_default_on_an_existing_table() -> None:
    result = review_sql(
        _migration("  await knex.schema.alterTable('orders', (t) => { t.string('code').notNullable(); });\n"),
        path=PATH,
        base=BASE,
    )
    finding = next(f for f in result.active if f.rule == "not-null-without-default")
    assert finding.line == 2 and ".defaultTo" in finding.fix


def test_code_reading_a_dropped_column_is_a_reference() -> None:
    code = "export async function legacy(db) {\n  return db('orders').select('legacy_code');\n}\n"
    result = review_sql(
        _migration("  await knex.schema.table('orders', (t) => { t.dropColumn('legacy_code'); });\n"),
        path=PATH,
        base={**BASE, "src/orders/legacy.js": code},
    )
    finding = next(f for f in result.active if f.rule == "column-dropped")
    assert any(ref.path == "src/orders/legacy.js" for ref in finding.references)


def test_what_cannot_be_read_is_unparsed() -> None:
    migration = _parse(
        _migration(
            "  for (const name of tables) {\n"
            "    await knex.schema.dropTable(name);\n"
            "  }\n"
            "  await knex.raw(sqlFor('orders'));\n"
            "  await helper(knex);\n"
        )
    )
    assert [type(op) for op in migration.up] == [Unparsed, Unparsed, RunCode]
    assert [op.location.line for op in migration.up] == [3, 5, 6]


def test_dialect_from_the_knexfile() -> None:
    knexfile = (
        "module.exports = {\n  production: { client: 'mysql2', connection: process.env.DATABASE_URL },\n};\n"
    )
    result = review_sql(
        _migration("  await knex.schema.table('orders', (t) => { t.index('state'); });\n"),
        path=PATH,
        base={**BASE, "knexfile.js": knexfile},
    )
    assert [m.dialect for m in result.migrations] == ["mysql"]
    assert "non-concurrent-index" not in {f.rule for f in result.active}  # a PostgreSQL rule


def test_a_file_given_directly_is_known_by_its_content() -> None:
    from bot.frameworks import sniff

    text = "exports.up = (knex) => knex.schema.table('orders', (t) => t.dropColumn('legacy_code'));\n"
    assert getattr(sniff("/tmp/change.js", text), "NAME", None) == knex.NAME


def test_increments_without_a_name_is_the_id_column() -> None:
    migration = _parse(
        _migration("  await knex.schema.createTable('tags', (t) => { t.increments(); t.string('name'); });\n")
    )
    (table,) = migration.up
    assert isinstance(table, CreateTable) and [(c.name, c.primary_key) for c in table.columns] == [
        ("id", True),
        ("name", False),
    ]


def test_rollback_plan_names_the_knex_command() -> None:
    result = review_sql(
        _migration(
            "  await knex.schema.table('orders', (t) => { t.dropColumn('legacy_code'); });\n",
            down="  await knex.schema.table('orders', (t) => { t.string('legacy_code'); });\n",
        ),
        path=PATH,
        base=BASE,
    )
    assert "npx knex migrate:down" in [step.command for step in result.rollback_plan]


@pytest.mark.parametrize(
    ("method", "column", "expected"),
    [
        ("dateTime", "expire_in", "timestamptz"),
        ("dateTime", "change_email_expires", "timestamptz"),
        ("int", "retry_count", "integer"),
        ("bool", "is_archived", "boolean"),
        ("bigInteger", "bytes_sent", "bigint"),
        ("mediumText", "body_html", "text"),
    ],
)
def test_the_builders_other_spellings_of_a_type_are_read(method: str, column: str, expected: str) -> None:
    text = _migration(
        f"  await knex.schema.alterTable('orders', (table) => {{\n    table.{method}('{column}');\n  }});\n"
    )
    result = review_sql(text, path=PATH, base=BASE)
    assert not {f.rule for f in result.active} & {"unparsed-statement", "unreadable-migration"}
    [added] = [op for op in _parse(text).up if isinstance(op, AddColumn)]
    assert (added.column.name, added.column.type) == (column, expected)


@pytest.mark.parametrize(
    ("table", "column", "guard"),
    [
        ("status_page", "analytics_type", 'knex.client.dialect === "sqlite3"'),
        ("monitor", "legacy_url", "isSQLite"),
    ],
)
def test_a_branch_guarded_by_another_database_is_left_out(table: str, column: str, guard: str) -> None:
    create = (
        f"exports.up = (knex) => knex.schema.createTable('{table}', (t) => {{\n"
        f"  t.increments('id');\n  t.string('{column}');\n}});\n"
        f"exports.down = (knex) => knex.schema.dropTable('{table}');\n"
    )
    base = {"migrations/20240101000000_create.js": create}
    up = (
        f'  const isSQLite = knex.client.dialect === "sqlite3";\n'
        f"  if ({guard}) {{\n"
        f"    await knex.schema.alterTable('{table}', (t) => {{ t.dropColumn('{column}'); }});\n"
        f"  }} else {{\n"
        f"    await knex.schema.alterTable('{table}', (t) => {{ t.index('{column}'); }});\n"
        "  }\n"
    )
    text = _migration(up, "")
    on_mysql = review_sql(text, path=PATH, base=base, dialect="mysql")
    rules = {f.rule for f in on_mysql.active}
    assert "column-dropped" not in rules  # the SQLite branch does not run on MySQL
    assert [type(op) for op in knex.parse(PATH, text, MemoryTree(), "mysql").up] == [AddIndex]
    on_sqlite = review_sql(text, path=PATH, base=base, dialect="sqlite")
    assert "column-dropped" in {f.rule for f in on_sqlite.active}
    assert [type(op) for op in knex.parse(PATH, text, MemoryTree(), "sqlite").up] == [DropColumn]
    unguarded = knex.parse(PATH, text.replace(f"if ({guard})", "if (options.fast)"), MemoryTree(), "mysql")
    assert [type(op) for op in unguarded.up] == [DropColumn, AddIndex]


@pytest.mark.parametrize(
    ("table", "column", "labels"),
    [("status_page", "analytics_type", ["google", "umami"]), ("orders", "state", ["open", "closed", "void"])],
)
@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_an_enu_column_is_a_mysql_enum_and_widening_it_to_a_string_loses_nothing(
    table: str, column: str, labels: list[str], dialect: str
) -> None:
    create = (
        f"exports.up = (knex) => knex.schema.createTable('{table}', (t) => {{\n"
        f"  t.increments('id');\n  t.enu('{column}', {labels!r}).nullable();\n}});\n"
        f"exports.down = (knex) => knex.schema.dropTable('{table}');\n"
    )
    [created] = knex.parse("migrations/20240101000000_create.js", create, MemoryTree(), dialect).up
    assert isinstance(created, CreateTable)
    assert created.columns[1].type == "enum(" + ",".join(f"'{label}'" for label in labels) + ")"
    text = _migration(
        f"  await knex.schema.alterTable('{table}', (t) => {{ t.string('{column}').nullable().alter(); }});\n",
        "",
    )
    result = review_sql(
        text, path=PATH, base={"migrations/20240101000000_create.js": create}, dialect=dialect
    )
    assert "lossy-type-change" not in {f.rule for f in result.active}
    narrowed = _migration(
        f"  await knex.schema.alterTable('{table}', (t) => {{ t.string('{column}', 3).nullable().alter(); }});\n",
        "",
    )
    result = review_sql(
        narrowed, path=PATH, base={"migrations/20240101000000_create.js": create}, dialect=dialect
    )
    assert "lossy-type-change" in {f.rule for f in result.active}  # a label longer than 3 characters


@pytest.mark.parametrize(
    ("variable", "table", "column", "key"),
    [("adminRoleQuery", "users", "role", "email"), ("flagged", "links", "banned", "target")],
)
def test_an_update_narrowed_later_through_its_variable_has_a_condition(
    variable: str, table: str, column: str, key: str
) -> None:
    up = (
        f"  const {variable} = knex('{table}').update('{column}', 'x');\n"
        "  values.forEach((value, index) => {\n"
        f"    if (index === 0) {{ {variable}.where('{key}', value); }} else {{ {variable}.orWhere('{key}', value); }}\n"
        "  });\n"
        f"  await {variable};\n"
    )
    narrowed = review_sql(_migration(up, ""), path=PATH, base=BASE)
    assert "unbatched-data-change" not in {f.rule for f in narrowed.active if f.severity.value == "critical"}
    [update] = [op for op in _parse(_migration(up, "")).up if isinstance(op, DataUpdate)]
    assert update.where == PLACEHOLDER  # conditions the code adds when it runs
    whole = up.replace(f"{variable}.where(", "other.where(").replace(f"{variable}.orWhere(", "other.orWhere(")
    [unbounded] = [op for op in _parse(_migration(whole, "")).up if isinstance(op, DataUpdate)]
    assert not unbounded.where


@pytest.mark.parametrize(
    ("table", "constant"), [("screenshots", "TABLE_NAME_SCREENSHOT"), ("audit_logs", "AUDIT_TABLE")]
)
def test_a_table_named_by_a_constant_of_the_module_or_of_an_imported_one(table: str, constant: str) -> None:
    """`alterTable(TABLE_NAME, …)`: a constant of the migration, or one imported from the repository's code
    (through an `index.ts` that re-exports it), is the table it holds, not SQL built at run time."""
    base = {
        "migrations/20240101000000_init.js": (
            f'exports.up = (knex) => knex.schema.createTable("{table}", (t) => {{ t.increments("id"); }});\n'
            f'exports.down = (knex) => knex.schema.dropTable("{table}");\n'
        ),
        "src/dto/index.ts": 'export * from "./names";\n',
        "src/dto/names.ts": f'export const {constant}: string = "{table}";\n',
    }
    body = (
        "export async function up(knex) {\n"
        f"  await knex.schema.alterTable({constant}, (t) => {{\n    t.string('message').notNullable();\n  }});\n"
        "}\nexport async function down(knex) {}\n"
    )
    for head in (f'const {constant} = "{table}";\n', f'import {{ {constant} }} from "../src/dto";\n'):
        result = review_sql(head + body, path="migrations/20240201000000_alter.ts", base=base)
        rules = {f.rule for f in result.active}
        assert "unparsed-statement" not in rules and "not-null-without-default" in rules, rules
        [finding] = [f for f in result.active if f.rule == "not-null-without-default"]
        assert f"`{table}.message`" in finding.message


@pytest.mark.parametrize(("table", "column"), [("users", "created_at"), ("events", "starts_at")])
def test_a_timestamp_without_time_zone_is_read(table: str, column: str) -> None:
    before = f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} timestamptz NOT NULL);\n-- migration\n"

    def altered(options: str) -> set[str]:
        change = _migration(
            f"  await knex.schema.alterTable('{table}', (t) => {{\n"
            f"    t.timestamp('{column}', {options}).notNullable().alter();\n  }});\n"
        )
        return {f.rule for f in review_sql(before + change, path=PATH).active}

    assert "lossy-type-change" in altered("{ useTz: false }")
    assert "lossy-type-change" not in altered("{ useTz: true, precision: 6 }")
    migration = _parse(
        _migration(
            f"  await knex.schema.createTable('{table}', (t) => {{\n    t.dateTime('{column}', {{ useTz: false, precision: 3 }});\n  }});\n"
        )
    )
    assert isinstance(migration.up[0], CreateTable) and migration.up[0].columns[0].type == "timestamp(3)"


@pytest.mark.parametrize(
    ("table", "old", "narrower", "retyped"),
    [
        (
            "status_page",
            "t.text('analytics_type')",
            "t.string('analytics_type', 32)",
            "t.integer('analytics_type')",
        ),
        ("articles", "t.string('slug', 255)", "t.string('slug', 50)", "t.date('slug')"),
        ("prices", "t.decimal('amount', 12, 4)", "t.decimal('amount', 12, 2)", None),
    ],
)
def test_sqlite_keeps_every_value_of_a_narrower_type_of_the_same_affinity(
    table: str, old: str, narrower: str, retyped: str | None
) -> None:
    """SQLite enforces no length, precision or scale: `text` made `varchar(32)`, `numeric(12,4)` made
    `numeric(12,2)` keep every value (checked on sqlite3 below). A change of affinity (text to integer,
    numeric to text) converts what it stores, and is still said."""
    base = {
        "migrations/20240101000000_create.js": f"exports.up = (knex) =>\n  knex.schema.createTable('{table}', (t) => {{\n"
        f"    t.increments('id');\n    {old};\n  }});\nexports.down = (knex) => knex.schema.dropTable('{table}');\n"
    }

    def lossy(new: str, dialect: str) -> list[str]:
        text = (
            f"exports.up = (knex) =>\n  knex.schema.alterTable('{table}', (t) => {{\n    {new}.alter();\n  }});\n"
            "exports.down = () => {};\n"
        )
        found = review_sql(text, path=PATH, base=base, dialect=dialect).active
        return [f.message for f in found if f.rule == "lossy-type-change"]

    assert lossy(narrower, "sqlite") == []
    assert lossy(narrower, "postgres") != []
    assert retyped is None or lossy(retyped, "sqlite") != []
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE old_t (v text, n numeric(12, 4))")
    db.execute("INSERT INTO old_t VALUES ('a value longer than thirty-two characters', 1.23456)")
    db.execute("CREATE TABLE new_t (v varchar(32), n numeric(12, 2))")
    db.execute("INSERT INTO new_t SELECT * FROM old_t")
    assert db.execute("SELECT v, n FROM new_t").fetchone() == (
        "a value longer than thirty-two characters",
        1.23456,
    )


@pytest.mark.parametrize(
    ("table", "column", "condition"),
    [("links", "domain_id", 'env.DB_CLIENT === "mysql"'), ("visits", "user_id", "isMySQL")],
)
def test_a_constant_chosen_by_the_database_is_read_for_the_reviews_database(
    table: str, column: str, condition: str
) -> None:
    """`const ifNotExists = isMySQL ? "" : "IF NOT EXISTS"` pasted into `knex.raw(`CREATE INDEX ${ifNotExists} …`)`:
    on SQLite the index is created only where missing; on MySQL the statement has no guard and fails where the
    index exists (SQLite checked below; MariaDB refuses it too, with `Duplicate key name`)."""
    index = f"{table}_{column}_index"
    base = {
        "migrations/20240101000000_create.js": f"exports.up = (knex) =>\n  knex.schema.createTable('{table}', (t) => {{\n"
        f"    t.increments('id');\n    t.integer('{column}');\n    t.index(['{column}'], '{index}');\n  }});\n"
        f"exports.down = (knex) => knex.schema.dropTable('{table}');\n"
    }
    text = (
        f'const ifNotExists = {condition} ? "" : "IF NOT EXISTS";\n\n'
        "exports.up = async (knex) => {\n"
        f"  await knex.raw(`CREATE INDEX ${{ifNotExists}} {index} ON {table} ({column});`);\n}};\n"
        f"exports.down = async (knex) => {{\n  await knex.raw(`DROP INDEX {index}`);\n}};\n"
    )

    def refused(dialect: str) -> list[str]:
        found = review_sql(text, path=PATH, base=base, dialect=dialect).active
        return [f.message for f in found if f.rule == "object-already-exists"]

    assert refused("sqlite") == []
    assert [index in message for message in refused("mysql")] == [True]
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, {column} integer)")
    db.execute(f"CREATE INDEX {index} ON {table} ({column})")
    db.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({column})")
    with pytest.raises(sqlite3.OperationalError, match="already exists"):
        db.execute(f"CREATE INDEX {index} ON {table} ({column})")
