"""A loop that runs a data change in key ranges skips the keys at the edge of each range, or touches them twice.

## Why is this bad?
`WHILE lo < max_id LOOP hi := lo + 1000; UPDATE orders SET … WHERE id > lo AND id < hi; lo := hi; END LOOP`
never updates the rows whose `id` is exactly `hi`: the batch stops before it (`< hi`), and the next one
starts after it (`> lo`, with `lo` now `hi`). One row in every thousand keeps its old value, nothing fails,
and a count afterwards looks almost right. The opposite mistake, `BETWEEN lo AND hi` with `lo := hi`,
updates the row at each edge twice: harmless for `SET status = 'closed'` (the second write changes
nothing, and it is not reported) and for a DELETE (the row is already gone), wrong for `SET qty = qty + 1`
or `SET price = price * 1.1`, or a value drawn again (`nextval`, `random()`).

## Use instead
Close one end of the range and open the other, with the next batch starting where this one stopped:
`WHERE id > lo AND id <= hi` with `lo := hi` (or `id >= lo AND id < hi`), or `BETWEEN lo AND hi` with
`lo := hi + 1`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import BatchStep, DataDelete, DataUpdate, Migration
from bot.rules._framework_fixes import batch_edges
from bot.rules.context import Context

_LOOP = (
    "CREATE TABLE orders (id bigint PRIMARY KEY, status text, retries int);\n"
    "-- migration\n"
    "DO $$\nDECLARE\n  lo bigint := 0;\n  hi bigint;\nBEGIN\n"
    "  WHILE lo < (SELECT max(id) FROM orders) LOOP\n"
    "    hi := lo + 1000;\n"
    "    UPDATE orders SET {set} WHERE status = 'stale' AND {range};\n"
    "    lo := {next};\n"
    "  END LOOP;\nEND $$;"
)
RULE = Rule(
    id="batch-range-off-by-one",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.WARNING,
    help="Close one end of each batch's key range and open the other (`id > lo AND id <= hi` with `lo := hi`).",
    bad=(
        _LOOP.format(set="status = 'closed'", range="id > lo AND id < hi", next="hi"),
        _LOOP.format(set="retries = retries + 1", range="id BETWEEN lo AND hi", next="hi"),
    ),
    good=(
        _LOOP.format(set="status = 'closed'", range="id > lo AND id <= hi", next="hi"),
        _LOOP.format(set="retries = retries + 1", range="id BETWEEN lo AND hi", next="hi + 1"),
    ),
    dialects=("postgres",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DataUpdate | DataDelete) or op.step is None or op.step.gap == 0:
            continue
        if op.step.gap < 0 and not _changes_again(op):
            continue  # the edge rows written twice with the same value, or deleted once and then not found
        yield _finding(op, op.step, migration.framework)


_STRINGS = re.compile(r"'(?:[^']|'')*'")
_DRAWN = re.compile(r"\b(nextval|random|gen_random_uuid|uuid_generate_v4|clock_timestamp)\s*\(", re.I)


def _changes_again(op: DataUpdate | DataDelete) -> bool:
    """Does a second run over the same row change it again: a SET that reads the column it writes
    (`qty = qty + 1`, `price = price * 1.1`) or draws a new value (`nextval(…)`, `random()`)?"""
    if isinstance(op, DataDelete):
        return False
    return any(
        re.search(rf"(?<![\w.])(?:{re.escape(op.table)}\.)?\"?{re.escape(column)}\"?(?![\w(])", code)
        or _DRAWN.search(code)
        for column, value in op.assignments
        for code in [_STRINGS.sub("''", value)]  # a name inside a string is no column
    )


def _finding(op: DataUpdate | DataDelete, step: BatchStep, framework: str) -> Finding:
    verb = "deletes" if isinstance(op, DataDelete) else "updates"
    lower = f"`{step.column} {'>' if step.lower_strict else '>='} {step.lower}`"
    upper = f"`{step.column} {'<' if step.upper_strict else '<='} {step.upper}`"
    moved = f"`{step.lower} := {step.upper}{f' + {step.offset}' if step.offset > 0 else f' - {-step.offset}' if step.offset else ''}`"
    fix = batch_edges(framework, step)
    if step.gap > 0:
        keys = "the key" if step.gap == 1 else f"{step.gap} keys"
        return op.finding(
            RULE,
            f"The loop ({step.loop.removeprefix('in a loop ').strip('()') or 'a loop'}) {verb} `{op.table}` in "
            f"ranges {lower} and {upper}, then moves on with {moved}: {keys} at the edge of every batch "
            f"(`{step.column} = {step.upper}`{' and after' if step.gap > 1 else ''}) falls in no batch, and its "
            "rows are never changed.",
            severity=Severity.CRITICAL,
            blast_radius=f"The rows of `{op.table}` whose `{step.column}` sits on a batch edge keep their old "
            "values; nothing fails, and the change looks done.",
            fix=fix,
        )
    return op.finding(
        RULE,
        f"The loop ({step.loop.removeprefix('in a loop ').strip('()') or 'a loop'}) {verb} `{op.table}` in "
        f"ranges {lower} and {upper}, then moves on with {moved}: the rows at the edge of every batch "
        f"(`{step.column} = {step.upper}`) fall in two batches and are changed twice.",
        blast_radius=f"The rows of `{op.table}` whose `{step.column}` sits on a batch edge are written twice: a "
        "change that reads its own column (`qty = qty + 1`, `price * 1.1`) applies twice to them.",
        fix=fix,
    )
