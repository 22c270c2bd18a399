"""Laravel migrations: detection, Blueprint and DB operations at their lines, transactions, the way back,
the dialect, and the review of small Laravel applications (a bad and a good change for each hazard)."""

from __future__ import annotations

import pytest

from bot.frameworks import detect, laravel
from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.config import Config
from bot.model.findings import Review
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    CreateTable,
    DataDelete,
    DataUpdate,
    DropConstraint,
    DropIndex,
    DropNotNull,
    DropTable,
    Migration,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetNotNull,
    Truncate,
    Unparsed,
)
from bot.review import review

PATH = "database/migrations/2024_06_01_000000_change_orders.php"
HEAD = (
    "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
    "use Illuminate\\Support\\Facades\\DB;\nuse Illuminate\\Support\\Facades\\Schema;\n\n"
    "return new class extends Migration\n{\n"
)  # 9 lines: the class body starts on line 10
CREATE_ORDERS = (
    HEAD
    + "    public function up(): void\n    {\n        Schema::create('orders', function (Blueprint $table) {\n"
    "            $table->id();\n            $table->string('status')->nullable();\n"
    "            $table->string('legacy_status')->nullable();\n            $table->timestamps();\n        });\n"
    "    }\n\n    public function down(): void\n    {\n        Schema::dropIfExists('orders');\n    }\n};\n"
)
BASE = {
    "database/migrations/2024_01_01_000000_create_orders_table.php": CREATE_ORDERS,
    "app/Models/Order.php": "<?php\n\nnamespace App\\Models;\n\nclass Order extends Model\n{\n"
    "    protected $fillable = ['status', 'legacy_status'];\n}\n",
    "app/Jobs/ExportOrders.php": "<?php\n\nclass ExportOrders implements ShouldQueue\n{\n    public function handle()\n"
    "    {\n        foreach (Order::all() as $order) {\n            echo $order->legacy_status;\n        }\n    }\n}\n",
}


def _migration(up: str, down: str | None = "", head: str = "") -> str:
    text = HEAD + head + f"    public function up(): void\n    {{\n{up}    }}\n"
    if down is not None:
        text += f"\n    public function down(): void\n    {{\n{down}    }}\n"
    return text + "};\n"


def _parse(up: str, down: str | None = "", head: str = "", dialect: str = "postgres") -> Migration:
    return laravel.parse(PATH, _migration(up, down, head), MemoryTree(), dialect)


def _review(text: str, base: dict[str, str] | None = None) -> Review:
    files = BASE if base is None else base
    changeset = ChangeSet(
        "b",
        "h",
        (ChangedFile(PATH, "added", None, text),),
        MemoryTree({**files, PATH: text}),
        MemoryTree(files),
    )
    return review(changeset)


def _table(body: str) -> str:
    return f"        Schema::table('orders', function (Blueprint $table) {{\n{body}        }});\n"


def _rules(result: Review) -> set[str]:
    return {f.rule for f in result.active}


def test_detects_laravel_migrations_only() -> None:
    text = _migration("")
    assert getattr(detect(PATH, text, Config()), "NAME", None) == laravel.NAME
    assert (
        getattr(detect("database/migrations/tenant/2024_06_01_000000_x.php", text, Config()), "NAME", None)
        == laravel.NAME
    )
    assert detect("app/Models/Order.php", text, Config()) is None
    assert laravel.version(PATH) == "20240601000000"


def test_create_table_with_its_columns_indexes_and_keys() -> None:
    migration = _parse(
        "        Schema::create('invoices', function (Blueprint $table) {\n"
        "            $table->id();\n"
        "            $table->foreignId('order_id')->constrained()->cascadeOnDelete();\n"
        "            $table->string('number', 40)->unique();\n"
        "            $table->decimal('total', 10, 2)->default(0);\n"
        "            $table->timestamps();\n"
        "        });\n"
    )
    table, key, unique = migration.up
    assert isinstance(table, CreateTable) and table.location.line == 12
    assert [(c.name, c.type, c.nullable) for c in table.columns] == [
        ("id", "bigint", False),
        ("order_id", "bigint", False),
        ("number", "varchar(40)", False),
        ("total", "decimal(10, 2)", False),
        ("created_at", "timestamp(0)", True),
        ("updated_at", "timestamp(0)", True),
    ]
    assert table.columns[3].default == "0"
    assert isinstance(key, AddConstraint) and key.references == "orders" and key.location.line == 14
    assert key.name == "invoices_order_id_foreign"
    assert isinstance(unique, AddIndex) and unique.unique and unique.name == "invoices_number_unique"


