"""The schema changes a DO block runs once are read as the operations they are: drizzle-kit and hand-written
migrations wrap `ALTER TABLE … ADD CONSTRAINT` in `DO $$ BEGIN … EXCEPTION WHEN duplicate_object …`, and
idempotent ones guard `CREATE INDEX` with `IF NOT EXISTS (…) THEN`."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [
    ("orders", "users", "user_id"),
    ("invoices", "accounts", "account_id"),
    ("posts", "authors", "author_id"),
]


def _schema(child: str, parent: str, column: str) -> str:
    return (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\nCREATE TABLE {child} (id bigint PRIMARY KEY, {column} bigint);\n"
        "-- migration\n"
    )


def _rules(sql: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for f in review_sql(sql).active:
        found.setdefault(f.rule, []).append(f.line)
    return found


@pytest.mark.parametrize(("child", "parent", "column"), NAMES)
def test_a_foreign_key_added_in_a_do_block_is_validated_under_lock(
    child: str, parent: str, column: str
) -> None:
    sql = _schema(child, parent, column) + (
        "DO $$ BEGIN\n"
        f' ALTER TABLE "{child}" ADD CONSTRAINT "{child}_{column}_fk" FOREIGN KEY ("{column}") '
        f'REFERENCES "public"."{parent}"("id") ON DELETE no action ON UPDATE no action;\n'
        "EXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;\n"
    )
    assert _rules(sql).get("constraint-not-valid") == [2]


@pytest.mark.parametrize(("child", "parent", "column"), NAMES)
def test_a_foreign_key_added_not_valid_in_a_do_block_is_quiet(child: str, parent: str, column: str) -> None:
    sql = _schema(child, parent, column) + (
        "DO $$ BEGIN\n"
        f' ALTER TABLE "{child}" ADD CONSTRAINT "{child}_{column}_fk" FOREIGN KEY ("{column}") '
        f'REFERENCES "{parent}"("id") NOT VALID;\n'
        "EXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;\n"
    )
    found = _rules(sql)
    assert "constraint-not-valid" not in found and "statements-after-exclusive-lock" not in found


@pytest.mark.parametrize(("child", "parent", "column"), NAMES)
def test_an_index_built_under_if_not_exists_blocks_writes(child: str, parent: str, column: str) -> None:
    sql = _schema(child, parent, column) + (
        "DO $$\nBEGIN\n"
        f"  IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = '{child}_{column}_idx') THEN\n"
        f"    CREATE INDEX {child}_{column}_idx ON {child} ({column});\n"
        "  END IF;\nEND\n$$;\n"
    )
    assert _rules(sql).get("non-concurrent-index") == [4]


@pytest.mark.parametrize(("child", "parent", "column"), NAMES)
def test_a_loop_is_not_read_as_statements_run_once(child: str, parent: str, column: str) -> None:
    sql = _schema(child, parent, column) + (
        "DO $$\nDECLARE r record;\nBEGIN\n"
        f"  FOR r IN SELECT id FROM {parent} LOOP\n"
        f"    CREATE INDEX {child}_{column}_idx ON {child} ({column});\n"
        "  END LOOP;\nEND\n$$;\n"
    )
    assert "non-concurrent-index" not in _rules(sql)
