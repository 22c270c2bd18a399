"""The online_migrations gem's helpers, read as the statements they send when the application uses the gem:
a bad and a good migration for each hazard they can carry, over two sets of names, and the helpers whose
statements the review does not read, which never pass for nothing."""

from __future__ import annotations

import pytest

from bot.frameworks import rails
from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review
from bot.model.migration import AddConstraint, DataUpdate, Migration
from bot.review import review

GEMFILE = 'source "https://rubygems.org"\n\ngem "rails", "~> 7.1"\ngem "pg"\ngem "online_migrations"\n'
LOCKED = "GEM\n  remote: https://rubygems.org/\n  specs:\n    online_migrations (0.29.3)\n      activerecord (>= 7.1)\n"
NAMES = [("users", "email", "projects", "team"), ("spree_orders", "number", "spree_shipments", "order")]


def _base(table: str, column: str, child: str, parent: str, gems: dict[str, str]) -> dict[str, str]:
    created = (
        "class CreateTables < ActiveRecord::Migration[7.1]\n  def change\n"
        f"    create_table :{table} do |t|\n      t.string :{column}\n    end\n"
        f"    create_table :{child} do |t|\n      t.string :title\n    end\n"
        f"    create_table :{parent}s do |t|\n      t.string :name\n    end\n  end\nend\n"
    )
    return {**gems, "db/migrate/20240101000000_create_tables.rb": created}


def _review(body: str, base: dict[str, str], *, transaction: bool = True, method: str = "change") -> Review:
    head = "" if transaction else "  disable_ddl_transaction!\n\n"
    text = (
        f"class ChangeTables < ActiveRecord::Migration[7.1]\n{head}  def {method}\n    {body}\n  end\nend\n"
    )
    path = "db/migrate/20240601120000_change_tables.rb"
    changeset = ChangeSet(
        "b",
        "h",
        (ChangedFile(path, "added", None, text),),
        MemoryTree({**base, path: text}),
        MemoryTree(base),
    )
    return review(changeset)


def _rules(result: Review) -> set[str]:
    return {f.rule for f in result.active}


@pytest.mark.parametrize(("table", "column", "child", "parent"), NAMES)
@pytest.mark.parametrize("gems", [{"Gemfile": GEMFILE}, {"Gemfile": "gemspec\n", "Gemfile.lock": LOCKED}])
def test_a_concurrent_reference_inside_the_migration_transaction(
    table: str, column: str, child: str, parent: str, gems: dict[str, str]
) -> None:
    base = _base(table, column, child, parent, gems)
    call = f"add_reference_concurrently :{child}, :{parent}, foreign_key: {{ to_table: :{parent}s }}"
    bad = _review(call, base)
    assert "concurrent-in-transaction" in _rules(bad)
    good = _review(call, base, transaction=False)
    assert "concurrent-in-transaction" not in _rules(good)
    assert good.approval == "APPROVED"  # a column, an index built concurrently, a key validated apart
    # without the gem the call is the application's code, which sends nothing the review can read
    plain = {k: v for k, v in base.items() if k not in ("Gemfile", "Gemfile.lock")}
    assert "concurrent-in-transaction" not in _rules(_review(call, plain))


@pytest.mark.parametrize(("table", "column", "child", "parent"), NAMES)
def test_a_not_null_constraint_is_a_check_validated_apart(
    table: str, column: str, child: str, parent: str
) -> None:
    base = _base(table, column, child, parent, {"Gemfile": GEMFILE})
    good = _review(f"add_not_null_constraint :{table}, :{column}, validate: false", base)
    assert good.approval == "APPROVED" and not {"set-not-null", "unparsed-statement"} & _rules(good)
    bad = _review(f"change_column_null :{table}, :{column}, false", base)
    assert "set-not-null" in _rules(bad)


@pytest.mark.parametrize(("table", "column", "child", "parent"), NAMES)
def test_a_backfill_in_batches_inside_the_transaction(
    table: str, column: str, child: str, parent: str
) -> None:
    base = _base(table, column, child, parent, {"Gemfile": GEMFILE})
    call = f"update_column_in_batches :{table}, :{column}, 'unknown'"
    bad = _review(call, base, method="up")
    assert "unbatched-data-change" in _rules(bad)
    good = _review(call, base, transaction=False, method="up")
    assert "unbatched-data-change" not in _rules(good)
    assert any(f.rule == "missing-down-migration" for f in good.active)  # the values it overwrote stay


@pytest.mark.parametrize(("table", "column", "child", "parent"), NAMES)
def test_finalizing_a_column_rename_while_the_model_still_reads_the_old_name(
    table: str, column: str, child: str, parent: str
) -> None:
    model = f"app/models/{table.removesuffix('s')}.rb"
    cls = "".join(part.title() for part in table.removesuffix("s").split("_"))
    base = {
        **_base(table, column, child, parent, {"Gemfile": GEMFILE}),
        model: f"class {cls} < ApplicationRecord\n  validates :{column}, presence: true\nend\n",
    }
    started = _review(f"initialize_column_rename :{table}, :{column}, :{column}_value", base)
    # the view keeps the old name readable: nothing breaks yet
    assert not {"column-renamed", "table-renamed"} & {
        f.rule for f in started.active if f.severity.value == "critical"
    }
    finalized = _review(f"finalize_column_rename :{table}, :{column}, :{column}_value", base)
    assert any(
        f.rule == "column-renamed" and model in {r.path for r in f.references} for f in finalized.active
    )