def test_table_commands_at_their_lines() -> None:
    migration = _parse(
        _table(
            "            $table->string('note')->nullable()->after('status');\n"
            "            $table->dropColumn(['legacy_status', 'old']);\n"
            "            $table->renameColumn('status', 'state');\n"
            "            $table->index(['state', 'created_at']);\n"
            "            $table->dropIndex(['user_id']);\n"
            "            $table->foreign('user_id')->references('id')->on('users');\n"
            "            $table->dropForeign(['customer_id']);\n"
            "            $table->foreignId('shop_id')->nullable()->constrained('stores');\n"
        )
        + "        Schema::rename('orders', 'purchases');\n        Schema::dropIfExists('carts');\n"
    )
    kinds = [(op.location.line, op.kind) for op in migration.up]
    assert kinds == [
        (13, "AddColumn"),
        (14, "DropColumn"),
        (14, "DropColumn"),
        (15, "RenameColumn"),
        (16, "AddIndex"),
        (17, "DropIndex"),
        (18, "AddConstraint"),
        (19, "DropConstraint"),
        (20, "AddColumn"),
        (20, "AddConstraint"),
        (22, "RenameTable"),
        (23, "DropTable"),
    ]
    note, _, _, rename, index, dropped, key, unkey, shop, shop_key, renamed, drop = migration.up
    assert isinstance(note, AddColumn) and note.column.nullable and note.column.position == "after status"
    assert isinstance(rename, RenameColumn) and (rename.column, rename.new_name) == ("status", "state")
    assert (
        isinstance(index, AddIndex)
        and index.name == "orders_state_created_at_index"
        and not index.concurrently
    )
    assert isinstance(dropped, DropIndex) and dropped.name == "orders_user_id_index"
    assert isinstance(key, AddConstraint) and key.references == "users" and key.columns == ("user_id",)
    assert isinstance(unkey, DropConstraint) and unkey.name == "orders_customer_id_foreign"
    assert isinstance(shop, AddColumn) and shop.column.nullable
    assert isinstance(shop_key, AddConstraint) and shop_key.references == "stores"
    assert isinstance(renamed, RenameTable) and renamed.new_name == "purchases"
    assert isinstance(drop, DropTable) and drop.if_exists


def test_change_redefines_type_null_and_default() -> None:
    migration = _parse(
        _table(
            "            $table->string('status', 50)->nullable(false)->default('open')->change();\n"
            "            $table->text('note')->nullable()->change();\n"
        )
    )
    kinds = [type(op) for op in migration.up]
    assert kinds == [AlterColumnType, SetNotNull, SetDefault, AlterColumnType, DropNotNull]
    retype, _, default, _, _ = migration.up
    assert isinstance(retype, AlterColumnType) and retype.new_type == "varchar(50)"
    assert isinstance(default, SetDefault) and default.default == "'open'"
    assert migration.up[0].sql == "ALTER TABLE orders ALTER COLUMN status TYPE varchar(50)"


def test_db_statements_are_read_as_sql_at_their_lines() -> None:
    migration = _parse(
        '        DB::statement("ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2)");\n'
        "        DB::unprepared(<<<SQL\n            UPDATE orders SET state = 'open'\n"
        "            WHERE state IS NULL;\n            SQL);\n"
        "        DB::statement($sql);\n"
    )
    retype, update, unread = migration.up
    assert isinstance(retype, AlterColumnType) and retype.location.line == 12
    assert isinstance(update, DataUpdate) and update.location.line == 14 and update.where == "state IS NULL"
    assert isinstance(unread, Unparsed) and unread.location.line == 17


def test_query_builder_and_models_change_data() -> None:
    migration = _parse(
        "        DB::table('orders')->whereNull('state')->update(['state' => 'open']);\n"
        "        Order::where('state', 'void')->delete();\n"
        "        DB::table('orders')->orderBy('id')->chunkById(1000, function ($orders) {\n"
        "            foreach ($orders as $order) {\n"
        "                DB::table('orders')->where('id', $order->id)->update(['total' => $order->net]);\n"
        "            }\n        });\n"
        "        DB::table('orders')->where('state', 'open')->count();\n"
    )
    update, delete, batched = migration.up
    assert isinstance(update, DataUpdate) and update.table == "orders" and update.where == "state IS NULL"
    assert update.assignments == (("state", "'open'"),) and not update.batched
    assert isinstance(delete, DataDelete) and delete.table == "orders" and delete.where == "state = 'void'"
    assert isinstance(batched, DataUpdate) and batched.batched and batched.location.line == 16


def test_transactions_follow_the_database_and_the_class() -> None:
    assert _parse("").in_transaction
    disabled = _parse("", head="    public $withinTransaction = false;\n\n")
    assert not disabled.in_transaction and "withinTransaction" in disabled.transaction_note
    mysql = _parse("", dialect="mysql")
    assert not mysql.in_transaction and "no transaction" in mysql.transaction_note


def test_the_way_back_is_down() -> None:
    migration = _parse(_table("            $table->dropColumn('legacy_status');\n"), down=None)
    assert migration.down is None and "down()" in migration.irreversible_reason
    back = _parse("", down=_table("            $table->string('legacy_status')->nullable();\n"))
    assert back.down is not None and [op.kind for op in back.down] == ["AddColumn"]
    thrown = _parse("", down="        throw new RuntimeException('irreversible');\n")
    assert thrown.down is None and "throws" in thrown.irreversible_reason


def test_named_migration_classes_and_syntax_errors() -> None:
    text = (
        "<?php\nclass AddNote extends Migration\n{\n    public function up()\n    {\n"
        "        Schema::table('orders', function (Blueprint $table) {\n"
        "            $table->text('note')->nullable();\n        });\n    }\n}\n"
    )
    migration = laravel.parse(PATH, text, MemoryTree(), "postgres")
    assert [op.kind for op in migration.up] == ["AddColumn"] and migration.up[0].location.line == 7
    broken = laravel.parse(PATH, text.replace("});", "})"), MemoryTree(), "postgres")
    assert any(isinstance(op, Unparsed) for op in broken.up)


