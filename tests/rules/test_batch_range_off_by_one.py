"""A DO block's data statements are read as the statements they are (its variables as values filled in when
it runs), so data rules see them; in a WHILE/LOOP that moves a key range, the range's ends and the step that
moves the lower one show the keys no batch covers, or two batches both cover."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review, Severity
from tests.conftest import review_sql

NAMES = [
    {"t": "orders", "c": "status", "key": "id", "lo": "lo", "hi": "hi"},
    {"t": "events", "c": "kind", "key": "event_id", "lo": "last_id", "hi": "next_id"},
]
SCHEMA = "CREATE TABLE {t} ({key} bigint PRIMARY KEY, {c} text, hits integer);\n-- migration\n"
LOOP = """-- +goose Up
DO $$
DECLARE
  {lo} bigint := 0;
  {hi} bigint;
  top bigint;
BEGIN
  SELECT max({key}) INTO top FROM {t};
  WHILE {lo} < top LOOP
    {hi} := {lo} + 5000;
    {statement} WHERE {range};
    COMMIT;
    {lo} := {next};
  END LOOP;
END $$;
-- +goose Down
SELECT 1;
"""
UPDATE = "UPDATE {t} SET {c} = 'archived'"
SKIPS = [("{key} > {lo} AND {key} < {hi}", "{hi}"), ("{key} >= {lo} AND {key} < {hi}", "{hi} + 1")]
TWICE = [("{key} BETWEEN {lo} AND {hi}", "{hi}"), ("{key} >= {lo} AND {key} <= {hi}", "{hi}")]
EXACT = [
    ("{key} > {lo} AND {key} <= {hi}", "{hi}"),
    ("{key} >= {lo} AND {key} < {hi}", "{hi}"),
    ("{key} BETWEEN {lo} AND {hi}", "{hi} + 1"),
    ("{lo} < {key} AND {key} <= {hi}", "{hi}"),
]


def _review(names: dict[str, str], range_: str, next_: str, statement: str = UPDATE) -> Review:
    text = LOOP.format(
        **names, statement=statement.format(**names), range=range_.format(**names), next=next_.format(**names)
    )
    return review_sql(SCHEMA.format(**names) + text, path="db/migrations/002_archive.sql")


def _found(result: Review) -> list[Finding]:
    return [f for f in result.active if f.rule == "batch-range-off-by-one"]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(("range_", "next_"), SKIPS)
def test_a_range_that_skips_the_edge_keys(names, range_, next_) -> None:  # type: ignore[no-untyped-def]
    [finding] = _found(_review(names, range_, next_))
    assert finding.severity is Severity.CRITICAL and finding.line == 11
    assert f"updates `{names['t']}`" in finding.message and "falls in no batch" in finding.message
    assert f"`{names['key']} > {names['lo']} AND {names['key']} <= {names['hi']}`" in finding.fix


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(("range_", "next_"), TWICE)
@pytest.mark.parametrize("statement", ["UPDATE {t} SET hits = hits + 1", "UPDATE {t} SET {c} = {c} || 'x'"])
def test_a_range_that_covers_the_edge_keys_twice(names, range_, next_, statement) -> None:  # type: ignore[no-untyped-def]
    [finding] = _found(_review(names, range_, next_, statement))
    assert finding.severity is Severity.WARNING and "changed twice" in finding.message
    assert "updates" in finding.message


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(("range_", "next_"), TWICE)
@pytest.mark.parametrize("statement", [UPDATE, "DELETE FROM {t}", "UPDATE {t} SET {c} = upper('{c}')"])
def test_edge_keys_covered_twice_by_an_idempotent_change_are_quiet(names, range_, next_, statement) -> None:  # type: ignore[no-untyped-def]
    # writing the same value again, or deleting a row already gone, changes nothing the second time
    assert not _found(_review(names, range_, next_, statement))


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(("range_", "next_"), EXACT)
def test_ranges_that_meet_exactly_are_quiet(names, range_, next_) -> None:  # type: ignore[no-untyped-def]
    result = _review(names, range_, next_)
    assert not _found(result)
    # the statement is read, in batches: no finding asks to batch it, and the way back is said to lose it (by
    # every-row-overwritten: the batches reach every row, and each row's status is overwritten)
    assert not [f for f in result.active if f.rule == "unbatched-data-change"]
    [lost] = [f for f in result.active if f.rule in ("data-lost-on-rollback", "every-row-overwritten")]
    assert "down migration does not restore" in lost.message


@pytest.mark.parametrize("names", NAMES)
def test_a_step_computed_from_the_bound_itself(names) -> None:  # type: ignore[no-untyped-def]
    """`last_id := last_id + size` with the bound `key <= last_id + size`: the same as `lo := hi`."""
    bound = "{lo} + 5000"
    assert not _found(_review(names, "{key} > {lo} AND {key} <= " + bound, bound))
    assert _found(_review(names, "{key} > {lo} AND {key} < " + bound, bound))


@pytest.mark.parametrize("names", NAMES)
def test_a_data_statement_a_do_block_runs_once_is_read(names) -> None:  # type: ignore[no-untyped-def]
    text = SCHEMA.format(**names) + (
        "-- +goose Up\nDO $$\nBEGIN\n  UPDATE {t} SET {c} = 'archived' WHERE {c} = 'old';\nEND $$;\n"
        "-- +goose Down\nSELECT 1;\n"
    ).format(**names)
    result = review_sql(text, path="db/migrations/002_archive.sql")
    assert result.approval == "BLOCKED"
    [lost] = [f for f in result.active if f.rule == "data-lost-on-rollback"]
    assert f"`{names['t']}.{names['c']}`" in lost.message and lost.line == 4


FOR_LOOP = """DO $$
DECLARE {lo} bigint;
BEGIN
  FOR {lo} IN 0..1000000 BY {step} LOOP
    UPDATE {t} SET hits = hits + 1 WHERE {range};
  END LOOP;
END $$;"""


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    ("range_", "step", "found"),
    [
        ("{key} > {lo} AND {key} < {lo} + 1000", "1000", "falls in no batch"),
        ("{key} BETWEEN {lo} AND {lo} + 1000", "1000", "changed twice"),
        ("{key} >= {lo} AND {key} < {lo} + 1000", "1000", ""),
        ("{key} > {lo} AND {key} <= {lo} + 500", "500", ""),
        ("{key} BETWEEN {lo} AND {lo} + 999", "1000", ""),
    ],
)
def test_an_integer_for_loop_moves_its_variable_by_its_step(names, range_, step, found) -> None:  # type: ignore[no-untyped-def]
    text = FOR_LOOP.format(**names, step=step, range=range_.format(**names))
    framings = {
        "db/migrations/002_hits.sql": text,
        "db/migrate/20260101000000_hits.rb": (
            f"class Hits < ActiveRecord::Migration[7.1]\n  disable_ddl_transaction!\n\n  def up\n"
            f"    execute <<~SQL\n{text}\n    SQL\n  end\nend\n"
        ),
    }
    for path, migration in framings.items():
        findings = _found(
            review_sql(
                migration,
                path=path,
                base={"db/structure.sql": SCHEMA.format(**names).split("-- migration")[0]},
            )
        )
        if found:
            (finding,) = findings
            assert (
                found in finding.message and f"FOR {names['lo']} IN 0..1000000 BY {step}" in finding.message
            )
        else:
            assert not findings, path
