"""COMMIT inside a DO block (PostgreSQL 11+): the transaction and lock model sees the block as one
transaction that each COMMIT ends, and a block that commits cannot run inside a transaction block."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

NAMES = [("orders", "memo", "note"), ("invoices", "label", "status")]
RULES = ("statements-after-exclusive-lock", "concurrent-in-transaction")


def _block(table: str, added: str, column: str, commit_before_loop: bool, commit_in_loop: bool) -> str:
    return (
        "DO $$\nDECLARE i bigint;\nBEGIN\n"
        f"  ALTER TABLE {table} ADD COLUMN {added} text;\n"
        + ("  COMMIT;\n" if commit_before_loop else "")
        + "  FOR i IN 0..100 LOOP\n"
        f"    UPDATE {table} SET {column} = '' WHERE id BETWEEN i * 1000 AND i * 1000 + 999;\n"
        + ("    COMMIT;\n" if commit_in_loop else "")
        + "  END LOOP;\nEND $$;"
    )


def _goose(block: str, wrapped: bool) -> tuple[str, str]:
    head = "-- +goose Up\n" if wrapped else "-- +goose NO TRANSACTION\n-- +goose Up\n"
    return "db/migrations/002_backfill.sql", head + block + "\n-- +goose Down\nSELECT 1;\n"


def _rails(block: str, wrapped: bool) -> tuple[str, str]:
    off = "" if wrapped else "  disable_ddl_transaction!\n\n"
    return (
        "db/migrate/20260101000000_backfill.rb",
        f"class Backfill < ActiveRecord::Migration[7.1]\n{off}  def up\n    execute <<~SQL\n{block}\n    SQL\n  end\n\n  def down\n  end\nend\n",
    )


def _django(block: str, wrapped: bool) -> tuple[str, str]:
    atomic = "" if wrapped else "    atomic = False\n"
    return (
        "shop/migrations/0002_backfill.py",
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        f'{atomic}    dependencies = [("shop", "0001_initial")]\n'
        f'    operations = [migrations.RunSQL("""{block}""", migrations.RunSQL.noop)]\n',
    )


FRAMEWORKS = [_goose, _rails, _django]


def _found(table: str, column: str, block: str, framework: Any, wrapped: bool) -> dict[str, list[Any]]:
    path, text = framework(block, wrapped)
    schema = {"db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n"}
    result = review_sql(text, path=path, base=schema)
    return {rule: [f for f in result.active if f.rule == rule] for rule in RULES}


@pytest.mark.parametrize(("table", "added", "column"), NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_commit_in_the_block_releases_the_lock(table: str, added: str, column: str, framework: Any) -> None:
    committed = _found(table, column, _block(table, added, column, True, True), framework, wrapped=False)
    assert not committed["statements-after-exclusive-lock"] and not committed["concurrent-in-transaction"]
    # committed only inside the loop: every pass after the first runs without the lock
    in_loop = _found(table, column, _block(table, added, column, False, True), framework, wrapped=False)
    assert not in_loop["statements-after-exclusive-lock"]
    # no COMMIT: the block is one transaction, and the backfill runs under the ALTER's lock
    whole = (
        _block(table, added, column, False, False)
        .replace("  FOR i IN 0..100 LOOP\n", "")
        .replace("  END LOOP;\n", "")
    )
    one = _found(table, column, whole.replace("END $$;", "  COMMIT;\nEND $$;"), framework, wrapped=False)
    (finding,) = one["statements-after-exclusive-lock"]
    assert f"`{table}`" in finding.message


@pytest.mark.parametrize(("table", "added", "column"), NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_block_that_commits_inside_the_runners_transaction_fails(
    table: str, added: str, column: str, framework: Any
) -> None:
    found = _found(table, column, _block(table, added, column, True, True), framework, wrapped=True)
    (finding,) = found["concurrent-in-transaction"]  # one for the block, not one per COMMIT
    assert "cannot COMMIT" in finding.message and finding.severity.value == "critical"
    assert "COMMIT" in finding.fix
    assert not found["statements-after-exclusive-lock"]  # the block never gets that far


def test_an_explicit_transaction_around_the_block_fails_too() -> None:
    sql = "BEGIN;\n" + _block("orders", "memo", "note", True, True) + "\nCOMMIT;"
    result = review_sql(
        sql, base={"db/structure.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, note text);\n"}
    )
    assert [f for f in result.active if f.rule == "concurrent-in-transaction"]


PROCEDURE = (
    "CREATE PROCEDURE backfill_{table}() LANGUAGE plpgsql AS $$\nDECLARE i bigint;\nBEGIN\n"
    "  FOR i IN 0..100 LOOP\n    UPDATE {table} SET {column} = '' WHERE id >= i * 1000 AND id < i * 1000 + 1000;\n"
    "    COMMIT;\n  END LOOP;\nEND $$;\n"
)


@pytest.mark.parametrize(("table", "added", "column"), NAMES)
def test_a_procedure_that_commits(table: str, added: str, column: str) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n" + PROCEDURE.format(
        table=table, column=column
    )
    base = {"db/structure.sql": schema}
    call = f"ALTER TABLE {table} ADD COLUMN {added} text;\nCALL backfill_{table}();\nSELECT count(*) FROM {table};"
    wrapped = review_sql("-- +goose Up\n" + call, path="db/migrations/002_backfill.sql", base=base)
    (finding,) = [f for f in wrapped.active if f.rule == "concurrent-in-transaction"]
    assert "procedure that COMMITs" in finding.message
    # the migration stops at the CALL: what follows is not also said to run under the ALTER's lock
    assert not [f for f in wrapped.active if f.rule == "statements-after-exclusive-lock" and f.line > 3]
    plain_call = "-- +goose Up\n" + f"CALL backfill_{table}();"
    quiet = review_sql(
        plain_call.replace("backfill", "other"), path="db/migrations/002_backfill.sql", base=base
    )
    assert not [f for f in quiet.active if f.rule == "concurrent-in-transaction"]
