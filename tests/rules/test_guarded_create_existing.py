"""`CREATE … IF NOT EXISTS` of an object the schema already has does nothing: PostgreSQL stops at the name. An
index of that name is not built (though the statement still waits for its SHARE lock, shown on the real server
below), and a table's foreign keys lock nothing. Rails' `create_table … if_not_exists: true` creates the block's
indexes `IF NOT EXISTS` and its foreign keys inside the CREATE TABLE: alaveteli's copy of Active Storage's
`create_active_storage_variant_records` (8a2806af), on a table an earlier migration made, was blocked twice."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql, rule_ids

NAMES = [
    ("active_storage_blobs", "active_storage_variant_records", "blob_id", "variation_digest"),
    ("accounts", "account_aliases", "account_id", "alias"),
]


def _rails_base(parent: str, child: str, key: str, column: str, index: str) -> dict[str, str]:
    create = (
        "class CreateAll < ActiveRecord::Migration[6.0]\n  def change\n"
        f"    create_table :{parent} do |t|\n      t.string :key\n    end\n"
        f"    create_table :{child} do |t|\n      t.bigint :{key}, null: false\n      t.string :{column}\n"
        f'      t.index %i[{key} {column}], name: "{index}", unique: true\n'
        f"      t.foreign_key :{parent}, column: :{key}\n    end\n  end\nend\n"
    )
    return {"db/migrate/20200101000000_create_all.rb": create, "Gemfile": "gem 'pg'\n"}


def _rails_guarded(parent: str, child: str, key: str, column: str, index: str) -> str:
    return (
        "class CreateAgain < ActiveRecord::Migration[6.0]\n  def change\n"
        f"    create_table :{child}, if_not_exists: true do |t|\n"
        f"      t.belongs_to :{key.removesuffix('_id')}, null: false, index: false\n      t.string :{column}\n"
        f'      t.index %i[{key} {column}], name: "{index}", unique: true\n'
        f"      t.foreign_key :{parent}, column: :{key}\n    end\n  end\nend\n"
    )


@pytest.mark.parametrize(("parent", "child", "key", "column"), NAMES)
def test_a_rails_create_table_if_not_exists_of_an_existing_table_builds_and_locks_nothing(
    parent: str, child: str, key: str, column: str
) -> None:
    index = f"index_{child}_uniqueness"
    base = _rails_base(parent, child, key, column, index)
    path = "db/migrate/20250101000000_create_again.rb"
    result = review_sql(_rails_guarded(parent, child, key, column, index), path=path, base=base)
    assert result.approval == "APPROVED", [(f.rule, f.message) for f in result.active]
    found = rule_ids(result)
    assert not found & {"non-concurrent-index", "constraint-not-valid", "statements-after-exclusive-lock"}
    assert not any(parent in f.message for f in result.active if f.rule == "missing-lock-timeout")
    # the twin: the table is there but the index is not, so Rails builds it on the existing table
    other = review_sql(_rails_guarded(parent, child, key, column, f"{index}_v2"), path=path, base=base)
    assert "non-concurrent-index" in rule_ids(other)
    assert other.approval == "BLOCKED"


@pytest.mark.parametrize(("parent", "child", "key", "column"), NAMES)
def test_create_index_if_not_exists_of_an_existing_index_builds_nothing(
    parent: str, child: str, key: str, column: str
) -> None:
    schema = (
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {key} bigint, {column} text);\n"
        f"CREATE UNIQUE INDEX {child}_uniq ON {child} ({key}, {column});\n-- migration\n"
    )
    same = review_sql(
        schema + f"CREATE UNIQUE INDEX IF NOT EXISTS {child}_uniq ON {child} ({key}, {column});"
    )
    assert "non-concurrent-index" not in rule_ids(same)
    assert "missing-lock-timeout" in rule_ids(same)  # it still waits for the table's SHARE lock
    built = review_sql(
        schema + f"CREATE UNIQUE INDEX IF NOT EXISTS {child}_uniq2 ON {child} ({key}, {column});"
    )
    assert "non-concurrent-index" in rule_ids(built)


def test_create_index_if_not_exists_of_an_existing_index_still_waits_for_the_lock(pg) -> None:  # type: ignore[no-untyped-def]
    import psycopg

    pg.execute("CREATE TABLE guarded_idx_t (a int)")
    pg.execute("CREATE INDEX guarded_idx_i ON guarded_idx_t (a)")
    schema = pg.execute("SHOW search_path").fetchone()[0]
    pg.execute("BEGIN")
    pg.execute("INSERT INTO guarded_idx_t VALUES (1)")  # a writer holds ROW EXCLUSIVE until it commits
    try:
        with psycopg.connect(pg.info.dsn, autocommit=True) as other:
            other.execute(f"SET search_path TO {schema}")
            other.execute("SET lock_timeout = '200ms'")
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute("CREATE INDEX IF NOT EXISTS guarded_idx_i ON guarded_idx_t (a)")
    finally:
        pg.execute("ROLLBACK")