def test_dialect_from_env_example_and_database_config() -> None:
    assert laravel.dialect(MemoryTree({".env.example": "APP_NAME=Shop\nDB_CONNECTION=mysql\n"})) == "mysql"
    config = (
        "<?php\nreturn [\n    'default' => env('DB_CONNECTION', 'pgsql'),\n    'connections' => [],\n];\n"
    )
    assert laravel.dialect(MemoryTree({"config/database.php": config})) == "postgres"
    assert (
        laravel.dialect(MemoryTree({"app/Config/database.php": config.replace("pgsql", "mysql")})) == "mysql"
    )
    result = _review(
        _migration(_table("            $table->index('status');\n")),
        {**BASE, "artisan": "#!/usr/bin/env php\n", ".env.example": "DB_CONNECTION=mysql\n"},
    )
    assert [(m.dialect, m.in_transaction) for m in result.migrations] == [("mysql", False)]
    assert "non-concurrent-index" not in _rules(result)  # MySQL builds secondary indexes online


# --- the review of a Laravel application: a bad and a good change per hazard -----------------------------


def test_index_on_an_existing_table_bad_and_good() -> None:
    bad = _review(
        _migration(
            _table("            $table->index('status');\n"),
            _table("            $table->dropIndex(['status']);\n"),
        )
    )
    finding = next(f for f in bad.active if f.rule == "non-concurrent-index")
    assert finding.line == 13 and "withinTransaction = false" in finding.fix
    good = _review(
        _migration(
            "        DB::statement(\"SET lock_timeout = '5s'\");\n"
            "        DB::statement('CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_index ON orders (status)');\n",
            "        DB::statement('DROP INDEX CONCURRENTLY IF EXISTS orders_status_index');\n",
            head="    public $withinTransaction = false;\n\n",
        )
    )
    assert good.approval == "APPROVED", good.active


def test_concurrent_index_inside_the_transaction_is_caught() -> None:
    result = _review(
        _migration(
            "        DB::statement('CREATE INDEX CONCURRENTLY orders_status_index ON orders (status)');\n"
        )
    )
    finding = next(f for f in result.active if f.rule == "concurrent-in-transaction")
    assert "withinTransaction = false" in finding.fix


def test_not_null_column_bad_and_good() -> None:
    bad = _review(_migration(_table("            $table->string('channel');\n")))
    finding = next(f for f in bad.active if f.rule == "not-null-without-default")
    assert finding.line == 13 and "->nullable()" in finding.fix
    good = _review(
        _migration(
            _table("            $table->string('channel')->nullable();\n"),
            _table("            $table->dropColumn('channel');\n"),
        )
    )
    assert good.approval == "APPROVED", good.active


def test_set_not_null_through_change() -> None:
    result = _review(_migration(_table("            $table->string('status')->nullable(false)->change();\n")))
    finding = next(f for f in result.active if f.rule == "set-not-null")
    assert finding.line == 13 and "NOT VALID" in finding.fix and "->change()" in finding.fix


def test_dropped_column_still_used_by_the_model_and_a_job() -> None:
    result = _review(_migration(_table("            $table->dropColumn('legacy_status');\n"), down=None))
    assert result.approval == "BLOCKED"
    dropped = next(f for f in result.active if f.rule == "column-dropped")
    assert dropped.severity.value == "critical" and dropped.line == 13
    assert {r.path for r in dropped.references} >= {"app/Models/Order.php", "app/Jobs/ExportOrders.php"}
    missing = next(f for f in result.active if f.rule == "missing-down-migration")
    assert "`down()`" in missing.fix


def test_custom_table_name_of_an_eloquent_model() -> None:
    base = {
        "database/migrations/2024_01_01_000000_create_orders_table.php": CREATE_ORDERS.replace(
            "'orders'", "'sales'"
        ),
        "app/Models/Order.php": "<?php\n\nclass Order extends Model\n{\n    protected $table = 'sales';\n\n"
        "    public function label()\n    {\n        return $this->legacy_status;\n    }\n}\n",
    }
    text = _migration(
        "        Schema::table('sales', function (Blueprint $table) {\n"
        "            $table->dropColumn('legacy_status');\n        });\n",
        down=None,
    )
    dropped = next(f for f in _review(text, base).active if f.rule == "column-dropped")
    assert [r.path for r in dropped.references] == ["app/Models/Order.php"]


def test_renamed_column_fix_in_laravel_terms() -> None:
    result = _review(_migration(_table("            $table->renameColumn('legacy_status', 'old_status');\n")))
    finding = next(f for f in result.active if f.rule == "column-renamed")
    assert "dropColumn" in finding.fix and finding.references


def test_data_change_bad_and_good() -> None:
    bad = _review(
        _migration("        DB::table('orders')->whereNull('status')->update(['status' => 'open']);\n")
    )
    assert "unbatched-data-change" in _rules(bad)
    good = _review(
        _migration(
            _table("            $table->string('channel')->nullable();\n")
            + "        DB::table('orders')->whereNull('channel')->chunkById(1000, function ($orders) {\n"
            "            DB::table('orders')->whereIn('id', $orders->pluck('id'))->update(['channel' => 'web']);\n"
            "        });\n",
            _table("            $table->dropColumn('channel');\n"),
            head="    public $withinTransaction = false;\n\n",
        )
    )
    assert "unbatched-data-change" not in _rules(good)
    # A data change still waits for its production values to be verified (probe or description).
    assert good.reasons == ("production values not verified for 1 data change",)


