"""Rails migrations: detection, operations at their lines, reversibility, transactions, schema.rb."""

from __future__ import annotations

import hashlib

import pytest

from bot.frameworks import detect, rails
from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.config import Config
from bot.model.findings import Review
from bot.model.migration import (
    PLACEHOLDER,
    AddColumn,
    AddConstraint,
    AddIndex,
    CreateTable,
    DataDelete,
    DataUpdate,
    DropColumn,
    RunCode,
    SetNotNull,
    Unparsed,
)
from bot.render.formats import render_check_run, render_comment
from bot.render.terminal import render_text
from bot.review import review

PATH = "db/migrate/20240601120000_change_orders.rb"


def _parse(body: str, head: str = "") -> rails.Migration:
    text = f"class ChangeOrders < ActiveRecord::Migration[7.1]\n{head}  def change\n{body}  end\nend\n"
    return rails.parse(PATH, text, MemoryTree(), "postgres")


def _review(text: str, base: dict[str, str] | None = None) -> Review:
    files = dict(base or {})
    changeset = ChangeSet(
        "b",
        "h",
        (ChangedFile(PATH, "added", None, text),),
        MemoryTree({**files, PATH: text}),
        MemoryTree(files),
    )
    return review(changeset)


def test_detects_rails_migrations_only() -> None:
    text = "class A < ActiveRecord::Migration[7.1]\nend\n"
    assert getattr(detect(PATH, text, Config()), "NAME", None) == rails.NAME
    assert getattr(detect("db/post_migrate/20240101_backfill.rb", text, Config()), "NAME", None) == rails.NAME
    assert detect("app/models/order.rb", text, Config()) is None
    assert rails.version(PATH) == "20240601120000"


def test_operations_carry_the_line_of_their_call() -> None:
    migration = _parse(
        '    add_column :orders, :state, :string, null: false, default: "open"\n'
        "    add_index :orders, :state, algorithm: :concurrently\n"
        "    add_foreign_key :orders, :users, validate: false\n"
        "    create_table :coupons do |t|\n"
        "      t.string :code, null: false\n"
        "      t.timestamps\n"
        "    end\n"
    )
    kinds = [(op.location.line, op.kind) for op in migration.up]
    assert kinds == [(3, "AddColumn"), (4, "AddIndex"), (5, "AddConstraint"), (6, "CreateTable")]
    add, index, key, table = migration.up
    assert isinstance(add, AddColumn) and add.column.type == "varchar" and add.column.default == "'open'"
    assert not add.column.nullable
    assert isinstance(index, AddIndex) and index.concurrently and index.name == "index_orders_on_state"
    assert isinstance(key, AddConstraint) and key.not_valid and key.references == "users"
    assert isinstance(table, CreateTable) and [c.name for c in table.columns] == [
        "id",
        "code",
        "created_at",
        "updated_at",
    ]


def test_data_changes_through_models() -> None:
    migration = _parse(
        '    Order.where(state: nil).update_all(state: "open")\n'
        "    Order.in_batches(of: 1000).update_all(archived: true)\n"
        "    Order.find_each { |order| order.update!(total: order.items.sum(:price)) }\n"
        '    Order.where(state: "void").delete_all\n'
        "    Payments::Refund.all.each { |r| Mailer.notify(r) }\n"
    )
    update, batched, loop, delete, code = migration.up
    assert isinstance(update, DataUpdate) and update.table == "orders" and update.where == "state IS NULL"
    assert update.assignments == (("state", "'open'"),) and not update.batched
    assert isinstance(batched, DataUpdate) and batched.batched
    assert isinstance(loop, DataUpdate) and loop.batched and loop.location.line == 5
    assert isinstance(delete, DataDelete) and delete.where == "state = 'void'"
    assert isinstance(code, RunCode) and "refunds" in code.touches


def test_change_with_remove_column_without_type_is_irreversible() -> None:
    migration = _parse("    remove_column :orders, :legacy\n")
    assert isinstance(migration.up[0], DropColumn)
    assert migration.down is None and "line 3" in migration.irreversible_reason
    typed = _parse("    remove_column :orders, :legacy, :string\n    add_column :orders, :note, :text\n")
    assert typed.down is not None and [op.kind for op in typed.down] == ["DropColumn", "AddColumn"]
    back = typed.down[1]  # Rails adds the column back as its type says
    assert isinstance(back, AddColumn) and (back.column.name, back.column.type) == ("legacy", "varchar")


def test_reversible_blocks_and_up_down_methods() -> None:
    migration = _parse(
        "    reversible do |dir|\n"
        "      dir.up { execute \"UPDATE orders SET state = 'open'\" }\n"
        '      dir.down { execute "UPDATE orders SET state = NULL" }\n'
        "    end\n"
    )
    assert [op.kind for op in migration.up] == ["DataUpdate"] and migration.up[0].location.line == 4
    assert migration.down is not None and [op.kind for op in migration.down] == ["DataUpdate"]
    text = (
        "class A < ActiveRecord::Migration[7.1]\n  def up\n    drop_table :carts\n  end\n\n"
        "  def down\n    raise ActiveRecord::IrreversibleMigration\n  end\nend\n"
    )
    up_down = rails.parse(PATH, text, MemoryTree(), "postgres")
    assert up_down.down is None and "IrreversibleMigration" in up_down.irreversible_reason


