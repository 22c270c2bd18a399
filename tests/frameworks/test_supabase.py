"""The Supabase CLI: `supabase/config.toml` names PostgreSQL and its major version, and the CLI applies each
`supabase/migrations/<timestamp>_<name>.sql` in a transaction of its own (a file of one CREATE INDEX CONCURRENTLY
is the CLI's documented way to build an index concurrently)."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review
from bot.review import review
from tests.conftest import rule_ids

CONFIG = 'project_id = "app"\n\n[api]\nport = 54321\n\n[db]\nport = 54322\nmajor_version = {version}\n'
NAMES = [("profiles", "username"), ("workspaces", "image_path")]


def _review(table: str, column: str, sql: str, *, config: bool = True, version: int = 15) -> Review:
    base = {
        "supabase/migrations/20240101000000_init.sql": f"CREATE TABLE {table} (id uuid PRIMARY KEY, {column} text);\n"
    }
    if config:
        base["supabase/config.toml"] = CONFIG.format(version=version)
    path = "supabase/migrations/20240301000000_change.sql"
    return review(
        ChangeSet(
            base="b",
            head="h",
            files=(ChangedFile(path, "added", None, sql),),
            head_tree=MemoryTree({**base, path: sql}),
            base_tree=MemoryTree(base),
        )
    )


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize("version", [14, 15])
def test_the_config_names_postgresql_and_its_version(table: str, column: str, version: int) -> None:
    result = _review(table, column, f"ALTER TABLE {table} ADD COLUMN note text;", version=version)
    [use] = result.databases
    assert use.database.label == f"PostgreSQL {version}"
    assert use.database.source == "supabase/config.toml"


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_each_file_runs_in_a_transaction_of_its_own(table: str, column: str) -> None:
    index = f"CREATE INDEX CONCURRENTLY {table}_{column}_idx ON {table} ({column});"
    mixed = f"ALTER TABLE {table} ADD COLUMN note text;\n{index}"
    assert "concurrent-in-transaction" in rule_ids(_review(table, column, mixed))
    assert "concurrent-in-transaction" not in rule_ids(_review(table, column, mixed, config=False))
    assert "concurrent-in-transaction" not in rule_ids(_review(table, column, index))  # alone in its file


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize("name", ["remote_schema", "add_index"])
def test_a_schema_pulled_from_the_linked_database_is_reviewed_as_new_installs_run_it(
    table: str, column: str, name: str
) -> None:
    """`supabase db pull` writes what was changed in the linked database (its dashboard) as `<ts>_remote_schema.sql`
    and records it as applied there: its index was built there already; only new databases build it."""
    base = {
        "supabase/config.toml": CONFIG.format(version=15),
        "supabase/migrations/20240101000000_init.sql": f"CREATE TABLE {table} (id uuid PRIMARY KEY, {column} text);\n",
    }
    path = f"supabase/migrations/20240703160414_{name}.sql"
    sql = f"CREATE INDEX {table}_{column}_idx ON public.{table} USING btree ({column});\n"
    result = review(
        ChangeSet(
            base="b",
            head="h",
            files=(ChangedFile(path, "added", None, sql),),
            head_tree=MemoryTree({**base, path: sql}),
            base_tree=MemoryTree(base),
        )
    )
    pulled = name == "remote_schema"
    assert ("non-concurrent-index" in rule_ids(result)) is not pulled
    assert any("supabase db pull" in note for note in result.notes) is pulled


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize("folder", ["supabase/migrations", "db/migrations"])
def test_the_supabase_cli_goes_back_with_a_forward_fix(table: str, column: str, folder: str) -> None:
    """The CLI has no down migrations: a drop without one is how it works (the plan gives the forward fix); a
    runner with down files, unknown here, still needs one."""
    base = {
        "supabase/config.toml": CONFIG.format(version=15),
        f"{folder}/20240101000000_init.sql": f"CREATE TABLE {table} (id uuid PRIMARY KEY, {column} text);\n",
    }
    path = f"{folder}/20240105210253_update.sql"
    sql = f'alter table "public"."{table}" drop column "{column}";\n'
    result = review(
        ChangeSet(
            base="b",
            head="h",
            files=(ChangedFile(path, "added", None, sql),),
            head_tree=MemoryTree({**base, path: sql}),
            base_tree=MemoryTree(base),
        )
    )
    supabase = folder.startswith("supabase")
    assert ("missing-down-migration" in rule_ids(result)) is not supabase
    steps = " ".join(str(step) for step in result.rollback_plan)
    assert ("supabase migration new" in steps) is supabase
