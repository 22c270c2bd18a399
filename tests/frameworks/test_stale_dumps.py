"""A schema dump that records the newest migration it holds (Rails' and Ecto's structure.sql, Rails' schema.rb),
with migrations newer than that beside it: those are replayed on top of the dump. hexpm's structure.sql stopped
two months before a migration dropped `package_reports`; creating it again was "already exists", critical."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review
from tests.conftest import rule_ids

RAILS = (
    "db/schema.rb",
    'ActiveRecord::Schema[7.1].define(version: {version}) do\n  create_table "{table}", force: :cascade do |t|\n'
    '    t.text "reason"\n  end\nend\n',
    "db/migrate/{version}_{name}.rb",
    "class {klass} < ActiveRecord::Migration[7.1]\n  def change\n    {body}\n  end\nend\n",
    "drop_table :{table}",
    "create_table :{table} do |t|\n      t.text :reason\n    end",
)
ECTO = (
    "priv/repo/structure.sql",
    "CREATE TABLE public.{table} (id bigint NOT NULL, reason text);\n"
    'INSERT INTO public."schema_migrations" (version) VALUES (20200101000000);\n'
    'INSERT INTO public."schema_migrations" (version) VALUES ({version});\n',
    "priv/repo/migrations/{version}_{name}.exs",
    "defmodule App.Repo.Migrations.{klass} do\n  use Ecto.Migration\n\n  def change do\n    {body}\n  end\nend\n",
    "drop table(:{table})",
    "create table(:{table}) do\n      add :reason, :text\n    end",
)


def _review(kind: tuple[str, ...], table: str, dumped: int, drop: int | None) -> list[str]:
    dump_path, dump, path, module, dropping, creating = kind
    base = {dump_path: dump.format(version=dumped, table=table)}
    if drop is not None:
        base[path.format(version=drop, name=f"drop_{table}")] = module.format(
            klass="DropIt", body=dropping.format(table=table)
        )
    new = path.format(version=20240301000000, name=f"create_{table}")
    text = module.format(klass="CreateIt", body=creating.format(table=table))
    changeset = ChangeSet(
        base="b",
        head="h",
        files=(ChangedFile(new, "added", None, text),),
        head_tree=MemoryTree({**base, new: text}),
        base_tree=MemoryTree(base),
    )
    return rule_ids(review(changeset, dialect="postgres"))


@pytest.mark.parametrize("kind", [RAILS, ECTO], ids=["rails", "ecto"])
@pytest.mark.parametrize("table", ["package_reports", "audit_events"])
def test_a_migration_newer_than_the_dump_is_replayed_on_top_of_it(kind: tuple[str, ...], table: str) -> None:
    assert "object-already-exists" not in _review(kind, table, dumped=20240101000000, drop=20240201000000)


@pytest.mark.parametrize("kind", [RAILS, ECTO], ids=["rails", "ecto"])
@pytest.mark.parametrize("table", ["package_reports", "audit_events"])
def test_a_migration_the_dump_holds_already_is_not_replayed_again(kind: tuple[str, ...], table: str) -> None:
    """The drop is older than the dump, which holds the table (created again since): it exists."""
    assert "object-already-exists" in _review(kind, table, dumped=20240201000000, drop=20240115000000)
    assert "object-already-exists" in _review(kind, table, dumped=20240201000000, drop=None)