def test_disable_ddl_transaction() -> None:
    assert _parse("    add_index :orders, :state\n").in_transaction
    migration = _parse(
        "    add_index :orders, :state, algorithm: :concurrently\n", "  disable_ddl_transaction!\n\n"
    )
    assert not migration.in_transaction and "disable_ddl_transaction!" in migration.transaction_note


def test_change_column_null_with_a_replacement_updates_first() -> None:
    migration = _parse('    change_column_null :orders, :state, false, "open"\n')
    update, not_null = migration.up
    assert isinstance(update, DataUpdate) and update.where == "state IS NULL"
    assert isinstance(not_null, SetNotNull)


def test_safety_assured_accepts_only_migration_safety_findings() -> None:
    text = (
        "class A < ActiveRecord::Migration[7.1]\n  def change\n"
        "    safety_assured { remove_column :orders, :legacy, :string }\n"
        "    safety_assured { add_index :orders, :state }\n  end\nend\n"
    )
    result = _review(text)
    by_rule = {f.rule: f for f in result.findings}
    assert by_rule["non-concurrent-index"].suppressed == "safety_assured"
    assert by_rule["column-dropped"].suppressed is None  # code references are not the author's to waive


def test_suppression_comment_in_ruby() -> None:
    text = (
        "class A < ActiveRecord::Migration[7.1]\n  def change\n"
        "    # migration-review: ignore non-concurrent-index orders has 40 rows\n"
        "    add_index :orders, :state\n  end\nend\n"
    )
    finding = next(f for f in _review(text).findings if f.rule == "non-concurrent-index")
    assert finding.suppressed == "orders has 40 rows" and finding.line == 4


def test_sql_built_at_run_time_and_syntax_errors_are_findings() -> None:
    migration = _parse("    execute(sql_for(:orders))\n")
    assert isinstance(migration.up[0], Unparsed) and migration.up[0].location.line == 3
    broken = "class A < ActiveRecord::Migration[7.1]\n  def change\n    add_column :orders, (\n  end\nend\n"
    result = _review(broken)
    assert any(f.rule == "unparsed-statement" for f in result.findings)


def test_schema_rb_is_the_schema_before_the_change() -> None:
    schema = (
        "ActiveRecord::Schema[7.1].define(version: 2024_01_01_000000) do\n"
        '  create_table "orders", force: :cascade do |t|\n'
        '    t.integer "total_cents"\n    t.string "status", limit: 20\n  end\nend\n'
    )
    ops = rails.schema_operations("db/schema.rb", schema, "postgres")
    assert isinstance(ops[0], CreateTable) and {c.name: c.type for c in ops[0].columns} == {
        "id": "bigint",
        "total_cents": "int",
        "status": "varchar(20)",
    }
    text = (
        "class A < ActiveRecord::Migration[7.1]\n  def up\n"
        "    change_column :orders, :status, :string, limit: 40\n"
        "    change_column :orders, :total_cents, :bigint\n  end\nend\n"
    )
    found = [
        (f.line, f.rule)
        for f in _review(text, {"db/schema.rb": schema}).active
        if f.rule == "type-change-rewrite"
    ]
    assert found == [(4, "type-change-rewrite")]


def test_statement_on_a_computed_table_is_reported_at_its_line() -> None:
    migration = _parse(
        "    connection.tables.grep(/_archive$/).each do |table|\n      add_column table, :note, :text\n    end\n"
    )
    kinds = [(op.location.line, op.kind) for op in migration.up]
    assert kinds == [(3, "RunCode"), (4, "Unparsed")]
    listed = _parse("    %i[orders carts].each do |table|\n      add_column table, :note, :text\n    end\n")
    assert [(op.location.line, op.kind, op.table) for op in listed.up] == [  # type: ignore[attr-defined]
        (4, "AddColumn", "orders"),
        (4, "AddColumn", "carts"),
    ]


def test_statements_written_without_the_block_variable_inside_change_table_are_read() -> None:
    migration = _parse(
        "    change_table :spree_products, bulk: true do |t|\n"
        "      remove_column :spree_products, :tax_category_id, :integer\n"
        "      t.remove :legacy_code\n"
        "      add_index :spree_products, :sku\n"
        "    end\n"
    )
    dropped = [(op.table, op.column) for op in migration.up if isinstance(op, DropColumn)]
    assert dropped == [("spree_products", "tax_category_id"), ("spree_products", "legacy_code")]
    assert [op.location.line for op in migration.up] == [4, 5, 6]


def test_a_literal_interpolated_in_sql_is_its_text() -> None:
    # RuboCop turns a trailing space in a heredoc into `#{' '}`: the SQL is the same statement.
    for table in ("families", "accounts"):
        migration = _parse(
            f"    execute <<-SQL\n      UPDATE {table}#{{' '}}\n      SET timezone = 'UTC'#{{' '}}\n"
            "      WHERE timezone = 'GMT'\n    SQL\n"
        )
        [update] = [op for op in migration.up if isinstance(op, DataUpdate)]
        assert update.table == table and update.where == "timezone = 'GMT'"
        assert not [op for op in migration.up if isinstance(op, Unparsed)]