def test_a_php_comment_suppresses_a_finding() -> None:
    text = _migration(
        "        // migration-review: ignore non-concurrent-index orders is written once a day\n"
        + _table("            $table->index('status');\n")
    )
    result = _review(text)
    assert "non-concurrent-index" not in _rules(result)
    assert [f.rule for f in result.accepted] == ["non-concurrent-index"]


def test_the_migrations_own_methods_are_read_where_they_are_called() -> None:
    text = (
        HEAD + "    public function up(): void\n    {\n        try {\n            $this->createCoupons();\n"
        "        } catch (QueryException $e) {\n            app('log')->error($e->getMessage());\n        }\n"
        "        Log::info('done');\n    }\n\n    private function createCoupons(): void\n    {\n"
        "        Schema::create('coupons', function (Blueprint $table) {\n            $table->id();\n        });\n"
        "    }\n};\n"
    )
    migration = laravel.parse(PATH, text, MemoryTree(), "postgres")
    assert [(op.location.line, op.kind) for op in migration.up] == [(22, "CreateTable")]


def test_down_guarded_by_schema_checks_is_safe_to_rerun() -> None:
    mysql = {**BASE, "artisan": "#!/usr/bin/env php\n", ".env.example": "DB_CONNECTION=mysql\n"}
    add = _table("            $table->string('channel')->nullable();\n") + _table(
        "            $table->string('source')->nullable();\n"
    )
    drop = _table("            $table->dropColumn('channel');\n") + _table(
        "            $table->dropColumn('source');\n"
    )
    bare = _review(_migration(add, drop), mysql)
    finding = next(f for f in bare.active if f.rule == "down-not-idempotent")
    assert "Schema::hasColumn" in finding.fix
    guarded = _migration(
        add,
        "        if (Schema::hasColumn('orders', 'channel')) {\n"
        + _table("            $table->dropColumn('channel');\n")
        + "        }\n",
    )
    assert "down-not-idempotent" not in _rules(_review(guarded, mysql))


@pytest.mark.parametrize("table", ["joint_permissions", "search_terms"])
def test_truncate_of_the_query_builder_is_a_truncate_not_a_delete_of_every_row(table: str) -> None:
    migration = _parse(f"        DB::table('{table}')->truncate();\n")
    (op,) = migration.up
    assert isinstance(op, Truncate) and op.table == table
    result = _review(_migration(f"        DB::table('{table}')->truncate();\n"))
    assert "unbatched-data-change" not in _rules(result)


@pytest.mark.parametrize("tables", [["orders", "invoices"], ["orders", "refunds", "invoices"]])
def test_a_foreach_over_table_names_is_read_once_per_table(tables: list[str]) -> None:
    listed = ", ".join(f"'{t}'" for t in tables)
    loop = (
        f"        foreach ([{listed}] as $name) {{\n"
        "            Schema::table($name, function (Blueprint $table) {\n"
        "                $table->index('status');\n            });\n"
        "            DB::statement(\"ALTER TABLE {$name} ADD CONSTRAINT {$name}_status_check CHECK (status <> '')\");\n"
        "        }\n"
    )
    migration = _parse(loop)
    assert [op.table for op in migration.up if isinstance(op, AddIndex)] == tables
    assert [op.table for op in migration.up if isinstance(op, AddConstraint)] == tables
    computed = _parse(loop.replace(f"[{listed}]", "$this->tables()"))
    assert any(isinstance(op, Unparsed) for op in computed.up)
    assert not any(isinstance(op, AddIndex) for op in computed.up)


@pytest.mark.parametrize(
    ("loop", "holder"),
    [
        (
            "        OrderStatus::all()->each(function (OrderStatus $status) {\n"
            "            $orders = $status->orders()->get();\n"
            "            $orders[0]->updateQuietly(['note' => 'first']);\n"
            "            $orders[1]->updateQuietly(['note' => 'second']);\n"
            "        });\n",
            "$orders",
        ),
        (
            "        $invoice = app(InvoiceRepository::class)->latest();\n"
            "        $invoice->total = 0;\n"
            "        $invoice->save();\n",
            "$invoice",
        ),
    ],
    ids=["positional-rows", "one-object"],
)
def test_writes_through_objects_are_said_unread_and_block(loop: str, holder: str) -> None:
    """Rows written through an object (`$orders[0]->updateQuietly(…)`, `$invoice->save()`) have no table or
    condition the review can read: one finding per object, and no approval until someone has read it."""
    result = _review(_migration(loop))
    found = [f for f in result.active if f.rule == "unread-data-change"]
    assert len(found) == 1 and holder in found[0].message, [f.message for f in result.active]
    assert result.approval == "BLOCKED"


def test_a_query_builder_write_is_still_read() -> None:
    text = _migration(
        "        Order::where('state', 'stale')->where('id', '<', 1000)->update(['state' => 'closed']);\n"
    )
    result = _review(text)
    assert not [f for f in result.active if f.rule == "unread-data-change"]
    assert [op for op in laravel.parse(PATH, text, MemoryTree(), "postgres").up if isinstance(op, DataUpdate)]


