"""Ecto migrations: detection, commands at their lines, `change` reversibility, transactions and the migration
lock, the dialect, and the review of small Phoenix applications (a bad and a good change for each hazard)."""

from __future__ import annotations

import pytest

from bot.frameworks import detect, ecto
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
    DropColumn,
    DropIndex,
    DropTable,
    Migration,
    RenameColumn,
    RenameTable,
    SetNotNull,
    Unparsed,
)
from bot.review import review

PATH = "priv/repo/migrations/20240601000000_change_orders.exs"
CREATE_ORDERS = (
    "defmodule Shop.Repo.Migrations.CreateOrders do\n  use Ecto.Migration\n\n  def change do\n"
    "    create table(:orders) do\n      add :status, :string\n      add :legacy_status, :string\n"
    "      add :user_id, references(:users, on_delete: :delete_all)\n      timestamps()\n    end\n  end\nend\n"
)
BASE = {
    "mix.exs": "defmodule Shop.MixProject do\n  use Mix.Project\nend\n",
    "lib/shop/repo.ex": "defmodule Shop.Repo do\n  use Ecto.Repo, otp_app: :shop, adapter: Ecto.Adapters.Postgres\nend\n",
    "priv/repo/migrations/20240101000000_create_orders.exs": CREATE_ORDERS,
    "lib/shop/orders/order.ex": 'defmodule Shop.Orders.Order do\n  use Ecto.Schema\n\n  schema "orders" do\n'
    "    field :status, :string\n    field :legacy_status, :string\n  end\nend\n",
    "lib/shop/workers/export.ex": "defmodule Shop.Workers.Export do\n  use Oban.Worker\n\n  def perform(_job) do\n"
    "    for order <- Shop.Repo.all(Shop.Orders.Order), do: IO.puts(order.legacy_status)\n  end\nend\n",
}


def _migration(body: str, attributes: str = "", function: str = "change") -> str:
    return (
        f"defmodule Shop.Repo.Migrations.ChangeOrders do\n  use Ecto.Migration\n{attributes}\n"
        f"  def {function} do\n{body}  end\nend\n"
    )  # the body starts on line 5, after the attribute lines


def _parse(body: str, attributes: str = "", function: str = "change", dialect: str = "postgres") -> Migration:
    return ecto.parse(PATH, _migration(body, attributes, function), MemoryTree(), dialect)


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


def _alter(body: str) -> str:
    return f"    alter table(:orders) do\n{body}    end\n"


def _rules(result: Review) -> set[str]:
    return {f.rule for f in result.active}


def test_detects_ecto_migrations_only() -> None:
    text = _migration("")
    assert getattr(detect(PATH, text, Config()), "NAME", None) == ecto.NAME
    assert (
        getattr(detect("priv/audit_repo/migrations/20240601000000_x.exs", text, Config()), "NAME", None)
        == ecto.NAME
    )
    assert detect("test/shop_test.exs", text, Config()) is None
    assert ecto.version(PATH) == "20240601000000"


def test_create_table_with_key_timestamps_and_references() -> None:
    migration = _parse(
        "    create table(:invoices) do\n      add :order_id, references(:orders, on_delete: :delete_all), null: false\n"
        "      add :number, :string, size: 40\n      add :total, :decimal, precision: 10, scale: 2, default: 0\n"
        "      timestamps(type: :utc_datetime)\n    end\n"
        "    create unique_index(:invoices, [:number])\n"
    )
    table, key, index = migration.up
    assert isinstance(table, CreateTable) and table.location.line == 5
    assert [(c.name, c.type, c.nullable) for c in table.columns] == [
        ("id", "bigint", False),
        ("order_id", "bigint", False),
        ("number", "varchar(40)", True),
        ("total", "decimal(10, 2)", True),
        ("inserted_at", "timestamp(0)", False),
        ("updated_at", "timestamp(0)", False),
    ]
    assert (
        isinstance(key, AddConstraint) and key.references == "orders" and key.name == "invoices_order_id_fkey"
    )
    assert isinstance(index, AddIndex) and index.unique and index.name == "invoices_number_index"
    assert index.location.line == 11
    assert migration.down is not None and [op.kind for op in migration.down] == ["DropIndex", "DropTable"]