@pytest.mark.parametrize(
    ("model", "table", "column"), [("Payment", "payments", "cvv"), ("Ticket", "tickets", "closed_at")]
)
def test_where_not_is_negated_and_scope_arguments_are_no_sql(model: str, table: str, column: str) -> None:
    migration = _parse(
        f'    {model}.where.not({column}: nil).with_state("pending").update_all(state: "authorising")\n'
        f'    {model}.where.not(state: "void", {column}: nil).delete_all\n'
        f"    {model}.where(id: ids_to_close).update_all({column}: closing_value)\n"
    )
    update, delete, by_code = migration.up
    assert isinstance(update, DataUpdate) and update.table == table
    assert update.where == f'{column} IS NOT NULL AND with_state("pending") AND (scope)'
    assert isinstance(delete, DataDelete) and delete.where == f"NOT (state = 'void' AND {column} IS NULL)"
    # a local or a method is a value the code computes when it runs: unknown here, never its Ruby name in SQL
    assert isinstance(by_code, DataUpdate) and by_code.where == f"id = {PLACEHOLDER}"
    assert by_code.assignments == ((column, PLACEHOLDER),)


RAILS_SCHEMA = (
    'ActiveRecord::Schema[7.1].define(version: 1) do\n  create_table "posts" do |t|\n    t.string "title"\n  end\n'
    '  create_table "comments" do |t|\n    t.string "title"\n  end\n  create_table "notes" do |t|\n'
    '    t.string "title"\n  end\nend\n'
)


@pytest.mark.parametrize(
    ("generator", "tables"),
    [
        ("%w[posts comments]", ["posts", "comments"]),
        ("[:comments, :notes, :posts]", ["comments", "notes", "posts"]),
        ("TABLES", ["notes", "posts"]),
        ("@tables", ["comments", "posts"]),  # set in the class body, read by the class's own methods
    ],
)
def test_a_loop_over_table_names_is_read_once_per_table(generator: str, tables: list[str]) -> None:
    def migration(concurrently: str) -> str:
        return (
            "class IndexTitles < ActiveRecord::Migration[7.1]\n"
            + ("  TABLES = %w[notes posts].freeze\n" if generator == "TABLES" else "")
            + ("  @tables = %w[comments posts]\n" if generator == "@tables" else "")
            + ("  disable_ddl_transaction!\n" if concurrently else "")
            + ("  def self.up\n" if generator == "@tables" else "  def up\n")
            + f"    {generator}.each do |table|\n"
            f"      add_index table, :title{concurrently}\n"
            "      execute \"ALTER TABLE #{table} ADD CONSTRAINT #{table}_title_check CHECK (title <> '') NOT VALID\"\n"
            "    end\n  end\nend\n"
        )

    base = {"db/schema.rb": RAILS_SCHEMA}
    bad = _review(migration(""), base)
    indexed = [f.message for f in bad.active if f.rule == "non-concurrent-index"]
    assert [next(t for t in tables if f"index_{t}_on_title" in m) for m in indexed] == tables
    assert not [f for f in bad.findings if f.rule == "unparsed-statement"]
    good = _review(migration(", algorithm: :concurrently"), base)
    assert "non-concurrent-index" not in {f.rule for f in good.active}


@pytest.mark.parametrize(
    ("model", "files", "table"),
    [
        # nested in a model class: the parent's singular table name is the prefix
        (
            "Security::Price",
            {"app/models/security.rb": "class Security < ApplicationRecord\nend\n"},
            "security_prices",
        ),
        (
            "Account::Entry",
            {"app/models/account.rb": "class Account < ApplicationRecord\nend\n"},
            "account_entries",
        ),
        # a module that sets a prefix
        (
            "Billing::Invoice",
            {
                "app/models/billing.rb": "module Billing\n  def self.table_name_prefix\n    'billing_'\n  end\nend\n"
            },
            "billing_invoices",
        ),
        # the model names its table
        (
            "Legacy::Order",
            {
                "app/models/legacy/order.rb": "class Legacy::Order < ApplicationRecord\n  self.table_name = 'old_orders'\nend\n"
            },
            "old_orders",
        ),
        # a plain module: the convention
        ("Admin::UserRole", {"app/models/admin.rb": "module Admin\nend\n"}, "user_roles"),
    ],
)
def test_namespaced_models_take_the_table_their_files_give(
    model: str, files: dict[str, str], table: str
) -> None:
    path = "db/migrate/20250101000000_backfill.rb"
    text = (
        "class Backfill < ActiveRecord::Migration[7.1]\n  def up\n"
        f"    {model}.where(kind: nil).update_all(kind: 'x')\n  end\nend\n"
    )
    tree = MemoryTree({**files, path: text})
    migration = rails.parse(path, text, tree, "postgres")
    (update,) = [op for op in migration.up if isinstance(op, DataUpdate)]
    assert update.table == table


