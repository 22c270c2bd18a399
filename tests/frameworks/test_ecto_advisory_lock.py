"""Ecto takes its migration lock without a transaction when the repo says `migration_lock: :pg_advisory_lock`
(ecto_sql 3.9+) or `migration_lock: false`: then `@disable_ddl_transaction true` alone runs the migration
outside any transaction, and a concurrent index build there is fine (firezone's config)."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review

NAMES = [
    ("elixir/priv/repo/migrations", "elixir/config/config.exs", "Portal.Repo", "devices", "account_id"),
    ("priv/repo/migrations", "config/runtime.exs", "Shop.Repo", "orders", "status"),
]
SCHEMA = "CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n"


def _config(repo: str, lock: str) -> str:
    return (
        f"import Config\n\nconfig :app, {repo},\n  adapter: Ecto.Adapters.Postgres,\n{lock}  pool_size: 10\n"
    )


def _index(table: str, column: str) -> str:
    return (
        "defmodule App.Repo.Migrations.AddIndex do\n  use Ecto.Migration\n\n  @disable_ddl_transaction true\n\n"
        f"  def change do\n    create index(:{table}, [:{column}], concurrently: true)\n  end\nend\n"
    )


def _rules(folder: str, config_path: str, repo: str, table: str, column: str, lock: str) -> set[str]:
    path = f"{folder}/20260101000000_add_index.exs"
    base = {config_path: _config(repo, lock), "db/structure.sql": SCHEMA.format(table=table, column=column)}
    text = _index(table, column)
    changeset = ChangeSet(
        "b",
        "h",
        (ChangedFile(path, "added", None, text),),
        MemoryTree({**base, path: text}),
        MemoryTree(base),
    )
    return {f.rule for f in review(changeset).active}


@pytest.mark.parametrize(("folder", "config_path", "repo", "table", "column"), NAMES)
@pytest.mark.parametrize("lock", ["  migration_lock: :pg_advisory_lock,\n", "  migration_lock: false,\n"])
def test_a_lock_without_a_transaction_lets_a_concurrent_build_run(
    folder: str, config_path: str, repo: str, table: str, column: str, lock: str
) -> None:
    assert "concurrent-in-transaction" not in _rules(folder, config_path, repo, table, column, lock)


@pytest.mark.parametrize(("folder", "config_path", "repo", "table", "column"), NAMES)
@pytest.mark.parametrize(
    "lock", ["", "  migration_lock: :table_lock,\n", "  # migration_lock: :pg_advisory_lock,\n"]
)
def test_the_default_table_lock_holds_a_transaction_around_the_build(
    folder: str, config_path: str, repo: str, table: str, column: str, lock: str
) -> None:
    assert "concurrent-in-transaction" in _rules(folder, config_path, repo, table, column, lock)
