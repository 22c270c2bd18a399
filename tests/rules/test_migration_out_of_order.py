"""migration-out-of-order: a new migration numbered below the base branch's newest, for the runners that go by
the newest version applied (golang-migrate skips it, goose and Flyway refuse), and not for the others."""

from __future__ import annotations

import pytest

from .migration_set import findings

RULE = "migration-out-of-order"

NAMES = [
    ("orders", "note", "total"),
    ("users", "email", "last_seen"),
]


@pytest.mark.parametrize(("table", "mine", "theirs"), NAMES)
@pytest.mark.parametrize("lacks", [True, False], ids=["branch-behind", "branch-merged-main"])
def test_golang_migrate_lower_version_is_skipped(table: str, mine: str, theirs: str, lacks: bool) -> None:
    base = {
        f"db/migrations/000001_create_{table}.up.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY);",
        f"db/migrations/000001_create_{table}.down.sql": f"DROP TABLE {table};",
        f"db/migrations/000003_add_{theirs}.up.sql": f"ALTER TABLE {table} ADD COLUMN {theirs} text;",
    }
    added = {
        f"db/migrations/000002_add_{mine}.up.sql": f"ALTER TABLE {table} ADD COLUMN {mine} text;",
        f"db/migrations/000002_add_{mine}.down.sql": f"ALTER TABLE {table} DROP COLUMN {mine};",
    }
    lacking = (f"db/migrations/000003_add_{theirs}.up.sql",) if lacks else ()
    found = findings(base, added, branch_lacks=lacking, rule=RULE)
    assert len(found) == 1
    assert found[0].severity == "critical"
    assert f"000003_add_{theirs}" in found[0].message and "never run" in found[0].blast_radius
    assert "after 000003" in found[0].fix and "`000004_…`" in found[0].fix


@pytest.mark.parametrize(("table", "mine", "theirs"), NAMES)
def test_golang_migrate_timestamps_written_before_a_landed_one(table: str, mine: str, theirs: str) -> None:
    base = {
        f"migrations/20240101000000_create_{table}.up.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY);",
        f"migrations/20240305120000_add_{theirs}.up.sql": f"ALTER TABLE {table} ADD COLUMN {theirs} text;",
    }
    late = {f"migrations/20240301090000_add_{mine}.up.sql": f"ALTER TABLE {table} ADD COLUMN {mine} text;"}
    on_top = {f"migrations/20240306090000_add_{mine}.up.sql": f"ALTER TABLE {table} ADD COLUMN {mine} text;"}
    found = findings(base, late, branch_lacks=(f"migrations/20240305120000_add_{theirs}.up.sql",), rule=RULE)
    assert len(found) == 1 and "a new timestamp" in found[0].fix
    assert findings(base, on_top, rule=RULE) == []


@pytest.mark.parametrize(("table", "mine", "theirs"), NAMES)
def test_a_migration_on_top_or_in_another_folder_is_fine(table: str, mine: str, theirs: str) -> None:
    base = {
        f"db/migrations/000001_create_{table}.up.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY);",
        f"db/migrations/000005_add_{theirs}.up.sql": f"ALTER TABLE {table} ADD COLUMN {theirs} text;",
        f"tools/migrations/000001_create_{table}_audit.up.sql": f"CREATE TABLE {table}_audit (id int);",
    }
    on_top = {f"db/migrations/000006_add_{mine}.up.sql": f"ALTER TABLE {table} ADD COLUMN {mine} text;"}
    other_folder = {
        f"tools/migrations/000002_add_{mine}.up.sql": f"ALTER TABLE {table}_audit ADD COLUMN {mine} text;"
    }
    assert findings(base, on_top, rule=RULE) == []
    assert findings(base, other_folder, rule=RULE) == []


@pytest.mark.parametrize(("table", "mine", "theirs"), NAMES)
def test_goose_refuses_a_missing_migration_unless_allowed(table: str, mine: str, theirs: str) -> None:
    up = "-- +goose Up\n"
    base = {
        f"db/migrations/00001_create_{table}.sql": f"{up}CREATE TABLE {table} (id bigint PRIMARY KEY);",
        f"db/migrations/00003_add_{theirs}.sql": f"{up}ALTER TABLE {table} ADD COLUMN {theirs} text;",
    }
    added = {f"db/migrations/00002_add_{mine}.sql": f"{up}ALTER TABLE {table} ADD COLUMN {mine} text;"}
    found = findings(base, added, rule=RULE)
    assert len(found) == 1 and "allow-missing" in found[0].blast_radius
    allowed = {**base, "Makefile": "migrate:\n\tgoose -dir db/migrations -allow-missing postgres $(DB) up\n"}
    assert findings(allowed, added, rule=RULE) == []
    in_code = {**base, "cmd/migrate/migrate.go": "goose.Up(db, dir, goose.WithAllowMissing())\n"}
    assert findings(in_code, added, rule=RULE) == []


