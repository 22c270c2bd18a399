"""duplicate-migration-version: a new migration whose version another migration of the same runner's set
already has, for each runner that refuses the set (Rails, Flyway, golang-migrate, goose, Ecto)."""

from __future__ import annotations

import pytest

from .migration_set import findings

RULE = "duplicate-migration-version"


def _rails(version: str, name: str, table: str) -> tuple[str, str]:
    return (
        f"db/migrate/{version}_add_{name}.rb",
        f"class Add{name.title()} < ActiveRecord::Migration[7.1]\n  def change\n"
        f"    add_column :{table}, :{name}, :string\n  end\nend\n",
    )


def _ecto(version: str, name: str, table: str) -> tuple[str, str]:
    return (
        f"priv/repo/migrations/{version}_add_{name}.exs",
        f"defmodule App.Repo.Migrations.Add{name.title()} do\n  use Ecto.Migration\n\n  def change do\n"
        f"    alter table(:{table}) do\n      add :{name}, :string\n    end\n  end\nend\n",
    )


def _golang(version: str, name: str, table: str) -> tuple[str, str]:
    return f"db/migrations/{version}_add_{name}.up.sql", f"ALTER TABLE {table} ADD COLUMN {name} text;"


def _goose(version: str, name: str, table: str) -> tuple[str, str]:
    return (
        f"db/migrations/{version}_add_{name}.sql",
        f"-- +goose Up\nALTER TABLE {table} ADD COLUMN {name} text;",
    )


def _flyway(version: str, name: str, table: str) -> tuple[str, str]:
    return (
        f"src/main/resources/db/migration/V{version}__add_{name}.sql",
        f"ALTER TABLE {table} ADD {name} text;",
    )


RUNNERS = [
    (_rails, "20240301000000", "20240302000000", "DuplicateMigrationVersionError"),
    (_ecto, "20240301000000", "20240302000000", "is duplicated"),
    (_golang, "000007", "000008", "duplicate migration file"),
    (_goose, "00007", "00008", "duplicate version"),
    (_flyway, "7", "8", "Found more than one migration with version"),
]
NAMES = [("orders", "note", "total"), ("users", "email", "nickname")]


@pytest.mark.parametrize(("write", "version", "next_version", "error"), RUNNERS)
@pytest.mark.parametrize(("table", "mine", "theirs"), NAMES)
def test_a_version_the_base_branch_took_meanwhile(
    write: object, version: str, next_version: str, error: str, table: str, mine: str, theirs: str
) -> None:
    make = write  # type: ignore[assignment]
    base = dict([make(version, theirs, table)])  # type: ignore[operator]
    added = dict([make(version, mine, table)])  # type: ignore[operator]
    found = findings(base, added, branch_lacks=tuple(base), rule=RULE)
    assert len(found) == 1, found
    assert error in found[0].blast_radius and theirs in found[0].message
    assert findings(base, dict([make(next_version, mine, table)]), rule=RULE) == []  # type: ignore[operator]


@pytest.mark.parametrize(("table", "mine", "theirs"), NAMES)
def test_flyway_same_version_written_otherwise(table: str, mine: str, theirs: str) -> None:
    root = "src/main/resources/db/migration"
    base = {f"{root}/V2_1__add_{theirs}.sql": f"ALTER TABLE {table} ADD {theirs} text;"}
    for written in ("2.1", "2_1_0", "02_01"):
        added = {f"{root}/v2/V{written}__add_{mine}.sql": f"ALTER TABLE {table} ADD {mine} text;"}
        assert len(findings(base, added, rule=RULE)) == 1, written
    assert findings(base, {f"{root}/V2_10__add_{mine}.sql": "SELECT 1;"}, rule=RULE) == []


@pytest.mark.parametrize(("table", "mine", "theirs"), NAMES)
def test_goose_sql_and_go_migrations_share_versions(table: str, mine: str, theirs: str) -> None:
    base = {
        f"db/migrations/00003_add_{theirs}.go": (
            'package migrations\n\nimport "github.com/pressly/goose/v3"\n\n'
            "func init() { goose.AddMigrationContext(up, down) }\n"
        ),
    }
    added = {
        f"db/migrations/00003_add_{mine}.sql": f"-- +goose Up\nALTER TABLE {table} ADD COLUMN {mine} text;"
    }
    assert len(findings(base, added, rule=RULE)) == 1