@pytest.mark.parametrize(
    ("table", "column"), [("active_storage_blobs", "created_at"), ("uploads", "stored_at")]
)
def test_a_column_declared_in_both_branches_of_an_if_is_one_column(table: str, column: str) -> None:
    text = (
        "class CreateStorage < ActiveRecord::Migration[7.1]\n  def change\n"
        f"    create_table :{table} do |t|\n      t.string :key, null: false\n"
        "      if connection.supports_datetime_with_precision?\n"
        f"        t.datetime :{column}, precision: 6, null: false\n"
        "      else\n"
        f"        t.datetime :{column}, null: false\n"
        "      end\n    end\n  end\nend\n"
    )
    result = _review(text)
    assert "duplicate-column-assignment" not in {f.rule for f in result.active}
    [created] = [
        op for op in rails.parse(PATH, text, MemoryTree(), "postgres").up if isinstance(op, CreateTable)
    ]
    assert [c.name for c in created.columns] == ["id", "key", column]
    twice = text.replace("      else\n", "")
    assert "duplicate-column-assignment" in {f.rule for f in _review(twice).active}


@pytest.mark.parametrize(
    ("model", "table"),
    [
        ("ActiveStorage::Blob", "active_storage_blobs"),
        ("ActionText::RichText", "action_text_rich_texts"),
        ("SolidQueue::Job", "solid_queue_jobs"),
    ],
)
def test_a_model_of_a_rails_engine_keeps_its_rows_in_the_engines_tables(model: str, table: str) -> None:
    migration = _parse(f"    {model}.unscoped.update_all(service_name: 'local')\n")
    assert [op.table for op in migration.up if isinstance(op, DataUpdate)] == [table]


def _rails_fk_name(table: str, column: str) -> str:
    # what Rails' foreign_key_name computes: fk_rails_ and 10 hex digits of SHA-256 of "<table>_<column>_fk"
    return "fk_rails_" + hashlib.sha256(f"{table}_{column}_fk".encode()).hexdigest()[:10]


@pytest.mark.parametrize(
    ("table", "target", "column"), [("orders", "users", "user_id"), ("invoices", "clients", "client_id")]
)
def test_an_unnamed_foreign_key_has_the_name_rails_gives_it(table: str, target: str, column: str) -> None:
    ref = column.removesuffix("_id")
    migration = _parse(
        f"    add_foreign_key :{table}, :{target}, validate: false\n"
        f"    validate_foreign_key :{table}, :{target}\n"
        f"    add_reference :{table}, :second_{ref}, foreign_key: {{ to_table: :{target} }}\n"
        f"    create_table :{table}_copies do |t|\n      t.references :{ref}, foreign_key: true\n    end\n"
    )
    named = [(type(op).__name__, op.table, getattr(op, "name", "")) for op in migration.up]
    expected = _rails_fk_name(table, column)
    assert ("AddConstraint", table, expected) in named
    assert ("ValidateConstraint", table, expected) in named  # the key the previous line added, by its name
    assert ("AddConstraint", table, _rails_fk_name(table, f"second_{column}")) in named
    assert ("AddConstraint", f"{table}_copies", _rails_fk_name(f"{table}_copies", column)) in named
    assert not [
        n for n in named if n[2].startswith(f"fk_rails_{table}")
    ]  # never the table's name spelled out
    given = _parse(f"    add_foreign_key :{table}, :{target}, name: '{table}_owner_fkey'\n")
    assert [getattr(op, "name", "") for op in given.up] == [f"{table}_owner_fkey"]


@pytest.mark.parametrize(
    ("tables", "target"), [(("orders", "refunds"), "ledgers"), (("posts", "pages"), "authors")]
)
def test_a_name_built_from_the_loop_variable_is_read_per_pass(tables: tuple[str, str], target: str) -> None:
    migration = _parse(
        f"    %w[{' '.join(tables)}].each do |tbl|\n"
        f"      add_column tbl, :{target[:-1]}_id, :bigint\n"
        f'      add_foreign_key tbl, :{target}, name: "#{{tbl}}_{target[:-1]}_id_fkey"\n'
        f'      add_index "#{{tbl}}", :{target[:-1]}_id, name: "#{{tbl}}_{target[:-1]}_idx"\n'
        "    end\n"
    )
    constraints = [(op.table, op.name) for op in migration.up if isinstance(op, AddConstraint)]
    assert constraints == [(t, f"{t}_{target[:-1]}_id_fkey") for t in tables]
    indexes = [(op.table, op.name) for op in migration.up if isinstance(op, AddIndex)]
    assert indexes == [(t, f"{t}_{target[:-1]}_idx") for t in tables]
    # outside a loop, a name built at run time is not taken for the default one's text
    outside = _parse(f'    add_foreign_key :{tables[0]}, :{target}, name: "#{{prefix}}_fkey"\n')
    assert not [op for op in outside.up if isinstance(op, AddConstraint) and "#{" in op.name]


