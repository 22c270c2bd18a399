"""Statements a Rails migration runs only where the schema has, or lacks, a table or a column (`unless
column_exists?(…)`, `return if column_exists?(…)`, `if table_exists?(…)`): where the schema before the change
answers that they do not run, they are no change to review. alaveteli 8a2806af copied Active Storage's
`add_service_name_to_active_storage_blobs` (fill and constrain `service_name` `unless column_exists?`) onto a
blobs table made with the column, and was blocked on an UPDATE and a SET NOT NULL that never run."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql, rule_ids

NAMES = [("active_storage_blobs", "service_name", "ActiveStorage::Blob"), ("invoices", "currency", "Invoice")]
PATH = "db/migrate/20250101000000_guarded.rb"


def _base(table: str, column: str, has: bool) -> dict[str, str]:
    extra = f"      t.string :{column}, null: false\n" if has else ""
    create = (
        f"class CreateAll < ActiveRecord::Migration[6.0]\n  def change\n    create_table :{table} do |t|\n"
        f"      t.string :key, null: false\n{extra}    end\n  end\nend\n"
    )
    return {"db/migrate/20200101000000_create_all.rb": create, "Gemfile": "gem 'pg'\n"}


def _fill(table: str, column: str, model: str) -> str:
    return (
        f"      add_column :{table}, :{column}, :string\n"
        f"      {model}.unscoped.update_all({column}: 'local')\n"
        f"      change_column :{table}, :{column}, :string, null: false\n"
    )


@pytest.mark.parametrize(("table", "column", "model"), NAMES)
@pytest.mark.parametrize("form", ["unless-block", "early-return"])
def test_a_block_that_runs_only_where_the_column_is_missing(
    table: str, column: str, model: str, form: str
) -> None:
    if form == "unless-block":
        body = (
            f"    return unless table_exists?(:{table})\n\n    unless column_exists?(:{table}, :{column})\n"
            f"{_fill(table, column, model)}    end\n"
        )
    else:
        body = f"    return if column_exists?(:{table}, :{column})\n\n{_fill(table, column, model)}"
    migration = (
        f"class AddIt < ActiveRecord::Migration[6.0]\n  def up\n{body}  end\n\n"
        f"  def down\n    remove_column :{table}, :{column}\n  end\nend\n"
    )
    # the schema has the column: the block never runs
    skipped = review_sql(migration, path=PATH, base=_base(table, column, has=True))
    assert not rule_ids(skipped) & {"set-not-null", "unbatched-data-change"}, rule_ids(skipped)
    assert skipped.approval == "APPROVED", [(f.rule, f.message) for f in skipped.active]
    # the twin: the schema lacks it, and the block fills and constrains every row
    runs = review_sql(migration, path=PATH, base=_base(table, column, has=False))
    assert {"set-not-null", "unbatched-data-change"} <= rule_ids(runs)
    assert runs.approval == "BLOCKED"


@pytest.mark.parametrize(("table", "column", "model"), NAMES)
def test_a_drop_that_runs_only_where_the_column_is_there(table: str, column: str, model: str) -> None:
    code = {f"app/jobs/{table}_export.rb": f"{model}.find_each {{ |row| puts row.{column} }}\n"}
    migration = (
        f"class DropIt < ActiveRecord::Migration[6.0]\n  def change\n"
        f"    remove_column :{table}, :{column}, :string if column_exists?(:{table}, :{column})\n  end\nend\n"
    )
    gone = review_sql(migration, path=PATH, base={**_base(table, column, has=False), **code})
    assert "column-dropped" not in rule_ids(gone)
    there = review_sql(migration, path=PATH, base={**_base(table, column, has=True), **code})
    assert "column-dropped" in rule_ids(there)