@pytest.mark.parametrize(("table", "mine", "theirs"), NAMES)
def test_duplicate_already_on_the_base_branch_or_elsewhere(table: str, mine: str, theirs: str) -> None:
    base = {
        f"db/migrations/000007_add_{theirs}.up.sql": f"ALTER TABLE {table} ADD COLUMN {theirs} text;",
        f"db/migrations/000007_add_{theirs}_2.up.sql": f"ALTER TABLE {table} ADD COLUMN {theirs}_2 text;",
        f"other/migrations/000008_add_{theirs}.up.sql": f"ALTER TABLE {table} ADD COLUMN {theirs}_3 text;",
    }
    on_top = {f"db/migrations/000008_add_{mine}.up.sql": f"ALTER TABLE {table} ADD COLUMN {mine} text;"}
    assert findings(base, on_top, rule=RULE) == []
    # the down file of a version is its pair, not a duplicate
    pair = {
        f"db/migrations/000009_add_{mine}.up.sql": f"ALTER TABLE {table} ADD COLUMN {mine} text;",
        f"db/migrations/000009_add_{mine}.down.sql": f"ALTER TABLE {table} DROP COLUMN {mine};",
    }
    assert findings(base, pair, rule=RULE) == []


@pytest.mark.parametrize(("table", "mine", "theirs"), NAMES)
def test_one_migrations_files_for_several_databases_share_its_version(
    table: str, mine: str, theirs: str
) -> None:
    """pop/fizz: `1_x.up.sql`, `1_x.mysql.up.sql`, `1_x.sqlite3.autocommit.up.sql` are one migration; the runner
    reads the file for its database. Another migration's file of the same version is still a duplicate."""
    folder = "persistence/sql/migrations"
    base = {f"{folder}/20240101000000000000_create_{table}.up.sql": f"CREATE TABLE {table} (id int);"}
    stem = f"{folder}/20240201000000000000_add_{mine}"
    variants = {
        f"{stem}.up.sql": f"ALTER TABLE {table} ADD COLUMN {mine} text;",
        f"{stem}.mysql.up.sql": f"ALTER TABLE {table} ADD COLUMN {mine} varchar(64);",
        f"{stem}.sqlite3.autocommit.up.sql": f"ALTER TABLE {table} ADD COLUMN {mine} TEXT;",
        f"{stem}.cockroach.up.sql": f"ALTER TABLE {table} ADD COLUMN {mine} STRING;",
    }
    assert findings(base, variants, rule=RULE) == []
    other = {
        f"{folder}/20240201000000000000_add_{theirs}.mysql.up.sql": f"ALTER TABLE {table} ADD {theirs} int;"
    }
    found = findings(base, variants | other, rule=RULE)
    assert found and all(theirs in f.message or f.path.endswith(f"add_{theirs}.mysql.up.sql") for f in found)


CLICKHOUSE = [
    # (folder, version, next version, file for a version, error): goose and golang-migrate files for ClickHouse
    ("clickhouse/schema", "040", "041", "{v}_{name}.sql", "duplicate version"),
    (
        "packages/shared/clickhouse/migrations",
        "0044",
        "0045",
        "{v}_{name}.up.sql",
        "duplicate migration file",
    ),
]


@pytest.mark.parametrize(("folder", "version", "next_version", "name", "error"), CLICKHOUSE)
@pytest.mark.parametrize(("table", "mine", "theirs"), NAMES)
def test_a_migration_for_a_database_the_review_does_not_read_still_takes_a_version(
    folder: str, version: str, next_version: str, name: str, error: str, table: str, mine: str, theirs: str
) -> None:
    """ClickHouse's migrations beside PostgreSQL's: their SQL is not read, but their runner refuses two files
    of one version before it runs any, whatever the database."""

    def write(v: str, column: str) -> tuple[str, str]:
        body = f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} String DEFAULT '';"
        text = f"-- +goose Up\n{body}\n" if name.endswith(".sql") and ".up." not in name else body
        return f"{folder}/{name.format(v=v, name=f'add_{column}')}", text

    base = dict([write(version, theirs), ("db/migrations/001_init.sql", f"CREATE TABLE {table} (id int);")])
    found = findings(base, dict([write(version, mine)]), rule=RULE)
    assert len(found) == 1 and error in found[0].blast_radius and theirs in found[0].message
    assert found[0].severity.name == "CRITICAL"
    assert findings(base, dict([write(next_version, mine)]), rule=RULE) == []