@pytest.mark.parametrize(
    ("model", "table", "joined", "column"),
    [("Image", "images", "albums", "shared"), ("Ticket", "tickets", "queues", "open")],
)
def test_a_joined_tables_hash_condition_and_a_joins_string_are_read_as_written(
    model: str, table: str, joined: str, column: str
) -> None:
    join = f"INNER JOIN {joined} ON {joined}.id = {table}.{joined[:-1]}_id"
    migration = _parse(
        f'    {model}.joins("{join}")\n'
        f'         .where({joined}: {{kind: "main", {column}: true}}).update_all({column}: false)\n'
        f"    {model}.joins(:{joined[:-1]}).where({column}: nil).delete_all\n",
        head=f"  class {model} < ApplicationRecord; end\n",
    )
    update, delete = [op for op in migration.up if isinstance(op, DataUpdate | DataDelete)]
    assert isinstance(update, DataUpdate) and update.where is not None
    assert f'joins("{join}")' in update.where  # the whole join, not cut at a dot inside it
    assert (
        f"{joined}.kind = 'main' AND {joined}.{column} = true" in update.where
    )  # the joined table's columns
    assert "{" not in update.where
    assert delete.where is not None and delete.where.startswith(f"joins(:{joined[:-1]}) AND {column} IS NULL")


@pytest.mark.parametrize(
    ("table", "first", "second"), [("citations", "href", "to_entry_id"), ("votes", "voter_id", "ballot_id")]
)
def test_a_loop_over_a_list_of_argument_lists_is_read_per_item(table: str, first: str, second: str) -> None:
    head = (
        "  INDEXES = [\n"
        f'    [:{table}, [:{first}, :story_id], {{unique: true, name: "{table}_{first}_key"}}],\n'
        f"    [:{table}, [:{second}, :story_id], {{unique: true}}]\n"
        "  ].freeze\n\n"
    )
    migration = _parse(
        "    INDEXES.each do |tbl, columns, options|\n"
        "      add_index(tbl, columns, **options) unless index_exists?(tbl, columns)\n"
        "    end\n",
        head=head,
    )
    indexes = [(op.table, op.name, op.columns, op.unique) for op in migration.up if isinstance(op, AddIndex)]
    assert indexes == [
        (table, f"{table}_{first}_key", (first, "story_id"), True),
        (table, f"index_{table}_on_{second}_and_story_id", (second, "story_id"), True),
    ]
    assert not [op for op in migration.up if isinstance(op, Unparsed)]
    # items that are not argument lists are not guessed at: the statement stays unread
    odd = _parse("    [[:a, 1], :b].each do |tbl, columns|\n      add_index(tbl, columns)\n    end\n")
    assert not [op for op in odd.up if isinstance(op, AddIndex)]


@pytest.mark.parametrize(
    ("table", "key", "parent"), [("citations", "to_entry_id", "entries"), ("votes", "ballot_id", "ballots")]
)
def test_an_index_added_in_a_loop_over_argument_lists_keeps_the_foreign_key_covered(
    table: str, key: str, parent: str
) -> None:
    base = {
        "db/structure.sql": f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n"
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {key} bigint, story_id bigint);\n"
        f"CREATE INDEX index_{table}_on_{key} ON {table} ({key});\n"
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_{key}_fk FOREIGN KEY ({key}) REFERENCES {parent} (id);\n",
        "config/database.yml": "production:\n  adapter: mysql2\n",
    }
    loop = (
        f"  INDEXES = [[:{table}, [:{key}, :story_id], {{unique: true}}]].freeze\n\n  def up\n"
        "    INDEXES.each do |tbl, columns, options|\n      add_index(tbl, columns, **options)\n    end\n"
    )
    drop = f"    remove_index :{table}, column: :{key}\n  end\nend\n"
    text = f"class SwapIndexes < ActiveRecord::Migration[8.0]\n{loop}{drop}"
    assert "index-needed-by-foreign-key" not in {f.rule for f in _review(text, base).active}
    alone = f"class SwapIndexes < ActiveRecord::Migration[8.0]\n  def up\n{drop}"
    assert "index-needed-by-foreign-key" in {f.rule for f in _review(alone, base).active}


@pytest.mark.parametrize(
    ("table", "first", "second"),
    [("line_items", "products", "categories"), ("memberships", "groups", "people")],
)
def test_a_rescue_that_reraises_changes_nothing(table: str, first: str, second: str) -> None:
    def migration(handler: str) -> rails.Migration:
        text = (
            f"class AddKeys < ActiveRecord::Migration[7.0]\n  def up\n    begin\n"
            f"      add_foreign_key :{table}, :{first}\n"
            "    rescue ActiveRecord::StatementInvalid => e\n"
            "      if e.cause.is_a?(PG::ForeignKeyViolation)\n        Rails.logger.warn(e.cause.message)\n      end\n"
            f"{handler}    end\n    add_foreign_key :{table}, :{second}\n  end\nend\n"
        )
        return rails.parse(PATH, text, MemoryTree(), "postgres")

    reraised = migration("      raise\n")
    assert [type(op).__name__ for op in reraised.up] == ["AddConstraint", "AddConstraint"]
    review_text = _review(
        f"class AddKeys < ActiveRecord::Migration[7.0]\n  def up\n    begin\n      add_foreign_key :{table}, :{first}\n"
        "    rescue ActiveRecord::StatementInvalid => e\n      say e.message\n      raise e\n    end\n"
        f"    add_foreign_key :{table}, :{second}\n  end\nend\n",
        {
            "db/structure.sql": f"CREATE TABLE {first} (id bigint PRIMARY KEY);\nCREATE TABLE {second} (id bigint PRIMARY KEY);\n"
            f"CREATE TABLE {table} (id bigint PRIMARY KEY, {first[:-1]}_id bigint, {second[:-1]}_id bigint);\n"
        },
    )
    assert not [f for f in review_text.active if f.line in (5, 6, 7)]  # nothing said of the handler
    # a handler that swallows the error goes on with the migration: it is still read as code
    swallowed = migration("      say 'skipped'\n")
    assert [op for op in swallowed.up if isinstance(op, RunCode) and op.location.line == 5]


