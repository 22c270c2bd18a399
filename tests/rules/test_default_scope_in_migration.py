"""A Rails data migration through an application model whose default_scope leaves rows out."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding
from tests.conftest import review_sql

NAMES = [
    ("Order", "orders", "order", "default_scope { where(deleted_at: nil) }"),
    ("Admin::Post", "admin_posts", "admin/post", "acts_as_paranoid"),
]


def _found(model: str, table: str, path: str, scope: str, body: str) -> list[Finding]:
    base = {
        f"app/models/{path}.rb": f"class {model} < ApplicationRecord\n  {scope}\nend\n",
        "db/schema.rb": (
            "ActiveRecord::Schema[7.1].define(version: 2026_01_01_000000) do\n"
            f'  create_table "{table}" do |t|\n    t.string "state"\n    t.datetime "deleted_at"\n  end\nend\n'
        ),
    }
    text = f"class Change < ActiveRecord::Migration[7.1]\n{body}\nend\n"
    result = review_sql(
        text.replace("{M}", model).replace("{t}", table),
        path="db/migrate/20260101000000_change.rb",
        base=base,
    )
    return [f for f in result.active if f.rule == "default-scope-in-migration"]


@pytest.mark.parametrize(("model", "table", "path", "scope"), NAMES)
def test_a_data_change_through_a_scoped_model(model: str, table: str, path: str, scope: str) -> None:
    for write in ["{M}.where(state: nil).update_all(state: 'new')", "{M}.where(state: 'old').delete_all"]:
        [found] = _found(model, table, path, scope, f"  def up\n    {write}\n  end\n\n  def down\n  end")
        assert f"`{model}`" in found.message and scope.split()[0] in found.message


@pytest.mark.parametrize(("model", "table", "path", "scope"), NAMES)
def test_unscoped_an_own_model_or_a_model_without_scope(
    model: str, table: str, path: str, scope: str
) -> None:
    write = "  def up\n    {M}.where(state: nil).update_all(state: 'new')\n  end\n\n  def down\n  end"
    assert not _found(model, table, path, scope, write.replace("{M}.where", "{M}.unscoped.where"))
    own = f"  class {model.split('::')[-1]} < ActiveRecord::Base\n    self.table_name = '{table}'\n  end\n\n"
    assert not _found(model, table, path, scope, own + write.replace("{M}", model.split("::")[-1]))
    assert not _found(model, table, path, "has_many :lines", write)


LARAVEL_MIGRATION = (
    "<?php\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Support\\Facades\\DB;\nuse App\\Models\\{model};\n\n"
    "return new class extends Migration {{\n    public function up(): void {{\n        {write}\n    }}\n}};\n"
)


@pytest.mark.parametrize(
    ("model", "table", "scope"),
    [
        ("Post", "posts", "use HasFactory, SoftDeletes;"),
        (
            "Invoice",
            "invoices",
            "protected static function booted() { static::addGlobalScope(new TenantScope); }",
        ),
    ],
)
def test_an_eloquent_model_with_soft_deletes_or_a_global_scope(model: str, table: str, scope: str) -> None:
    base = {
        f"app/Models/{model}.php": (
            "<?php\nnamespace App\\Models;\nuse Illuminate\\Database\\Eloquent\\Model;\n"
            f"use Illuminate\\Database\\Eloquent\\SoftDeletes;\n\nclass {model} extends Model\n{{\n    {scope}\n}}\n"
        ),
        "db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, status varchar(20), deleted_at timestamp);\n",
    }

    def found(write: str) -> list[Finding]:
        text = LARAVEL_MIGRATION.format(model=model, write=write)
        result = review_sql(text, path="database/migrations/2026_01_01_000000_backfill.php", base=base)
        return [f for f in result.active if f.rule == "default-scope-in-migration"]

    [scoped] = found(f"{model}::where('status', 'draft')->update(['status' => 'pending']);")
    assert f"`{model}`" in scoped.message and "withTrashed" in scoped.fix
    assert not found(f"{model}::withTrashed()->where('status', 'draft')->update(['status' => 'pending']);")
    assert not found(f"DB::table('{table}')->where('status', 'draft')->update(['status' => 'pending']);")


def test_a_scope_that_only_orders_leaves_no_row_out() -> None:
    write = "  def up\n    {M}.where(state: nil).update_all(state: 'new')\n  end\n\n  def down\n  end"
    assert not _found(
        "Enumeration", "enumerations", "enumeration", "default_scope lambda { order(:position) }", write
    )
    block = "default_scope do\n    where(archived: false)\n  end"
    assert _found("Enumeration", "enumerations", "enumeration", block, write)