@pytest.mark.parametrize(("table", "column"), [("orders", "status"), ("eggs", "config_startup")])
def test_a_branch_for_another_database_is_left_out(table: str, column: str) -> None:
    """`if (DB::getDriverName() === 'pgsql')` and `switch (DB::getDriverName()) { case 'mysql': … }`: each
    database runs its own branch; the review reads the one for its dialect."""
    pg = f"UPDATE {table} SET {column} = {column}::jsonb - 'x'"
    my = f"UPDATE {table} SET {column} = JSON_REMOVE({column}, '$.x')"
    guarded = (
        "        if (DB::getDriverName() === 'pgsql') {\n"
        f'            DB::statement("{pg}");\n'
        "        } else {\n"
        f'            DB::statement("{my}");\n'
        "        }\n"
    )
    switched = (
        "        switch (DB::getPdo()->getAttribute(PDO::ATTR_DRIVER_NAME)) {\n"
        "            case 'mysql':\n"
        f'                DB::statement("{my}");\n'
        "                break;\n"
        "            case 'pgsql':\n"
        f'                DB::statement("{pg}");\n'
        "                break;\n"
        "        }\n"
    )
    for up in (guarded, switched):
        for dialect, expected in (("postgres", "::jsonb"), ("mysql", "JSON_REMOVE")):
            updates = [op for op in _parse(up, dialect=dialect).up if isinstance(op, DataUpdate)]
            assert len(updates) == 1 and expected in updates[0].sql, (dialect, updates)
    # a condition that names no database keeps both branches
    both = guarded.replace("DB::getDriverName() === 'pgsql'", "config('app.debug')")
    assert len([op for op in _parse(both).up if isinstance(op, DataUpdate)]) == 2


@pytest.mark.parametrize(("table", "column"), [("tasks", "last_run"), ("invoices", "paid_at")])
def test_sql_built_from_the_table_prefix_or_a_local_name_is_read(table: str, column: str) -> None:
    """`'ALTER TABLE ' . $table . ' …'` with `$table = DB::getQueryGrammar()->wrapTable('tasks')`, and
    `"… {$prefix}tasks …"` with `$prefix = DB::getTablePrefix()`: the SQL is known (no prefix, Laravel's
    default), not built at run time; a value the review cannot know still leaves the statement unread."""
    migration = _parse(
        f"        $name = DB::getQueryGrammar()->wrapTable('{table}');\n"
        f"        DB::statement('ALTER TABLE ' . $name . ' CHANGE `{column}` `{column}` TIMESTAMP NULL;');\n"
        "        $prefix = DB::getTablePrefix();\n"
        f"        DB::statement(\"UPDATE {{$prefix}}{table} SET {column} = NULL WHERE {column} < '2000-01-01'\");\n"
        f"        $full = DB::getTablePrefix() . '{table}';\n"
        f"        DB::statement('DELETE FROM ' . $full . ' WHERE {column} IS NULL');\n"
        "        $other = config('app.table');\n"
        "        DB::statement('DELETE FROM ' . $other);\n",
        dialect="mysql",
    )
    kinds = [(type(op).__name__, getattr(op, "table", ""), op.location.line) for op in migration.up]
    assert ("DropNotNull", table, 13) in kinds
    assert ("DataUpdate", table, 15) in kinds
    assert ("DataDelete", table, 17) in kinds
    assert [op.location.line for op in migration.up if isinstance(op, Unparsed)] == [19]


@pytest.mark.parametrize(
    ("sets", "declared"),
    [
        ({"invoices": ["issued_on"], "payments": ["paid_on", "due_on"]}, "property"),
        ({"shipments": ["sent_at"], "parcels": ["weighed_at"]}, "constructor"),
    ],
)
def test_a_loop_over_a_literal_array_the_class_holds_is_read_once_per_entry(
    sets: dict[str, list[str]], declared: str
) -> None:
    """`private array $tables = [...]` (or one the constructor assigns) and `foreach ($this->tables as $table =>
    $columns)`, with `sprintf('%s_tz', $column)` for the new name: every table's column is read, not one
    statement whose table is computed at run time."""
    literal = (
        "[" + ", ".join(f"'{t}' => [" + ", ".join(f"'{c}'" for c in cs) + "]" for t, cs in sets.items()) + "]"
    )
    head = (
        f"    private array $tables = {literal};\n\n"
        if declared == "property"
        else f"    private array $tables;\n\n    public function __construct()\n    {{\n        $this->tables = {literal};\n    }}\n\n"
    )
    loop = (
        "        foreach ($this->tables as $table => $columns) {\n"
        "            foreach ($columns as $column) {\n"
        "                $newColumn = sprintf('%s_tz', $column);\n"
        "                Schema::table($table, static function (Blueprint $table) use ($column, $newColumn): void {\n"
        "                    $table->string($newColumn, 50)->nullable()->after($column);\n"
        "                });\n"
        "            }\n"
        "        }\n"
    )
    drop = loop.replace(
        "$table->string($newColumn, 50)->nullable()->after($column);", "$table->dropColumn($newColumn);"
    )
    migration = laravel.parse(PATH, _migration(loop, drop, head), MemoryTree(), "mysql")
    added = [(op.table, op.column.name) for op in migration.up if isinstance(op, AddColumn)]
    assert added == [(t, f"{c}_tz") for t, cs in sets.items() for c in cs]
    assert not [op for op in migration.up if isinstance(op, Unparsed)]
    assert [type(op).__name__ for op in migration.down or ()] == ["DropColumn"] * len(added)
    # a loop over a property the review cannot read stays unread
    unknown = laravel.parse(
        PATH, _migration(loop.replace("$this->tables", "$this->other")), MemoryTree(), "mysql"
    )
    assert [op for op in unknown.up if isinstance(op, Unparsed)]