@pytest.mark.parametrize(
    ("table", "first", "second"),
    [("citations", "to_entry_id", "source_id"), ("votes", "ballot_id", "voter_id")],
)
def test_remove_index_by_columns_drops_a_custom_named_index(table: str, first: str, second: str) -> None:
    base = {
        "db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {first} bigint, {second} bigint);\n",
    }
    up = f'    add_index :{table}, [:{first}, :{second}], unique: true, name: "idx_{table}_pair"\n'

    def migration(down: str) -> str:
        return f"class AddPair < ActiveRecord::Migration[8.0]\n  def up\n{up}  end\n\n  def down\n{down}  end\nend\n"

    by_columns = migration(f"    remove_index :{table}, [:{first}, :{second}]\n")
    assert "down-does-not-restore" not in {f.rule for f in _review(by_columns, base).active}
    # a down that removes another pair leaves the index behind
    other = migration(f"    remove_index :{table}, [:{second}, :{first}]\n")
    assert "down-does-not-restore" in {f.rule for f in _review(other, base).active}


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        ("transfers", ("inflow_transaction_id", "outflow_transaction_id")),
        ("line_items", ("order_id", "product_variant_id", "warehouse_id")),
    ],
)
def test_rails_7_1_gives_a_long_derived_index_name_a_short_one(table: str, columns: tuple[str, ...]) -> None:
    """Rails 7.1 and later name `t.index [:inflow_transaction_id, :outflow_transaction_id]` on `transfers`
    `idx_on_inflow_transaction_id_outflow_transaction_id_8cd07a28bd` (Maybe's schema.rb holds it): no name is
    cut short. Rails 7.0 and older keep the long name (which Rails refuses)."""
    listed = ", ".join(f":{c}" for c in columns)
    body = f"    add_index :{table}, [{listed}], unique: true\n"
    long = f"index_{table}_on_{'_and_'.join(columns)}"
    digest = hashlib.sha256(long.encode()).hexdigest()[:10]
    [index] = [op for op in _parse(body).up if isinstance(op, AddIndex)]
    assert index.name.startswith("idx_on_") and index.name.endswith(f"_{digest}") and len(index.name) <= 62
    if table == "transfers":  # as Rails wrote it into Maybe's db/schema.rb
        assert index.name == "idx_on_inflow_transaction_id_outflow_transaction_id_8cd07a28bd"
    for version, flagged in (("7.2", False), ("7.0", True)):
        text = f"class ChangeOrders < ActiveRecord::Migration[{version}]\n  def change\n{body}  end\nend\n"
        result = _review(
            text,
            {
                "db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {', '.join(c + ' bigint' for c in columns)});"
            },
        )
        assert ("identifier-too-long" in {f.rule for f in result.findings}) is flagged


@pytest.mark.parametrize(
    ("model", "table", "column", "value"),
    [
        ("Coupon", "coupons", "code", "'coupon-' || id::text"),
        ("Invoice", "invoices", "number", "'INV-' || id"),
    ],
)
def test_a_find_in_batches_update_of_the_same_model_by_the_batch_ids_is_one_batched_update(
    model: str, table: str, column: str, value: str
) -> None:
    init = (
        f"class Create < ActiveRecord::Migration[7.1]\n  def change\n    create_table :{table} do |t|\n"
        f"      t.string :{column}\n      t.string :state\n    end\n  end\nend\n"
    )
    base = {"db/migrate/20240101000000_create.rb": init}

    def migration(condition: str) -> str:
        return (
            f"class Backfill < ActiveRecord::Migration[7.1]\n  disable_ddl_transaction!\n\n  def up\n"
            f"    {model}.unscoped.where({condition}).find_in_batches(batch_size: 1000) do |batch|\n"
            f'      {model}.unscoped.where(id: batch.pluck(:id)).update_all("{column} = {value}")\n'
            "    end\n  end\n\n  def down\n    # irreversible\n  end\nend\n"
        )

    filled = _review(migration(f"{column}: nil"), base)
    [update] = [op for op in rails.parse(PATH, migration(f"{column}: nil"), MemoryTree(), "postgres").up]
    assert isinstance(update, DataUpdate) and update.batched
    assert update.where == f"{column} IS NULL" and [c for c, _ in update.assignments] == [column]
    # a fill of NULLs overwrites nothing: an empty down loses nothing
    assert "missing-down-migration" not in {f.rule for f in filled.findings}
    # values overwritten: the empty down cannot bring them back
    overwritten = _review(migration("state: 'old'"), base)
    assert "missing-down-migration" in {f.rule for f in overwritten.findings}


