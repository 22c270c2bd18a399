"""Rails 5.0 made `timestamps` and `add_timestamps` `null: false`; a migration of Rails 4 (`ActiveRecord::
Migration[4.2]`, or the unversioned `ActiveRecord::Migration` Rails 5.0 runs as 4.2) adds them nullable unless it
says otherwise. alaveteli 82b45020 added timestamps to nine existing tables with unversioned migrations and was
blocked eighteen times for NOT NULL columns without a default, which those migrations never add."""

from __future__ import annotations

import pytest

from bot.frameworks import rails
from bot.model.changeset import MemoryTree
from bot.model.migration import CreateTable
from tests.conftest import review_sql, rule_ids

NAMES = [("foi_attachments", "FoiAttachments"), ("holidays", "Holidays")]


def _migration(superclass: str, name: str, table: str, options: str = "") -> str:
    return f"class AddTimestampsTo{name} < {superclass}\n  def change\n    add_timestamps(:{table}{options})\n  end\nend\n"


@pytest.mark.parametrize(("table", "name"), NAMES)
@pytest.mark.parametrize("superclass", ["ActiveRecord::Migration", "ActiveRecord::Migration[4.2]"])
def test_rails_4_timestamps_are_nullable(table: str, name: str, superclass: str) -> None:
    base = {"db/structure.sql": f"CREATE TABLE {table} (id integer PRIMARY KEY, body text);\n"}
    path = f"db/migrate/20180418154555_add_timestamps_to_{table}.rb"
    old = review_sql(_migration(superclass, name, table), path=path, base=base)
    assert "not-null-without-default" not in rule_ids(old)
    # the twins: the migration asks for NOT NULL itself, or is a Rails 5 one
    strict = review_sql(_migration(superclass, name, table, ", null: false"), path=path, base=base)
    assert "not-null-without-default" in rule_ids(strict)
    rails5 = review_sql(_migration("ActiveRecord::Migration[5.0]", name, table), path=path, base=base)
    assert "not-null-without-default" in rule_ids(rails5)


@pytest.mark.parametrize(("table", "name"), NAMES)
def test_rails_4_create_table_timestamps_are_nullable(table: str, name: str) -> None:
    path = f"db/migrate/20180418154555_create_{table}.rb"
    for superclass, nullable in (
        ("ActiveRecord::Migration[4.2]", True),
        ("ActiveRecord::Migration[5.2]", False),
    ):
        text = (
            f"class Create{name} < {superclass}\n  def change\n    create_table :{table} do |t|\n"
            "      t.text :body\n      t.timestamps\n    end\n  end\nend\n"
        )
        (create,) = rails.parse(path, text, MemoryTree({}), "postgres").up
        assert isinstance(create, CreateTable)
        stamps = {c.name: c.nullable for c in create.columns if c.name.endswith("_at")}
        assert stamps == {"created_at": nullable, "updated_at": nullable}, superclass