@pytest.mark.parametrize(
    ("table", "column", "parent"), [("tracks", "album_id", "albums"), ("seats", "venue_id", "venues")]
)
def test_foreign_keys_added_with_laravels_checks_off_are_built_in_place(
    mariadb, table: str, column: str, parent: str
) -> None:  # type: ignore[no-untyped-def]
    """`Schema::disableForeignKeyConstraints()` / `withoutForeignKeyConstraints(fn)` set FOREIGN_KEY_CHECKS=0 on
    MySQL: a foreign key added meanwhile is no table copy (shown on MariaDB: INPLACE is refused with the
    checks on, accepted with them off); after the checks are back on, the next one is."""
    base = {
        "database/migrations/2020_01_01_000000_create.php": _migration(
            f"        Schema::create('{parent}', function (Blueprint $table) {{ $table->id(); }});\n"
            f"        Schema::create('{table}', function (Blueprint $table) {{ $table->id(); }});\n"
        )
    }
    add = (
        f"        Schema::table('{table}', function (Blueprint $table) {{\n"
        f"            $table->unsignedBigInteger('{column}')->nullable();\n"
        f"            $table->foreign('{column}')->references('id')->on('{parent}');\n"
        "        });\n"
    )
    later = (
        f"        Schema::table('{table}', function (Blueprint $table) {{\n"
        f"            $table->foreign('id', '{table}_self_fk')->references('id')->on('{parent}');\n"
        "        });\n"
    )

    def copies(up: str) -> list[int]:
        changeset = ChangeSet(
            "b",
            "h",
            (ChangedFile(PATH, "added", None, _migration(up)),),
            MemoryTree({**base, PATH: _migration(up)}),
            MemoryTree(base),
        )
        found = review(changeset, dialect="mysql").active
        return [f.line for f in found if f.rule == "mysql-table-copy"]

    [bare] = copies(add)
    assert copies("        Schema::disableForeignKeyConstraints();\n" + add) == []
    wrapped = "        Schema::withoutForeignKeyConstraints(function () {\n" + add + "        });\n"
    assert copies(wrapped + later) == [15 + add.count("\n")]
    assert bare
    cursor = mariadb.cursor()
    cursor.execute(f"CREATE TABLE {parent} (id bigint unsigned PRIMARY KEY)")
    cursor.execute(
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} bigint unsigned NULL, KEY ({column}))"
    )
    statement = f"ALTER TABLE {table} ADD FOREIGN KEY ({column}) REFERENCES {parent} (id), ALGORITHM=INPLACE"
    with pytest.raises(Exception, match="foreign_key_checks=OFF"):
        cursor.execute(statement)
    cursor.execute("SET FOREIGN_KEY_CHECKS=0")
    cursor.execute(statement)
    cursor.execute("SET FOREIGN_KEY_CHECKS=1")
    cursor.execute(f"DROP TABLE {table}")
    cursor.execute(f"DROP TABLE {parent}")


@pytest.mark.parametrize(
    ("table", "columns"), [("songs", ["title", "artist_name"]), ("podcasts", ["author"])]
)
def test_a_fulltext_index_of_the_blueprint_is_a_fulltext_index(table: str, columns: list[str]) -> None:
    """`$table->fullText([...])` is MySQL's FULLTEXT index, built with writes waiting on an existing table;
    `->index([...])` is a B-tree index, built in place."""
    listed = "[" + ", ".join(f"'{c}'" for c in columns) + "]"
    created = _migration(
        f"        Schema::create('{table}', function (Blueprint $table) {{\n            $table->id();\n"
        + "".join(f"            $table->string('{c}');\n" for c in columns)
        + "        });\n"
    )
    base = {"database/migrations/2020_01_01_000000_create.php": created}

    def copies(method: str) -> list[str]:
        up = f"        Schema::table('{table}', function (Blueprint $table) {{\n            $table->{method}({listed});\n        }});\n"
        text = _migration(up)
        changeset = ChangeSet(
            "b",
            "h",
            (ChangedFile(PATH, "added", None, text),),
            MemoryTree({**base, PATH: text}),
            MemoryTree(base),
        )
        return [f.message for f in review(changeset, dialect="mysql").active if f.rule == "mysql-table-copy"]

    assert [m for m in copies("fullText") if "FULLTEXT" in m]
    assert copies("index") == []


def test_writes_through_records_a_loop_or_a_fetch_holds_are_read_on_their_table() -> None:
    """`foreach (Order::…->lazyById(50) as $order) { $order->x = …; $order->save(); }`, the closure of
    `->each(function ($invoice) { … })` and `$row = Model::find(7)` write the rows of the model's table."""
    looped = _parse(
        "        foreach (Order::whereChannel('web')->whereNull('status')->lazyById(50, 'id') as $order) {\n"
        "            $order->status = 'open';\n            $order->note = $order->legacy_status;\n"
        "            $order->save();\n        }\n"
    )
    (update,) = looped.up
    assert isinstance(update, DataUpdate) and update.table == "orders" and update.batched
    assert update.where == "channel = 'web' AND status IS NULL" and update.saves == "each"
    assert dict(update.assignments) == {"status": "'open'", "note": "interp_value"}
    each = _parse(
        "        Invoice::where('state', 'draft')->each(function ($invoice) {\n"
        "            $payer = Customer::find(7);\n            $payer->balance = 0;\n            $payer->save();\n"
        "            $invoice->delete();\n        });\n"
    )
    row, deleted = each.up
    assert isinstance(row, DataUpdate) and row.table == "customers" and row.where == "id = 7"
    assert row.saves == "one" and row.assignments == (("balance", "0"),)
    assert (
        isinstance(deleted, DataDelete) and deleted.table == "invoices" and deleted.where == "state = 'draft'"
    )


