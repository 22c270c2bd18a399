"""A PL/pgSQL `DO` block runs in one transaction unless it commits: a loop that changes a table batch after
batch without a COMMIT between the batches keeps every row it changed locked until the block ends, and a
failure in the last batch rolls back the first. Such a loop is one change of all the rows it reaches, not a
batched one; the same loop committing each batch is batched, and still runs to completion (no
one-batch-only)."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("orders", "state", "'open'"), ("events", "kind", "'legacy'")]
LOOPS = {
    "limit": (
        "DO $$\nDECLARE\n  changed integer;\nBEGIN\n  LOOP\n"
        "    UPDATE {table} SET {column} = {value}\n"
        "    WHERE id IN (SELECT id FROM {table} WHERE {column} IS NULL ORDER BY id LIMIT 1000);\n"
        "    GET DIAGNOSTICS changed = ROW_COUNT;\n    EXIT WHEN changed = 0;\n{commit}  END LOOP;\nEND $$;\n"
    ),
    "key-range": (
        "DO $$\nDECLARE lo bigint := 0; top bigint;\nBEGIN\n  SELECT max(id) INTO top FROM {table};\n"
        "  WHILE lo < top LOOP\n"
        "    DELETE FROM {table} WHERE id > lo AND id <= lo + 1000 AND {column} IS NULL;\n"
        "    lo := lo + 1000;\n{commit}  END LOOP;\nEND $$;\n"
    ),
}


def _found(table: str, column: str, value: str, loop: str, commit: str) -> dict[str, list[str]]:
    sql = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n-- migration\n" + LOOPS[
        loop
    ].format(table=table, column=column, value=value, commit=commit)
    found: dict[str, list[str]] = {}
    for f in review_sql(sql).active:
        found.setdefault(f.rule, []).append(f.message)
    return found


@pytest.mark.parametrize(("table", "column", "value"), NAMES)
@pytest.mark.parametrize("loop", sorted(LOOPS))
def test_a_loop_without_commit_is_one_transaction(table: str, column: str, value: str, loop: str) -> None:
    found = _found(table, column, value, loop, commit="")
    (message,) = found["unbatched-data-change"]
    assert f"{table}`" in message and "commits none of them" in message
    assert "one-batch-only" not in found  # the loop runs until no row is left


@pytest.mark.parametrize(("table", "column", "value"), NAMES)
@pytest.mark.parametrize("loop", sorted(LOOPS))
def test_a_loop_committing_each_batch_is_batched(table: str, column: str, value: str, loop: str) -> None:
    found = _found(table, column, value, loop, commit="    COMMIT;\n")
    assert "unbatched-data-change" not in found and "one-batch-only" not in found