def test_alter_rename_index_drop_and_execute_at_their_lines() -> None:
    migration = _parse(
        _alter(
            "      add :note, :text\n      remove :legacy_status, :string\n"
            "      modify :total, :bigint, null: false, from: :integer\n"
        )
        + "    rename table(:orders), :status, to: :state\n    rename table(:carts), to: table(:baskets)\n"
        "    create index(:orders, [:state], concurrently: true)\n    drop index(:orders, [:user_id])\n"
        '    execute "UPDATE orders SET state = \'open\' WHERE state IS NULL", "SELECT 1"\n'
    )
    kinds = [(op.location.line, type(op)) for op in migration.up]
    assert kinds == [
        (6, AddColumn),
        (7, DropColumn),
        (8, AlterColumnType),
        (8, SetNotNull),
        (10, RenameColumn),
        (11, RenameTable),
        (12, AddIndex),
        (13, DropIndex),
        (14, DataUpdate),
    ]
    index = migration.up[6]
    assert isinstance(index, AddIndex) and index.concurrently and index.name == "orders_state_index"
    assert migration.down is not None and migration.irreversible_reason == ""
    # Ecto undoes the commands in reverse order: the down SQL of `execute` first, the added column last.
    assert [(op.location.line, op.kind) for op in migration.down] == [
        (14, "RawSQL"),
        (13, "AddIndex"),
        (12, "DropIndex"),
        (11, "RenameTable"),
        (10, "RenameColumn"),
        (8, "AlterColumnType"),
        (7, "AddColumn"),
        (6, "DropColumn"),
    ]


def test_change_that_ecto_cannot_reverse() -> None:
    untyped = _parse(_alter("      remove :legacy_status\n"))
    assert untyped.down is None and "`remove` without the column's type" in untyped.irreversible_reason
    assert "line 6" in untyped.irreversible_reason
    assert _parse(_alter("      modify :total, :bigint\n")).down is None
    one_way = _parse("    execute \"UPDATE orders SET state = 'open'\"\n")
    assert one_way.down is None and "execute" in one_way.irreversible_reason
    dropped = _parse("    drop table(:carts)\n")
    assert isinstance(dropped.up[0], DropTable) and dropped.down is None


def test_up_and_down_functions() -> None:
    text = (
        "defmodule M do\n  use Ecto.Migration\n\n  def up do\n    drop table(:carts)\n  end\n\n"
        '  def down do\n    raise "irreversible"\n  end\nend\n'
    )
    migration = ecto.parse(PATH, text, MemoryTree(), "postgres")
    assert migration.down is None and "raises" in migration.irreversible_reason
    only_up = _parse("    drop table(:carts)\n", function="up")
    assert only_up.down is None and "down/0" in only_up.irreversible_reason


def test_transaction_and_migration_lock() -> None:
    assert _parse("").in_transaction
    ddl_only = _parse("", "  @disable_ddl_transaction true\n")
    assert ddl_only.in_transaction and "@disable_migration_lock" in ddl_only.transaction_note
    both = _parse("", "  @disable_ddl_transaction true\n  @disable_migration_lock true\n")
    assert not both.in_transaction


def test_repo_calls_change_data() -> None:
    migration = _parse(
        '    from(o in "orders", where: is_nil(o.state)) |> repo().update_all(set: [state: "open"])\n'
        '    repo().delete_all(from(o in Shop.Orders.Order, where: o.state == "void"))\n'
        '    repo().query!("UPDATE orders SET total = 0 WHERE total IS NULL")\n'
        "    Shop.Orders.backfill!()\n"
    )
    update, delete, sql, code = migration.up
    assert (
        isinstance(update, DataUpdate)
        and update.table == "orders"
        and update.assignments == (("state", "'open'"),)
    )
    assert update.where == "state IS NULL"
    assert isinstance(delete, DataDelete) and delete.table == "orders" and delete.location.line == 6
    assert isinstance(sql, DataUpdate) and sql.location.line == 7
    assert code.kind == "RunCode" and code.location.line == 8