def test_a_record_loop_that_overwrites_data_is_named_and_one_that_fills_a_new_column_is_not() -> None:
    loop = (
        "        foreach (Order::where('status', 'void')->lazyById(100) as $order) {\n"
        "            $order->{column} = 'closed';\n            $order->save();\n        }\n"
    )
    bad = _review(_migration(loop.replace("{column}", "status")))
    assert "unread-data-change" not in _rules(bad)
    lost = next(f for f in bad.active if f.rule == "missing-down-migration")  # the down is empty
    assert "$order->save()" in lost.message
    good = _review(
        _migration(
            _table("            $table->string('channel')->nullable();\n")
            + loop.replace("{column}", "channel"),
            _table("            $table->dropColumn('channel');\n"),
        )
    )
    assert not {"unread-data-change", "data-lost-on-rollback", "missing-down-migration"} & _rules(good)


def test_a_fetched_records_write_is_the_one_row_it_picked() -> None:
    invoices = {
        **BASE,
        "database/migrations/2024_01_02_000000_create_invoices_table.php": CREATE_ORDERS.replace(
            "orders", "invoices"
        ),
    }
    fetch = "        $first = Invoice::where('status', 'paid')->firstOrFail();\n        $first->{write};\n"
    bad = _review(_migration(fetch.replace("{write}", "delete()")), invoices)
    assert "unread-data-change" not in _rules(bad)
    assert "missing-down-migration" in _rules(bad)
    good = _review(
        _migration(
            _table("            $table->string('channel')->nullable();\n").replace("orders", "invoices")
            + fetch.replace("{write}", "update(['channel' => 'web'])"),
            _table("            $table->dropColumn('channel');\n").replace("orders", "invoices"),
        ),
        invoices,
    )
    assert not {"unread-data-change", "data-lost-on-rollback", "missing-down-migration"} & _rules(good)


@pytest.mark.parametrize(
    ("file", "entry", "table"),
    [
        ("webpush", "'table_name' => 'push_subscriptions',", "push_subscriptions"),
        ("audit", "'drivers' => ['database' => ['table' => env('AUDIT_TABLE', 'audits')]],", "audits"),
    ],
)
def test_a_table_named_by_the_applications_config_is_read(file: str, entry: str, table: str) -> None:
    """`Schema::create(config('webpush.table_name'), …)`: the table `config/webpush.php` names (its text, or
    the default of `env(…)`), not a table computed at run time. Without the config file it stays unread."""
    key = f"{file}.table_name" if file == "webpush" else f"{file}.drivers.database.table"
    text = _migration(
        f"        Schema::connection(config('{file}.connection'))->create(config('{key}'), function (Blueprint $table) {{\n"
        "            $table->bigIncrements('id');\n            $table->string('endpoint', 500)->unique();\n        });\n",
        f"        Schema::dropIfExists(config('{key}'));\n",
    )
    config = {f"config/{file}.php": f"<?php\n\nreturn [\n    {entry}\n];\n"}
    read = _review(text, {**BASE, **config})
    created = [
        op
        for op in laravel.parse(PATH, text, MemoryTree(config), "postgres").up
        if isinstance(op, CreateTable)
    ]
    assert [op.table for op in created] == [table]
    assert "unreadable-migration" not in _rules(read) and read.approval == "APPROVED"
    unread = _review(text)
    assert "unreadable-migration" in _rules(unread) and unread.approval == "BLOCKED"


@pytest.mark.parametrize(
    ("loop", "write"),
    [
        (
            "        DB::table('orders')->whereNull('status')->chunkById(500, function ($orders) {{\n"
            "            DB::table('orders')->whereIn('id', $orders->pluck('id'))->update(['status' => 'open']);\n"
            "        }});\n",
            "chunkById",
        ),
        (
            "        foreach (Order::whereNull('legacy_status')->lazyById(500) as $order) {{\n"
            "            $order->legacy_status = 'none';\n            $order->save();\n        }}\n",
            "lazyById",
        ),
    ],
)
def test_batches_inside_the_transaction_laravel_runs_the_migration_in_commit_together(
    loop: str, write: str
) -> None:
    """On PostgreSQL (and SQLite) Laravel runs each migration in a transaction: `chunkById` batches, or a loop
    saving one record at a time, commit only when the migration ends. Outside a transaction
    (`$withinTransaction = false`, or MySQL, which runs none) each batch commits."""
    bad = _review(_migration(loop.format()))
    found = [f for f in bad.active if f.rule == "unbatched-data-change"]
    assert (
        len(found) == 1
        and "inside the transaction Laravel runs" in found[0].message
        and write in found[0].message
    )
    assert "withinTransaction = false" in found[0].fix
    good = _review(_migration(loop.format(), head="    public $withinTransaction = false;\n\n"))
    assert "unbatched-data-change" not in _rules(good)
    mysql = _review(_migration(loop.format()), {**BASE, ".env.example": "DB_CONNECTION=mysql\n"})
    assert "unbatched-data-change" not in _rules(mysql)


