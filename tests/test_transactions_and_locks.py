"""Transactions per file and the locks they accumulate, through the installed command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

CLI = str(Path(sys.executable).parent / "migration-review")


def lint(tmp_path: Path, sql: str, *args: str, config: str | None = None) -> list[dict[str, Any]]:
    folder = tmp_path / "migrations"
    folder.mkdir(exist_ok=True)
    path = folder / "0002_change.sql"
    path.write_text(sql)
    extra = list(args)
    if config is not None:
        (tmp_path / "review.yml").write_text(config)
        extra += ["--config", str(tmp_path / "review.yml")]
    done = subprocess.run(
        [CLI, "lint", "--format", "json", "--exit-zero", *extra, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    findings: list[dict[str, Any]] = json.loads(done.stdout)["findings"]
    return findings


def rules(findings: list[dict[str, Any]]) -> set[str]:
    return {f["rule"] for f in findings}


def test_a_concurrent_build_after_the_files_commit_runs_outside_the_transaction(tmp_path: Path) -> None:
    sql = (
        "BEGIN;\nALTER TABLE invoices ADD COLUMN memo text;\nCOMMIT;\n"
        "CREATE INDEX CONCURRENTLY invoices_memo_idx ON invoices (memo);\n"
    )
    assert "concurrent-in-transaction" not in rules(lint(tmp_path, sql))


def test_a_concurrent_build_inside_the_files_transaction_is_critical(tmp_path: Path) -> None:
    sql = "BEGIN;\nCREATE INDEX CONCURRENTLY invoices_memo_idx ON invoices (memo);\nCOMMIT;\n"
    [found] = [f for f in lint(tmp_path, sql) if f["rule"] == "concurrent-in-transaction"]
    assert found["severity"] == "critical" and found["line"] == 2


def test_assume_in_transaction_wraps_every_plain_file(tmp_path: Path) -> None:
    sql = "SET statement_timeout = '1h';\nCREATE INDEX CONCURRENTLY invoices_memo_idx ON invoices (memo);\n"
    assert "concurrent-in-transaction" not in rules(lint(tmp_path, sql))
    wrapped = lint(tmp_path, sql, config="assume_in_transaction: true\n")
    [found] = [f for f in wrapped if f["rule"] == "concurrent-in-transaction"]
    assert "assume_in_transaction" in found["message"]


def test_assume_in_transaction_makes_a_begin_in_the_file_nested(tmp_path: Path) -> None:
    sql = "BEGIN;\nALTER TABLE invoices ADD COLUMN memo text;\nCOMMIT;\n"
    assert "nested-transaction" not in rules(lint(tmp_path, sql))
    assert "nested-transaction" in rules(lint(tmp_path, sql, config="assume_in_transaction: true\n"))


def test_non_robust_statement_is_quiet_when_the_runner_wraps_the_file(tmp_path: Path) -> None:
    sql = "CREATE TABLE coupons (id bigint PRIMARY KEY);\nDROP TABLE vouchers;\n"
    assert "non-robust-statement" not in rules(lint(tmp_path, sql, config="assume_in_transaction: true\n"))
    assert "non-robust-statement" in rules(lint(tmp_path, sql, config="assume_in_transaction: false\n"))


def test_an_invalid_assume_in_transaction_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "m.sql").write_text("SELECT 1;\n")
    (tmp_path / "review.yml").write_text("assume_in_transaction: sometimes\n")
    done = subprocess.run(
        [CLI, "lint", "--config", str(tmp_path / "review.yml"), str(tmp_path / "m.sql")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0 and "assume_in_transaction" in done.stderr


def test_a_new_table_referencing_an_existing_one_locks_its_writes(tmp_path: Path) -> None:
    sql = "CREATE TABLE parcels (id bigint PRIMARY KEY, invoice_id bigint REFERENCES invoices (id));\n"
    [found] = [f for f in lint(tmp_path, sql) if f["rule"] == "missing-lock-timeout"]
    assert "`invoices`" in found["message"] and "SHARE ROW EXCLUSIVE" in found["message"]
    quiet = "SET lock_timeout = '3s';\n" + sql
    assert "missing-lock-timeout" not in rules(lint(tmp_path, quiet))


def test_a_new_table_referencing_a_table_created_alongside_is_quiet(tmp_path: Path) -> None:
    sql = (
        "CREATE TABLE carriers (id bigint PRIMARY KEY);\n"
        "CREATE TABLE parcels (id bigint PRIMARY KEY, carrier_id bigint REFERENCES carriers (id));\n"
    )
    assert "missing-lock-timeout" not in rules(lint(tmp_path, sql))


def test_validating_in_the_transaction_that_added_the_key_keeps_writes_blocked(tmp_path: Path) -> None:
    sql = (
        "SET lock_timeout = '3s';\nBEGIN;\n"
        "ALTER TABLE parcels ADD CONSTRAINT parcels_carrier_fk FOREIGN KEY (carrier_id) "
        "REFERENCES carriers (id) NOT VALID;\n"
        "ALTER TABLE parcels VALIDATE CONSTRAINT parcels_carrier_fk;\nCOMMIT;\n"
    )
    [found] = [f for f in lint(tmp_path, sql) if f["rule"] == "statements-after-exclusive-lock"]
    assert found["line"] == 4 and "SHARE ROW EXCLUSIVE" in found["message"]
    # the scan of adding the key valid at once, under the same lock: as severe as constraint-not-valid's
    assert found["severity"] == "critical"
    check = sql.replace("FOREIGN KEY (carrier_id) REFERENCES carriers (id)", "CHECK (carrier_id > 0)")
    check = check.replace("parcels_carrier_fk", "parcels_carrier_positive")
    [found] = [f for f in lint(tmp_path, check) if f["rule"] == "statements-after-exclusive-lock"]
    assert found["severity"] == "critical" and "ACCESS EXCLUSIVE" in found["message"]
    apart = sql.replace("NOT VALID;\n", "NOT VALID;\nCOMMIT;\nBEGIN;\n")
    assert "statements-after-exclusive-lock" not in rules(lint(tmp_path, apart))


def test_an_explicit_access_exclusive_lock_is_reported(tmp_path: Path) -> None:
    sql = "LOCK TABLE ledger_entries IN ACCESS EXCLUSIVE MODE;\n"
    [found] = [f for f in lint(tmp_path, sql) if f["rule"] == "missing-lock-timeout"]
    assert "ACCESS EXCLUSIVE" in found["message"] and "`ledger_entries`" in found["message"]
    assert "missing-lock-timeout" not in rules(
        lint(tmp_path, "LOCK TABLE ledger_entries IN ACCESS SHARE MODE;\n")
    )


def test_work_after_an_explicit_lock_in_the_same_transaction(tmp_path: Path) -> None:
    sql = (
        "SET lock_timeout = '3s';\nBEGIN;\nLOCK TABLE ledger_entries IN SHARE MODE;\n"
        "UPDATE ledger_entries SET posted = true WHERE posted IS NULL;\nCOMMIT;\n"
    )
    [found] = [f for f in lint(tmp_path, sql) if f["rule"] == "statements-after-exclusive-lock"]
    assert found["line"] == 4 and "blocks writes" in found["message"]


def test_a_lone_concurrent_statement_is_the_standalone_migration(tmp_path: Path) -> None:
    sql = "CREATE INDEX CONCURRENTLY invoices_memo_idx ON invoices (memo);\n"
    assert "concurrent-in-transaction" not in rules(
        lint(tmp_path, sql, config="assume_in_transaction: true\n")
    )


def test_a_commit_ends_the_runners_transaction(tmp_path: Path) -> None:
    sql = (
        "ALTER TABLE invoices ADD COLUMN memo text;\nCOMMIT;\n"
        "CREATE INDEX CONCURRENTLY invoices_memo_idx ON invoices (memo);\nBEGIN;\n"
    )
    found = lint(tmp_path, sql, config="assume_in_transaction: true\n")
    assert "concurrent-in-transaction" not in rules(found)
    assert [f["line"] for f in found if f["rule"] == "nested-transaction"] == [2]


def test_a_commit_with_nothing_open(tmp_path: Path) -> None:
    sql = "BEGIN;\nALTER TABLE invoices ADD COLUMN memo text;\nCOMMIT;\nCOMMIT;\n"
    found = lint(tmp_path, sql)
    assert [f["line"] for f in found if f["rule"] == "nested-transaction"] == [4]


def test_an_inline_reference_with_a_default_on_a_new_column_is_validated_at_once(tmp_path: Path) -> None:
    sql = "SET lock_timeout = '3s';\nALTER TABLE invoices ADD COLUMN payer_id bigint DEFAULT 7 REFERENCES payers (id);\n"
    [found] = [f for f in lint(tmp_path, sql) if f["rule"] == "constraint-not-valid"]
    assert "REFERENCES payers" in found["message"] and "NOT VALID" in found["fix"]
    no_default = sql.replace(" DEFAULT 7", "")  # PostgreSQL adds it valid without reading a row
    assert "constraint-not-valid" not in rules(lint(tmp_path, no_default))


def test_an_inline_unique_on_a_new_column_builds_its_index_under_lock(tmp_path: Path) -> None:
    sql = "SET lock_timeout = '3s';\nALTER TABLE invoices ADD COLUMN external_ref text UNIQUE;\n"
    [found] = [f for f in lint(tmp_path, sql) if f["rule"] == "unique-constraint-under-lock"]
    assert "external_ref" in found["message"] and "CONCURRENTLY" in found["fix"]


def test_vacuum_is_refused_inside_a_transaction(tmp_path: Path) -> None:
    sql = "BEGIN;\nDELETE FROM audit_events WHERE created_at < now() - interval '1 year';\nVACUUM audit_events;\nCOMMIT;\n"
    [found] = [f for f in lint(tmp_path, sql) if f["rule"] == "concurrent-in-transaction"]
    assert found["line"] == 3 and "VACUUM" in found["message"]
    outside = "DELETE FROM audit_events WHERE id < 100;\nVACUUM audit_events;\n"
    assert "concurrent-in-transaction" not in rules(lint(tmp_path, outside))


ONE_CALL = [
    ("prisma/migrations/20240202000000_roles/migration.sql", "accounts", "Kind"),
    ("db/migrations/000002_change_roles.up.sql", "members", "tier"),
]
ENUM_SCHEMA = "CREATE TYPE {enum} AS ENUM ('a', 'b', 'c');\nCREATE TABLE {table} (id bigint PRIMARY KEY, kind {enum});\n"


def _one_call(path: str, table: str, enum: str, sql: str) -> set[str]:
    from tests.conftest import review_sql

    base = {"db/migrations/000001_init.up.sql": ENUM_SCHEMA.format(enum=f'"{enum}"', table=f'"{table}"')}
    if path.startswith("prisma/"):
        base = {
            "prisma/migrations/20240101000000_init/migration.sql": base["db/migrations/000001_init.up.sql"],
            "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
        }
    text = sql.format(enum=f'"{enum}"', table=f'"{table}"', new=f'"{enum}_new"')
    return {f.rule for f in review_sql(text, path=path, base=base).active}


@pytest.mark.parametrize(("path", "table", "enum"), ONE_CALL)
def test_a_begin_in_a_script_sent_in_one_call_is_no_nesting(path: str, table: str, enum: str) -> None:
    """Prisma and golang-migrate send the whole script at once: its BEGIN … COMMIT becomes the implicit
    transaction's block (PostgreSQL says nothing), so the enum rebuild Prisma writes is not nested; what follows
    the COMMIT is still one implicit transaction, where a concurrent build fails."""
    rebuild = (
        "BEGIN;\nCREATE TYPE {new} AS ENUM ('a', 'b', 'c', 'd');\n"
        "ALTER TABLE {table} ALTER COLUMN kind TYPE {new} USING (kind::text::{new});\n"
        "DROP TYPE {enum};\nALTER TYPE {new} RENAME TO {enum};\nCOMMIT;\n"
    )
    assert "nested-transaction" not in _one_call(path, table, enum, rebuild)
    after = rebuild + "CREATE INDEX CONCURRENTLY kind_idx ON {table} (kind);\n"
    assert "concurrent-in-transaction" in _one_call(path, table, enum, after)
    stray = "ALTER TABLE {table} ADD COLUMN note text;\nCOMMIT;\nALTER TABLE {table} ADD COLUMN memo text;\n"
    assert "nested-transaction" in _one_call(path, table, enum, stray)


def test_a_begin_inside_a_runner_that_opens_its_own_transaction_is_nested() -> None:
    from tests.conftest import review_sql

    goose = "-- +goose Up\nBEGIN;\nALTER TABLE invoices ADD COLUMN memo text;\nCOMMIT;\n"
    assert "nested-transaction" in {
        f.rule for f in review_sql(goose, path="db/migrations/20240202_memo.sql").active
    }