@pytest.mark.parametrize(("table", "column", "child", "parent"), NAMES)
@pytest.mark.parametrize(
    "call",
    ["change_column_type_in_background :{t}, :{c}, :text", "initialize_column_type_change :{t}, :{c}, :text"],
)
def test_a_helper_whose_statements_are_not_read_is_never_approved_silently(
    table: str, column: str, child: str, parent: str, call: str
) -> None:
    base = _base(table, column, child, parent, {"Gemfile": GEMFILE})
    result = _review(call.format(t=table, c=column), base)
    assert result.approval == "BLOCKED"
    assert any("online_migrations" in f.message for f in result.active)


GITLAB_STYLE = [
    ("Mastodon::MigrationHelpers", "accounts", "suspended", "statuses", "account"),
    ("Gitlab::Database::MigrationHelpers", "projects", "archived", "issues", "project"),
]


def _gitlab(module: str, body: str, base: dict[str, str], *, transaction: bool = True) -> Review:
    head = f"  include {module}\n\n" + ("" if transaction else "  disable_ddl_transaction!\n\n")
    text = f"class ChangeTables < ActiveRecord::Migration[7.1]\n{head}  def up\n    {body}\n  end\n\n  def down\n  end\nend\n"
    path = "db/migrate/20240601120000_change_tables.rb"
    changeset = ChangeSet(
        "b",
        "h",
        (ChangedFile(path, "added", None, text),),
        MemoryTree({**base, path: text}),
        MemoryTree(base),
    )
    return review(changeset)


def _parsed(module: str, body: str, base: dict[str, str]) -> Migration:
    text = (
        f"class ChangeTables < ActiveRecord::Migration[7.1]\n  include {module}\n\n  disable_ddl_transaction!\n\n"
        f"  def up\n    {body}\n  end\nend\n"
    )
    return rails.parse("db/migrate/20240601120000_change_tables.rb", text, MemoryTree(base), "postgres")


@pytest.mark.parametrize(("module", "table", "column", "child", "parent"), GITLAB_STYLE)
def test_gitlab_style_concurrent_index_and_key(
    module: str, table: str, column: str, child: str, parent: str
) -> None:
    base = _base(table, column, child, parent, {"Gemfile": 'gem "rails"\n'})
    index = f"add_concurrent_index :{table}, :{column}"
    assert "concurrent-in-transaction" in _rules(_gitlab(module, index, base))
    assert "concurrent-in-transaction" not in _rules(_gitlab(module, index, base, transaction=False))
    key = f"add_concurrent_foreign_key :{child}, :{parent}s, column: :{parent}_id"
    added = _parsed(module, key, base).up
    assert [op.kind for op in added] == ["AddConstraint", "ValidateConstraint"]
    assert (
        isinstance(added[0], AddConstraint) and added[0].not_valid and added[0].on_delete.upper() == "CASCADE"
    )  # the helper's own default


@pytest.mark.parametrize(("module", "table", "column", "child", "parent"), GITLAB_STYLE)
def test_gitlab_style_column_with_default_sets_not_null_after_a_backfill(
    module: str, table: str, column: str, child: str, parent: str
) -> None:
    base = _base(table, column, child, parent, {"Gemfile": 'gem "rails"\n'})
    bad = _gitlab(
        module, f"add_column_with_default :{table}, :flag, :boolean, default: false", base, transaction=False
    )
    assert "set-not-null" in _rules(bad)  # NOT NULL after the backfill scans the table under its lock
    good = _gitlab(
        module,
        f"add_column_with_default :{table}, :flag, :boolean, default: false, allow_null: true",
        base,
        transaction=False,
    )
    assert "set-not-null" not in _rules(good)
    body = f"add_column_with_default :{table}, :flag, :boolean, default: false, allow_null: true"
    assert any(isinstance(op, DataUpdate) and op.batched for op in _parsed(module, body, base).up)


@pytest.mark.parametrize(("module", "table", "column", "child", "parent"), GITLAB_STYLE)
def test_gitlab_style_cleanup_of_a_rename_drops_the_old_column(
    module: str, table: str, column: str, child: str, parent: str
) -> None:
    model = f"app/models/{table.removesuffix('s')}.rb"
    cls = table.removesuffix("s").title()
    base = {
        **_base(table, column, child, parent, {"Gemfile": 'gem "rails"\n'}),
        model: f"class {cls} < ApplicationRecord\n  scope :hidden, -> {{ where({column}: true) }}\nend\n",
    }
    result = _gitlab(module, f"cleanup_concurrent_column_rename :{table}, :{column}, :{column}_at", base)
    assert any(f.rule == "column-dropped" and model in {r.path for r in f.references} for f in result.active)
    # without the helpers' module the call is code the review does not read as a drop
    plain = _review(f"cleanup_concurrent_column_rename :{table}, :{column}, :{column}_at", base, method="up")
    assert not any(f.rule == "column-dropped" for f in plain.active)


@pytest.mark.parametrize(("table", "column", "child", "parent"), NAMES)
def test_the_gem_makes_adding_a_column_and_an_index_safe_to_retry(
    table: str, column: str, child: str, parent: str
) -> None:
    body = (
        f"add_column :{table}, :note, :text\n    add_index :{table}, :note, algorithm: :concurrently\n"
        f'    add_check_constraint :{table}, "note <> \'\'", name: "{table}_note_present", validate: false\n'
        f'    remove_check_constraint :{table}, name: "{table}_note_present"'
    )
    plain = _base(table, column, child, parent, {"Gemfile": 'gem "rails"\n'})
    bad = _rules(_review(body, plain, transaction=False))
    assert {"invalid-index-retry", "non-robust-statement"} <= bad
    good = _rules(_review(body, _base(table, column, child, parent, {"Gemfile": GEMFILE}), transaction=False))
    assert not {"invalid-index-retry", "non-robust-statement"} & good