@pytest.mark.parametrize(("table", "mine", "theirs"), NAMES)
def test_flyway_fails_validation_unless_out_of_order(table: str, mine: str, theirs: str) -> None:
    root = "src/main/resources/db/migration"
    base = {
        f"{root}/V1__create_{table}.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY);",
        f"{root}/v2/V2_1__add_{theirs}.sql": f"ALTER TABLE {table} ADD COLUMN {theirs} text;",
        f"{root}/v2/V2_10__add_{theirs}_index.sql": f"CREATE INDEX ON {table} ({theirs});",
    }
    late = {f"{root}/v2/V2_9__add_{mine}.sql": f"ALTER TABLE {table} ADD COLUMN {mine} text;"}
    on_top = {f"{root}/v2/V2_11__add_{mine}.sql": f"ALTER TABLE {table} ADD COLUMN {mine} text;"}
    found = findings(base, late, rule=RULE)
    assert len(found) == 1 and "outOfOrder" in found[0].blast_radius and "2_10" in found[0].message
    assert findings(base, on_top, rule=RULE) == []
    for setting in (
        ("flyway.conf", "flyway.outOfOrder=true\n"),
        ("src/main/resources/application.yml", "spring:\n  flyway:\n    out-of-order: true\n"),
        ("src/main/resources/application.properties", "spring.flyway.out-of-order=true\n"),
        ("docker-compose.yml", "services:\n  flyway:\n    environment:\n      FLYWAY_OUT_OF_ORDER: 'true'\n"),
    ):
        assert findings({**base, setting[0]: setting[1]}, late, rule=RULE) == [], setting
    turned_off = {**base, "flyway.conf": "flyway.outOfOrder=false\n"}
    assert len(findings(turned_off, late, rule=RULE)) == 1


@pytest.mark.parametrize(("table", "mine", "theirs"), NAMES)
def test_flyway_folders_of_other_databases_are_other_locations(table: str, mine: str, theirs: str) -> None:
    root = "src/main/resources/db/migration"
    base = {
        f"{root}/postgres/V1__create_{table}.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY);",
        f"{root}/postgres/V7__add_{theirs}.sql": f"ALTER TABLE {table} ADD COLUMN {theirs} text;",
        f"{root}/h2/V1__create_{table}.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY);",
    }
    added = {f"{root}/h2/V2__add_{mine}.sql": f"ALTER TABLE {table} ADD COLUMN {mine} varchar(20);"}
    assert findings(base, added, rule=RULE) == []


@pytest.mark.parametrize(("table", "mine", "theirs"), NAMES)
def test_runners_that_run_every_pending_migration_are_not_flagged(table: str, mine: str, theirs: str) -> None:
    rails = {
        f"db/migrate/20240101000000_create_{table}.rb": (
            f"class Create{table.title()} < ActiveRecord::Migration[7.1]\n  def change\n"
            f"    create_table :{table}\n  end\nend\n"
        ),
        f"db/migrate/20240305000000_add_{theirs}.rb": (
            f"class Add{theirs.title().replace('_', '')} < ActiveRecord::Migration[7.1]\n  def change\n"
            f"    add_column :{table}, :{theirs}, :string\n  end\nend\n"
        ),
    }
    late = {
        f"db/migrate/20240301000000_add_{mine}.rb": (
            f"class Add{mine.title()} < ActiveRecord::Migration[7.1]\n  def change\n"
            f"    add_column :{table}, :{mine}, :string\n  end\nend\n"
        )
    }
    dbmate = {
        f"db/migrations/20240101000000_create_{table}.sql": f"-- migrate:up\nCREATE TABLE {table} (id int);\n",
        f"db/migrations/20240305000000_add_{theirs}.sql": f"-- migrate:up\nALTER TABLE {table} ADD {theirs} text;\n",
    }
    dbmate_late = {
        f"db/migrations/20240301000000_add_{mine}.sql": f"-- migrate:up\nALTER TABLE {table} ADD {mine} text;\n"
    }
    assert findings(rails, late, rule=RULE) == []
    assert findings(dbmate, dbmate_late, rule=RULE) == []


@pytest.mark.parametrize(("table", "mine", "theirs"), NAMES)
@pytest.mark.parametrize(
    ("requires", "flagged"),
    [
        ("github.com/ory/pop/v6 v6.4.2", False),
        ("github.com/gobuffalo/pop/v6 v6.1.1", False),
        ("github.com/golang-migrate/migrate/v4 v4.17.0", True),
        ("github.com/gobuffalo/pop/v6 v6.1.1\n\tgithub.com/golang-migrate/migrate/v4 v4.17.0", True),
    ],
    ids=["ory-pop", "buffalo-pop", "golang-migrate", "both"],
)
def test_pop_runs_every_pending_version_whatever_its_number(
    table: str, mine: str, theirs: str, requires: str, flagged: bool
) -> None:
    """pop/fizz's files fit golang-migrate's names, but pop records each version it ran: a lower version that
    landed later runs. A go.mod requiring pop (and not golang-migrate) says pop runs them."""
    folder = "persistence/sql/migrations"
    base = {
        "go.mod": f"module example.com/app\n\ngo 1.22\n\nrequire (\n\t{requires}\n)\n",
        f"{folder}/20240101000000_{table}.up.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY);",
        f"{folder}/20240301000000_{theirs}.up.sql": f"ALTER TABLE {table} ADD COLUMN {theirs} text;",
    }
    added = {
        f"{folder}/20240201000000_{mine}.up.sql": f"ALTER TABLE {table} ADD COLUMN {mine} text;",
        f"{folder}/20240201000000_{mine}.down.sql": f"ALTER TABLE {table} DROP COLUMN {mine};",
    }
    assert bool(findings(base, added, rule=RULE)) is flagged