def test_dialect_from_the_repo_adapter() -> None:
    tree = MemoryTree(
        {"config/config.exs": "import Config\nconfig :shop, Shop.Repo, adapter: Ecto.Adapters.MyXQL\n"}
    )
    assert ecto.dialect(tree) == "mysql"
    assert ecto.dialect(MemoryTree(BASE)) == "postgres"
    base = {**BASE, "lib/shop/repo.ex": BASE["lib/shop/repo.ex"].replace("Postgres", "MyXQL")}
    result = _review(_migration("    create index(:orders, [:status])\n"), base)
    assert [m.dialect for m in result.migrations] == ["mysql"] and "non-concurrent-index" not in _rules(
        result
    )


def test_syntax_error_is_a_finding() -> None:
    broken = _parse(_alter("      add :note, :text\n").replace("    end\n", ""))
    assert any(isinstance(op, Unparsed) for op in broken.up)


# --- the review of a Phoenix application: a bad and a good change per hazard ----------------------------


def test_index_on_an_existing_table_bad_and_good() -> None:
    bad = _review(_migration("    create index(:orders, [:status])\n"))
    finding = next(f for f in bad.active if f.rule == "non-concurrent-index")
    assert (
        finding.line == 5
        and "@disable_migration_lock true" in finding.fix
        and "concurrently: true" in finding.fix
    )
    good = _review(
        _migration(
            '    execute "SET lock_timeout TO \'5s\'", "SET lock_timeout TO DEFAULT"\n'
            "    create index(:orders, [:status], concurrently: true)\n",
            "  @disable_ddl_transaction true\n  @disable_migration_lock true\n",
        )
    )
    assert good.approval == "APPROVED", good.active


def test_concurrent_index_under_the_migration_lock() -> None:
    result = _review(
        _migration(
            "    create index(:orders, [:status], concurrently: true)\n", "  @disable_ddl_transaction true\n"
        )
    )
    finding = next(f for f in result.active if f.rule == "concurrent-in-transaction")
    assert "@disable_migration_lock true" in finding.fix


def test_not_null_column_bad_and_good() -> None:
    bad = _review(_migration(_alter("      add :channel, :string, null: false\n")))
    finding = next(f for f in bad.active if f.rule == "not-null-without-default")
    assert finding.line == 6 and "modify :col, :type, null: false" in finding.fix
    good = _review(_migration(_alter("      add :channel, :string\n")))
    assert good.approval == "APPROVED", good.active


def test_set_not_null_through_modify() -> None:
    result = _review(_migration(_alter("      modify :status, :string, null: false, from: :string\n")))
    finding = next(f for f in result.active if f.rule == "set-not-null")
    assert finding.line == 6 and "validate: false" in finding.fix


def test_dropped_column_still_used_by_the_schema_and_a_worker() -> None:
    result = _review(_migration(_alter("      remove :legacy_status\n")))
    assert result.approval == "BLOCKED"
    dropped = next(f for f in result.active if f.rule == "column-dropped")
    assert dropped.severity.value == "critical" and dropped.line == 6
    assert {r.path for r in dropped.references} >= {"lib/shop/orders/order.ex", "lib/shop/workers/export.ex"}
    missing = next(f for f in result.active if f.rule == "missing-down-migration")
    assert "`remove` without the column's type" in missing.message and "`remove :col, :type`" in missing.fix


def test_renamed_column_fix_in_ecto_terms() -> None:
    result = _review(_migration("    rename table(:orders), :legacy_status, to: :old_status\n"))
    finding = next(f for f in result.active if f.rule == "column-renamed")
    assert "source: :old" in finding.fix and finding.references


def test_data_change_bad_and_good() -> None:
    bad = _review(
        _migration("    execute \"UPDATE orders SET status = 'open' WHERE status IS NULL\"\n", function="up")
    )
    assert {"unbatched-data-change", "missing-down-migration"} <= _rules(bad)
    good = _review(
        _migration(
            "    execute \"UPDATE orders SET status = 'open' WHERE id BETWEEN 1 AND 1000 AND status IS NULL\",\n"
            '            "SELECT 1"\n'
        )
    )
    assert "unbatched-data-change" not in _rules(good)


def test_an_elixir_comment_suppresses_a_finding() -> None:
    text = _migration(
        "    # migration-review: ignore non-concurrent-index orders is written once a day\n"
        "    create index(:orders, [:status])\n"
    )
    result = _review(text)
    assert "non-concurrent-index" not in _rules(result)
    assert [f.rule for f in result.accepted] == ["non-concurrent-index"]