@pytest.mark.parametrize(
    ("first", "second"), [("users", "roles"), ("orders", "tags")], ids=["users-roles", "orders-tags"]
)
@pytest.mark.parametrize(
    ("call", "kind", "table"),
    [
        ("truncate :{first}", "Truncate", "{first}"),
        ("truncate_tables :{first}, :{second}", "Truncate", "{first}"),
        ("drop_join_table :{first}, :{second}", "DropTable", "{joined}"),
        ("drop_enum :{first}_kind", "RawSQL", "{first}_kind"),
        ("drop_schema :{first}_archive", "DropSchema", ""),
        ('rename_enum_value :{first}_kind, from: "old", to: "new"', "RawSQL", ""),
    ],
)
def test_rails_schema_methods_are_read_as_the_statements_they_send(
    first: str, second: str, call: str, kind: str, table: str
) -> None:
    joined = "_".join(sorted((first, second)))
    migration = _parse("    " + call.format(first=first, second=second) + "\n")
    [op, *_] = migration.up
    assert type(op).__name__ == kind and op.location.line == 3
    assert getattr(op, "table", "") == table.format(first=first, joined=joined) or not table


@pytest.mark.parametrize("table", ["relation_members", "gpx_files"])
def test_a_method_of_the_application_given_a_table_is_not_read_as_nothing(table: str) -> None:
    body = f"    alter_primary_key :{table}, [:relation_id, :member_type]\n    refresh_caches\n"
    text = f"class ChangeOrders < ActiveRecord::Migration[7.1]\n  def change\n{body}  end\nend\n"
    helper = "module MigrateHelpers\n  def alter_primary_key(table, columns)\n    execute 'x'\n  end\nend\n"
    tree = MemoryTree({"config/initializers/migrate.rb": helper, PATH: text})
    unread, code = rails.parse(PATH, text, tree, "postgres").up
    assert isinstance(unread, Unparsed) and f"what it does to `{table}` could not be read" in unread.error
    assert isinstance(code, RunCode)  # no table given: the application's own code, as before
    # a gem's method (none of the application's files defines it) stays code, as before
    gem, _ = rails.parse(PATH, text, MemoryTree({PATH: text}), "postgres").up
    assert isinstance(gem, RunCode)


@pytest.mark.parametrize(
    ("folder", "name"), [("clickhouse_migrate", "ClickHouse"), ("snowflake_migrate", "Snowflake")]
)
def test_a_rails_second_database_of_another_kind_is_not_read_as_the_first(folder: str, name: str) -> None:
    path = f"db/{folder}/20260727090000_set_default.rb"
    text = (
        "class SetDefault < ActiveRecord::Migration[8.0]\n  def up\n"
        '    execute "ALTER TABLE events_enriched MODIFY COLUMN enriched_at DateTime64(3) DEFAULT now64()"\n'
        "  end\nend\n"
    )
    changeset = ChangeSet(
        "b", "h", (ChangedFile(path, "added", None, text),), MemoryTree({path: text}), MemoryTree()
    )
    result = review(changeset)
    assert not result.findings and not result.migrations
    assert any(
        f"a migration for {name}, a database the review does not read" in note for note in result.notes
    )
    # every output says so, not "No migration changed": the terminal, the comment and the check run's title
    text, comment = render_text(result), render_comment(result)
    assert (
        "No migration the review reads changed." in text
        and f"note: `{path}` is a migration for {name}" in text
    )
    assert "No migration changed" not in comment and "No migration the review reads changed" in comment
    assert render_check_run(result)["title"] == "No migration the review reads changed"


def _table_with(table: str, column: str, files: dict[str, str]) -> dict[str, str]:
    created = (
        f"class Create{table.title().replace('_', '')} < ActiveRecord::Migration[7.1]\n  def change\n"
        f"    create_table :{table} do |t|\n      t.string :{column}\n    end\n  end\nend\n"
    )
    return {f"db/migrate/2024010100000{len(files)}_create_{table}.rb": created, **files}


def _dropped(table: str, column: str, base: dict[str, str]) -> set[str]:
    text = (
        f"class DropColumn < ActiveRecord::Migration[7.1]\n  def change\n"
        f"    remove_column :{table}, :{column}, :string\n  end\nend\n"
    )
    (finding,) = [f for f in _review(text, base).active if f.rule == "column-dropped"]
    return {r.path for r in finding.references if "low" not in r.kind}


@pytest.mark.parametrize(
    ("namespace", "module", "prefix", "table", "model", "column"),
    [
        (
            "billing",
            "Billing",
            'def self.table_name_prefix\n    "billing_"\n  end',
            "invoices",
            "Invoice",
            "number",
        ),
        ("reporting", "Reporting", 'def self.table_name_prefix = "rpt_"', "snapshots", "Snapshot", "total"),
    ],
)
def test_a_namespace_table_name_prefix_maps_its_models_to_the_prefixed_tables(
    namespace: str, module: str, prefix: str, table: str, model: str, column: str
) -> None:
    stem = prefix.partition('"')[2].partition('"')[0]
    model_path = f"app/models/{namespace}/{model.lower()}.rb"
    files = {
        f"app/models/{namespace}.rb": f"module {module}\n  {prefix}\nend\n",
        model_path: f"module {module}\n  class {model} < ApplicationRecord\n    validates :{column}, presence: true\n"
        "  end\nend\n",
    }
    base = _table_with(f"{stem}{table}", column, _table_with(table, column, files))
    # the prefixed table's model still validates the column: a use
    assert model_path in _dropped(f"{stem}{table}", column, base)
    # the table of the same name without the prefix is another one: the namespaced model does not use it
    assert model_path not in _dropped(table, column, base)