@pytest.mark.parametrize(
    ("closure", "tables"),
    [
        ("$add = fn (Blueprint $table) => $table->text('description_html');\n", ("books", "chapters")),
        (
            "$add = function (Blueprint $t) {\n            $t->string('summary');\n        };\n",
            ("orders", "invoices"),
        ),
    ],
)
def test_blueprint_closure_held_in_a_variable_is_read(closure: str, tables: tuple[str, ...]) -> None:
    # BookStack 529f7bd1b: one closure, given to Schema::table for three tables
    up = "        " + closure + "".join(f"        Schema::table('{t}', $add);\n" for t in tables)
    migration = _parse(up)
    added = [(op.table, op.column.name) for op in migration.up if isinstance(op, AddColumn)]
    assert [t for t, _ in added] == list(tables)
    assert all(not op.column.nullable for op in migration.up if isinstance(op, AddColumn))


def test_blueprint_closure_assigned_after_the_call_is_not_taken() -> None:
    up = (
        "        Schema::table('orders', $add);\n"
        "        $add = fn (Blueprint $table) => $table->text('note');\n"
    )
    assert not [op for op in _parse(up).up if isinstance(op, AddColumn)]


@pytest.mark.parametrize("column", ["description_html", "legacy_code"])
def test_remove_column_in_the_down_drops_nothing(column: str) -> None:
    # Blueprint::removeColumn only takes the column out of the Blueprint being built
    up = _table(f"            $table->text('{column}')->nullable();\n")
    found = [
        f
        for f in _review(_migration(up, _table(f"            $table->removeColumn('{column}');\n"))).active
        if f.rule == "down-does-not-restore"
    ]
    assert len(found) == 1 and f"`orders.{column}` is left behind" in found[0].message
    assert "use `dropColumn`" in found[0].fix
    dropped = _review(_migration(up, _table(f"            $table->dropColumn('{column}');\n")))
    assert "down-does-not-restore" not in _rules(dropped)


@pytest.mark.parametrize("given", ["$this->columns()", "self::BLUEPRINT"])
def test_blueprint_the_review_cannot_follow_is_unparsed_not_nothing(given: str) -> None:
    migration = _parse(f"        Schema::table('orders', {given});\n")
    assert [type(op).__name__ for op in migration.up] == ["Unparsed"]
    assert given in migration.up[0].error  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "name",
    ["2025_06_03_121538_modify_playlist-user_relationship.php", "2024_02_01_000000_drop-legacy.status.php"],
)
def test_a_migration_named_with_hyphens_or_dots_is_read(name: str) -> None:
    # koel's `…_modify_playlist-user_relationship.php`: Laravel's migrator runs every `*_*.php` of the folder
    path = f"database/migrations/{name}"
    text = _migration(_table("            $table->dropColumn('legacy_status');\n"), down=None)
    assert getattr(detect(path, text, Config()), "NAME", None) == laravel.NAME
    assert laravel.version(path) == name.split("_")[0] + "".join(name.split("_")[1:4])
    changeset = ChangeSet(
        "b",
        "h",
        (ChangedFile(path, "added", None, text),),
        MemoryTree({**BASE, path: text}),
        MemoryTree(BASE),
    )
    result = review(changeset)
    assert "unreadable-migration" not in _rules(result)
    assert "column-dropped" in _rules(result)


def test_a_php_file_without_the_timestamp_and_name_is_not_a_migration() -> None:
    text = _migration(_table("            $table->dropColumn('legacy_status');\n"), down=None)
    assert detect("database/migrations/helpers.php", text, Config()) is None
    assert detect("database/migrations/2024_02_01_000000_x/readme.php", text, Config()) is None


@pytest.mark.parametrize(("table", "column"), [("avatars", "cdn_url"), ("orders", "reference")])
def test_of_several_index_modifiers_the_first_in_blueprints_order_makes_the_index(
    table: str, column: str
) -> None:
    # pixelfed's `$table->string('cdn_url')->unique()->index()`: Blueprint's addFluentIndexes takes the first of
    # primary, unique, index and goes on to the next column, so only `avatars_cdn_url_unique` exists, which
    # 0bbbc252 dropped later; 187d1e1a's `->unique()->index()->change()` adds no plain index that exists already
    for modifiers in ("unique()->index()", "index()->unique()"):
        add = (
            f"        Schema::table('{table}', function (Blueprint $table) {{\n"
            f"            $table->string('{column}')->{modifiers}->nullable();\n        }});\n"
        )
        ops = [op for op in _parse(add).up if isinstance(op, AddIndex)]
        assert [(op.name, op.unique) for op in ops] == [(f"{table}_{column}_unique", True)], modifiers
    create = (
        f"        Schema::create('{table}', function (Blueprint $table) {{\n            $table->id();\n"
        f"            $table->string('{column}')->MODIFIERS->nullable();\n        }});\n"
    )
    drop = (
        f"        Schema::table('{table}', function (Blueprint $table) {{\n"
        f"            $table->dropUnique('{table}_{column}_unique');\n        }});\n"
    )
    for modifiers, dropped in (("unique()->index()", True), ("index()->unique()", True), ("index()", False)):
        base = {
            "database/migrations/2024_01_01_000000_create.php": _migration(
                create.replace("MODIFIERS", modifiers)
            )
        }
        result = _review(_migration(drop), base=base)
        assert ("unique-key-dropped" in _rules(result)) is dropped, modifiers