def test_execute_with_functions_is_read_both_ways() -> None:
    migration = _parse(
        "    execute(\n"
        '      fn -> repo().update_all("orders", set: [status: "open"]) end,\n'
        '      fn -> repo().update_all("orders", set: [status: nil]) end\n'
        "    )\n"
    )
    assert [(op.location.line, op.kind) for op in migration.up] == [(6, "DataUpdate")]
    assert migration.down is not None and [op.kind for op in migration.down] == ["DataUpdate"]
    one_way = _parse('    execute(fn -> repo().update_all("orders", set: [status: "open"]) end)\n')
    assert one_way.down is None and "down function" in one_way.irreversible_reason


LOOP_BODY = (
    "    for table <- {generator} do\n"
    '      execute("""\n      ALTER TABLE #{{table}}\n      ADD CONSTRAINT #{{table}}_account_id_fkey\n'
    '      FOREIGN KEY (account_id) REFERENCES accounts(id) ON DELETE CASCADE{not_valid}\n      """)\n'
    "    end\n"
)


@pytest.mark.parametrize(
    ("attributes", "generator", "tables"),
    [
        ("  @tables [:portal_sessions, :gateway_tokens]\n", "@tables", ["portal_sessions", "gateway_tokens"]),
        ("", '["orders", "invoices", "refunds"]', ["orders", "invoices", "refunds"]),
    ],
)
def test_a_loop_over_tables_is_read_once_per_table(
    attributes: str, generator: str, tables: list[str]
) -> None:
    bad = _migration(LOOP_BODY.format(generator=generator, not_valid=""), attributes, "up")
    migration = ecto.parse(PATH, bad, MemoryTree(), "postgres")
    assert [op.table for op in migration.up if isinstance(op, AddConstraint)] == tables
    flagged = [f for f in _review(bad).active if f.rule == "constraint-not-valid"]
    assert sorted(f.message.split("`")[3] for f in flagged) == sorted(tables)
    good = _migration(LOOP_BODY.format(generator=generator, not_valid=" NOT VALID"), attributes, "up")
    assert "constraint-not-valid" not in _rules(_review(good))
    assert "unparsed-statement" not in _rules(_review(good))


def test_a_loop_over_something_computed_is_said_to_be_unreadable() -> None:
    text = _migration(LOOP_BODY.format(generator="tables()", not_valid=""), "", "up")
    result = _review(text)
    assert "constraint-not-valid" not in _rules(result)
    assert any(f.rule in ("unparsed-statement", "unreadable-migration") for f in result.findings)


def _moved_to_schema(table: str, schema: str, module: str, prefix: str) -> Review:
    """A table moved to another schema (`ALTER TABLE … SET SCHEMA`), its Ecto schema module given `prefix`
    (the attribute line, or "" for none) in the same change."""
    model = (
        f"defmodule {module} do\n  use Ecto.Schema\n\n{prefix}\n"
        f'  schema "{table}" do\n    field :secret, :binary\n  end\nend\n'
    )
    before = model.replace(f"{prefix}\n", "\n")
    base = {
        **BASE,
        "priv/repo/migrations/20240101000001_create.exs": _migration(
            f"    create table(:{table}) do\n      add :secret, :binary\n    end\n"
        ),
        f"lib/shop/{table}.ex": before,
    }
    text = _migration(
        f'    execute "ALTER TABLE {table} SET SCHEMA {schema}", "ALTER TABLE {schema}.{table} SET SCHEMA public"\n'
    )
    changeset = ChangeSet(
        "b",
        "h",
        (
            ChangedFile(PATH, "added", None, text),
            ChangedFile(f"lib/shop/{table}.ex", "modified", before, model),
        ),
        MemoryTree({**base, PATH: text, f"lib/shop/{table}.ex": model}),
        MemoryTree(base),
    )
    return review(changeset)