@pytest.mark.parametrize(
    ("prefix", "table", "model", "column"),
    [("legacy_", "accounts", "Account", "number"), ("old_", "widgets", "Widget", "label")],
)
def test_a_model_own_table_name_prefix_maps_it_to_the_prefixed_table(
    prefix: str, table: str, model: str, column: str
) -> None:
    model_path = f"app/models/{model.lower()}.rb"
    files = {
        model_path: f'class {model} < ApplicationRecord\n  self.table_name_prefix = "{prefix}"\n'
        f"  validates :{column}, presence: true\nend\n"
    }
    assert model_path in _dropped(f"{prefix}{table}", column, _table_with(f"{prefix}{table}", column, files))
    other = {model_path: files[model_path].replace(f'  self.table_name_prefix = "{prefix}"\n', "")}
    assert model_path not in _dropped(
        f"{prefix}{table}", column, _table_with(f"{prefix}{table}", column, other)
    )


@pytest.mark.parametrize(
    ("setting", "table", "model", "column"),
    [
        ('config.active_record.table_name_prefix = "app_"', "app_users", "User", "nickname"),
        ('config.active_record.table_name_suffix = "_live"', "products_live", "Product", "sku"),
    ],
)
def test_the_application_table_name_prefix_maps_every_model(
    setting: str, table: str, model: str, column: str
) -> None:
    model_path = f"app/models/{model.lower()}.rb"
    files = {
        "config/application.rb": f"module Shop\n  class Application < Rails::Application\n    {setting}\n  end\nend\n",
        "db/structure.sql": f"CREATE TABLE public.{table} (\n    id bigint NOT NULL,\n    {column} character varying\n);\n",
        model_path: f"class {model} < ApplicationRecord\n  validates :{column}, presence: true\nend\n",
    }
    text = (
        f'class DropColumn < ActiveRecord::Migration[7.1]\n  def up\n    execute "ALTER TABLE {table} DROP COLUMN {column}"\n'
        f'  end\n\n  def down\n    execute "ALTER TABLE {table} ADD COLUMN {column} varchar"\n  end\nend\n'
    )

    def used(base: dict[str, str]) -> set[str]:
        (finding,) = [f for f in _review(text, base).active if f.rule == "column-dropped"]
        return {r.path for r in finding.references}

    assert model_path in used(files)
    # without the setting the model maps its conventional table, not this one
    assert model_path not in used({**files, "config/application.rb": "module Shop\nend\n"})


@pytest.mark.parametrize(
    ("engine", "module", "table", "model", "column"),
    [
        ("core", "Spree", "spree_orders", "Order", "special_instructions"),
        ("promotions", "SolidusPromotions", "solidus_promotions_benefits", "Benefit", "preferences"),
    ],
)
def test_an_isolated_engine_prefixes_the_tables_of_its_namespace(
    engine: str, module: str, table: str, model: str, column: str
) -> None:
    folder = table.removesuffix(f"_{model.lower()}s")
    model_path = f"{engine}/app/models/{folder}/{model.lower()}.rb"
    files = {
        f"{engine}/lib/{folder}/engine.rb": f"module {module}\n  class Engine < ::Rails::Engine\n"
        f"    isolate_namespace {module}\n  end\nend\n",
        model_path: f"module {module}\n  class {model} < ApplicationRecord\n    validates :{column}, presence: true\n"
        "  end\nend\n",
    }
    assert model_path in _dropped(table, column, _table_with(table, column, files))
    # the engine's model is not the model of the table of the same name outside the namespace
    plain = f"{model.lower()}s"
    assert model_path not in _dropped(
        plain, column, _table_with(plain, column, _table_with(table, column, files))
    )


@pytest.mark.parametrize(
    ("table", "column", "association", "other"),
    [
        ("shipping_discounts", "promotion_action_id", "promotion_action", "PromotionAction"),
        ("refund_lines", "reimbursement_item_id", "reimbursement_item", "ReimbursementItem"),
    ],
)
def test_the_class_an_association_names_is_no_use_of_a_foreign_key(
    table: str, column: str, association: str, other: str
) -> None:
    model = table.removesuffix("s")
    cls = "".join(part.title() for part in model.split("_"))
    neighbour = "app/models/campaign.rb"
    files = {
        f"app/models/{model}.rb": f"class {cls} < ApplicationRecord\n  belongs_to :{association}\nend\n",
        neighbour: f'class Campaign < ApplicationRecord\n  has_many :{table}, class_name: "{cls}"\n'
        f'  belongs_to :original, class_name: "Shop::{other}", optional: true\nend\n',
    }
    used = _dropped(table, column, _table_with(table, column, files))
    assert f"app/models/{model}.rb" in used and neighbour not in used
