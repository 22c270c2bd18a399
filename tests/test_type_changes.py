"""The type-change table: which changes PostgreSQL and MySQL make in place, and which rewrite, rebuild or lose data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import review_sql

CLI = str(Path(sys.executable).parent / "migration-review")
PG_TABLE = (
    "CREATE TABLE parcels (id bigint PRIMARY KEY, label varchar(30), memo text, weight numeric(8, 3), "
    "shipped_at timestamp(6), span interval, subnet cidr, sku text, zone text);\n"
    "CREATE INDEX parcels_sku_idx ON parcels (sku);\n"
)
MY_TABLE = (
    "CREATE TABLE parcels (id bigint PRIMARY KEY, label varchar(60), code varchar(40), note varchar(64));\n"
)


def lint(tmp_path: Path, base: str, change: str, *args: str) -> list[dict[str, Any]]:
    folder = tmp_path / "migrations"
    folder.mkdir(exist_ok=True)
    (folder / "0001_base.sql").write_text(base)
    (folder / "0002_change.sql").write_text(change)
    done = subprocess.run(
        [
            CLI,
            "lint",
            "--format",
            "json",
            "--exit-zero",
            *args,
            str(folder / "0001_base.sql"),
            str(folder / "0002_change.sql"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return [f for f in json.loads(done.stdout)["findings"] if f["path"].endswith("0002_change.sql")]


def rules(findings: list[dict[str, Any]]) -> set[str]:
    return {f["rule"] for f in findings}


@pytest.mark.parametrize(
    "change",
    [
        "ALTER TABLE parcels ALTER COLUMN label TYPE text;",
        "ALTER TABLE parcels ALTER COLUMN label TYPE varchar(80);",
        "ALTER TABLE parcels ALTER COLUMN label TYPE varchar;",
        "ALTER TABLE parcels ALTER COLUMN memo TYPE varchar;",
        "ALTER TABLE parcels ALTER COLUMN weight TYPE numeric(12, 3);",
        "ALTER TABLE parcels ALTER COLUMN weight TYPE numeric;",
        "ALTER TABLE parcels ALTER COLUMN subnet TYPE inet;",
        "ALTER TABLE parcels ALTER COLUMN zone TYPE citext;",
        "SET TIME ZONE 'UTC';\nALTER TABLE parcels ALTER COLUMN shipped_at TYPE timestamptz;",
    ],
)
def test_binary_coercible_changes_are_quiet(tmp_path: Path, change: str) -> None:
    found = rules(lint(tmp_path, PG_TABLE, change, "--select", "type-change-rewrite,lossy-type-change"))
    assert not found


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ("ALTER TABLE parcels ALTER COLUMN shipped_at TYPE timestamp(0);", "rewrites"),
        ("ALTER TABLE parcels ALTER COLUMN span TYPE interval(2);", "rewrites"),
        ("ALTER TABLE parcels ALTER COLUMN id TYPE numeric(20, 0);", "rewrites"),
        ("ALTER TABLE parcels ALTER COLUMN memo TYPE varchar(500);", "rewrites"),
        ("ALTER TABLE parcels ALTER COLUMN sku TYPE citext;", "rebuilds the indexes"),
        ("ALTER TABLE parcels ALTER COLUMN shipped_at TYPE timestamptz;", "rewrites"),
    ],
)
def test_rewrites_and_index_rebuilds_are_reported(tmp_path: Path, change: str, words: str) -> None:
    [found] = [f for f in lint(tmp_path, PG_TABLE, change) if f["rule"] == "type-change-rewrite"]
    assert words in found["message"] and found["severity"] == "critical"


def test_timestamptz_before_postgres_12_rewrites_even_in_utc(tmp_path: Path) -> None:
    change = "SET TIME ZONE 'UTC';\nALTER TABLE parcels ALTER COLUMN shipped_at TYPE timestamptz;"
    (tmp_path / "review.yml").write_text('database_version: "11"\n')
    found = lint(tmp_path, PG_TABLE, change, "--config", str(tmp_path / "review.yml"))
    assert "type-change-rewrite" in rules(found)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ("ALTER TABLE parcels ALTER COLUMN shipped_at TYPE timestamp(0);", "fractional seconds"),
        ("ALTER TABLE parcels ALTER COLUMN shipped_at TYPE timestamptz;", "TimeZone"),
        ("ALTER TABLE parcels ALTER COLUMN zone TYPE integer USING zone::integer;", "leading zeros"),
    ],
)
def test_lossy_changes_name_what_is_lost(tmp_path: Path, change: str, words: str) -> None:
    [found] = [f for f in lint(tmp_path, PG_TABLE, change) if f["rule"] == "lossy-type-change"]
    assert words in found["message"]


def test_a_utf8mb4_varchar_crossing_the_one_byte_length_prefix_copies(tmp_path: Path) -> None:
    change = "ALTER TABLE parcels MODIFY code varchar(100);\nALTER TABLE parcels MODIFY note varchar(200);\n"
    found = [
        f
        for f in lint(tmp_path, MY_TABLE, change, "--dialect", "mysql")
        if f["rule"] == "type-change-rewrite"
    ]
    assert [f["line"] for f in found] == [1]
    assert "length prefix" in found[0]["message"] and "copies" in found[0]["message"]


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_mysql_not_null_is_judged_with_mysql_words(tmp_path: Path, dialect: str) -> None:
    change = "ALTER TABLE parcels MODIFY label varchar(60) NOT NULL;\n"
    [found] = [
        f for f in lint(tmp_path, MY_TABLE, change, "--dialect", dialect) if f["rule"] == "set-not-null"
    ]
    text = found["message"] + found["fix"] + found["blast_radius"]
    assert "in place" in found["message"] and found["severity"] == "warning"
    assert "NOT VALID" not in text and "ACCESS EXCLUSIVE" not in text


def test_mysql_not_null_with_a_copy_blocks_writes(tmp_path: Path) -> None:
    change = "ALTER TABLE parcels MODIFY label varchar(60) NOT NULL, ALGORITHM=COPY;\n"
    [found] = [
        f for f in lint(tmp_path, MY_TABLE, change, "--dialect", "mariadb") if f["rule"] == "set-not-null"
    ]
    assert "writes wait" in found["message"] and found["severity"] == "critical"


def test_the_command_line_mariadb_dialect_reaches_the_rules(tmp_path: Path) -> None:
    # MariaDB has ADD COLUMN IF NOT EXISTS, MySQL has not: only on MariaDB is the guard worth suggesting.
    change = "ALTER TABLE parcels ADD COLUMN width int;\nALTER TABLE parcels ADD COLUMN depth int;\n"
    as_mysql = lint(tmp_path, MY_TABLE, change, "--dialect", "mysql")
    as_mariadb = lint(tmp_path, MY_TABLE, change, "--dialect", "mariadb")
    assert "non-robust-statement" not in rules(as_mysql) and "non-robust-statement" in rules(as_mariadb)


@pytest.mark.parametrize(("table", "column"), [('"user"', "username"), ("accounts", "handle")])
def test_a_new_collation_on_an_indexed_column_rebuilds_its_indexes(table: str, column: str) -> None:
    """memos' `ALTER COLUMN username TYPE TEXT COLLATE "C"` on PostgreSQL keeps the table's file and gives the
    unique index a new one (measured on PostgreSQL 15); the same type without a collation changes nothing."""
    schema = f"CREATE TABLE {table} (id int PRIMARY KEY, {column} text NOT NULL UNIQUE, note text);\n-- migration\n"
    collated = review_sql(schema + f'ALTER TABLE {table} ALTER COLUMN {column} TYPE text COLLATE "C";')
    [finding] = [f for f in collated.findings if f.rule == "type-change-rewrite"]
    assert "keeps its type `text`, but rebuilds the indexes on the column" in finding.message
    assert "indexes on the column are rebuilt" in finding.blast_radius
    for sql in (
        f"ALTER TABLE {table} ALTER COLUMN {column} TYPE text;",
        f'ALTER TABLE {table} ALTER COLUMN note TYPE text COLLATE "C";',
    ):
        assert "type-change-rewrite" not in {f.rule for f in review_sql(schema + sql).findings}