@pytest.mark.parametrize(
    ("table", "schema", "module", "attribute"),
    [
        ("tokens", "private", "Shop.Auth.Tokens", '  @schema_prefix "private"'),
        ("api_keys", "vault", "Shop.Accounts.ApiKey", "  @schema_prefix :vault"),
    ],
)
def test_a_schema_module_given_the_new_schema_prefix_no_longer_uses_the_moved_table(
    table: str, schema: str, module: str, attribute: str
) -> None:
    stale = _moved_to_schema(table, schema, module, "")
    (finding,) = [f for f in stale.active if f.rule == "table-renamed"]
    assert finding.severity.value == "critical" and f"lib/shop/{table}.ex" in {
        r.path for r in finding.references
    }
    moved = _moved_to_schema(table, schema, module, attribute)
    (finding,) = [f for f in moved.active if f.rule == "table-renamed"]
    assert (
        finding.severity.value == "warning"
    )  # the release still running during the deploy uses the old name
    assert "This change also moves the code off" in finding.message
    sure = {r.path for r in finding.references if not r.kind.startswith("removed") and "low" not in r.kind}
    assert f"lib/shop/{table}.ex" not in sure


@pytest.mark.parametrize(("table", "prefix"), [("tokens", "private"), ("audit_events", "audit")])
def test_the_prefix_option_puts_the_command_in_that_schema(table: str, prefix: str) -> None:
    migration = _parse(
        f'    create table(:{table}, prefix: "{prefix}") do\n      add :user_id, references(:users, prefix: "{prefix}")\n    end\n'
        f"    create index(:{table}, [:user_id], prefix: :{prefix})\n"
        f'    alter table(:{table}, prefix: "public") do\n      remove :note, :text\n    end\n'
    )
    created, key, index, removed = migration.up
    assert isinstance(created, CreateTable) and created.table == f"{prefix}.{table}"
    assert isinstance(key, AddConstraint) and key.name == f"{table}_user_id_fkey"
    assert key.references == f"{prefix}.users"
    assert isinstance(index, AddIndex) and (index.table, index.name) == (
        f"{prefix}.{table}",
        f"{table}_user_id_index",
    )
    assert isinstance(removed, DropColumn) and removed.table == table


@pytest.mark.parametrize(("table", "schema"), [("tokens", "private"), ("api_keys", "vault")])
def test_a_query_given_the_new_schema_prefix_no_longer_uses_the_moved_table(table: str, schema: str) -> None:
    query = (
        "defmodule Shop.Cleanup do\n  import Ecto.Query\n\n  def run do\n"
        f'    Shop.Repo.delete_all(from(t in "{table}"{{prefix}}, where: t.secret == ""))\n  end\nend\n'
    )
    base = {
        **BASE,
        "priv/repo/migrations/20240101000001_create.exs": _migration(
            f"    create table(:{table}) do\n      add :secret, :binary\n    end\n"
        ),
        "lib/shop/cleanup.ex": query.format(prefix=""),
    }
    text = _migration(
        f'    execute "ALTER TABLE {table} SET SCHEMA {schema}", "ALTER TABLE {schema}.{table} SET SCHEMA public"\n'
    )

    def uses(code: str) -> set[str]:
        head = {**base, "lib/shop/cleanup.ex": code}
        changeset = ChangeSet(
            "b",
            "h",
            (
                ChangedFile(PATH, "added", None, text),
                ChangedFile("lib/shop/cleanup.ex", "modified", base["lib/shop/cleanup.ex"], code),
            ),
            MemoryTree({**head, PATH: text}),
            MemoryTree(base),
        )
        (finding,) = [f for f in review(changeset).active if f.rule == "table-renamed"]
        return {r.path for r in finding.references if not r.kind.startswith("removed")}

    assert "lib/shop/cleanup.ex" in uses(query.format(prefix=', prefix: "public"'))
    assert "lib/shop/cleanup.ex" not in uses(query.format(prefix=f', prefix: "{schema}"'))
    assert "lib/shop/cleanup.ex" not in uses(query.format(prefix=f", prefix: :{schema}"))


@pytest.mark.parametrize(
    ("table", "other", "module", "column"),
    [
        ("invoices", "shipments", "Invoice", "legacy_code"),
        ("accounts", "profiles", "Account", "display_name"),
    ],
)
def test_a_dropped_field_is_its_own_schemas_not_another_schemas_of_the_same_name(
    table: str, other: str, module: str, column: str
) -> None:
    """Two schemas declare a field of the same name: the one whose `schema "…"` maps the changed table is the
    reference (its module is the enclosing one, `defmodule App.Invoice`), the other schema's field is not."""
    from tests.conftest import review_sql

    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n"
        f"CREATE TABLE {other} (id bigint PRIMARY KEY, {column} text);\n-- migration\n"
    )
    own = {
        f"lib/app/{module.lower()}.ex": f'defmodule App.{module} do\n  use Ecto.Schema\n  schema "{table}" do\n'
        f"    field :{column}, :string\n  end\nend\n"
    }
    theirs = {
        "lib/app/other.ex": f'defmodule App.Other do\n  use Ecto.Schema\n  schema "{other}" do\n'
        f"    field :{column}, :string\n  end\nend\n",
        "lib/app/others.ex": "defmodule App.Others do\n  import Ecto.Query\n"
        f"  def all(repo), do: repo.all(from o in App.Other, select: o.{column})\nend\n",
    }

    def places(files: dict[str, str]) -> list[tuple[str, int]]:
        result = review_sql(
            schema + f"ALTER TABLE {table} DROP COLUMN {column};", head=files, base=dict(files)
        )
        return [(r.path, r.line) for f in result.active if f.rule == "column-dropped" for r in f.references]

    assert places({**own, **theirs}) == [(f"lib/app/{module.lower()}.ex", 4)]
    assert places(theirs) == []


@pytest.mark.parametrize(("column", "target"), [("coupon_id", "coupons"), ("warehouse_id", "warehouses")])
def test_a_reference_added_with_its_column_is_one_statement_that_reads_no_row(
    column: str, target: str
) -> None:
    """`add :coupon_id, references(:coupons)` in `alter table` is one `ADD COLUMN … CONSTRAINT … REFERENCES`:
    without a default every existing row is NULL and PostgreSQL adds the key valid without reading them. With
    a default it reads every row; a reference added by `modify` is a separate ADD CONSTRAINT, which scans."""
    added = _review(
        _migration(f"    alter table(:orders) do\n      add :{column}, references(:{target})\n    end\n")
    )
    assert "constraint-not-valid" not in _rules(added)
    assert "statements-after-exclusive-lock" not in _rules(added)  # the key is no second statement
    defaulted = _review(
        _migration(
            f"    alter table(:orders) do\n      add :{column}, references(:{target}), default: 1\n    end\n"
        )
    )
    assert "constraint-not-valid" in _rules(defaulted)
    modified = _review(
        _migration(
            f"    alter table(:orders) do\n      modify :user_id, references(:{target}), from: :bigint\n    end\n"
        )
    )
    assert "constraint-not-valid" in _rules(modified)


@pytest.mark.parametrize(
    ("app", "adapter", "dialect"),
    [
        ("elixir/", "Postgres", "postgres"),
        ("elixir/apps/domain/", "MyXQL", "mysql"),
        ("backend/", "MyXQL", "mysql"),
    ],
)
def test_dialect_of_an_app_in_a_folder_of_its_own(app: str, adapter: str, dialect: str) -> None:
    # firezone keeps its Elixir application under `elixir/`: its adapter was not looked for there
    root = app.split("/apps/")[0] + "/" if "/apps/" in app else app
    base = {
        f"{root}mix.exs": BASE["mix.exs"],
        f"{app}lib/domain/repo.ex": BASE["lib/shop/repo.ex"].replace("Postgres", adapter),
        f"{app}priv/repo/migrations/20240101000000_create_orders.exs": CREATE_ORDERS,
    }
    path = f"{app}priv/repo/migrations/20240601000000_change_orders.exs"
    text = _migration("    create index(:orders, [:status])\n")
    changeset = ChangeSet(
        "b",
        "h",
        (ChangedFile(path, "added", None, text),),
        MemoryTree({**base, path: text}),
        MemoryTree(base),
    )
    result = review(changeset)
    assert [m.dialect for m in result.migrations] == [dialect]
    assert [use.database.detail for use in result.databases] != [
        "assumed: nothing in the repository names a database"
    ]
    # a dependency's repo module is not the application's
    deps = {
        "mix.exs": BASE["mix.exs"],
        "deps/other/lib/other/repo.ex": BASE["lib/shop/repo.ex"].replace("Postgres", "MyXQL"),
    }
    assert ecto.dialect(MemoryTree(deps)) == ""
