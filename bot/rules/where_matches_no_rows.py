"""A data change filters on a value that production does not hold, so it changes nothing (or less than meant).

## Why is this bad?
`UPDATE orders SET … WHERE status = 'canceled'` when production spells it `'cancelled'`, or stores
`'CANCELED'`, runs without an error and changes no row. The migration is recorded as applied; the data
is never fixed, and nobody notices until the bug it was meant to repair comes back. The production probe
counts the values of the filtered column, so the review can say which listed values occur nowhere, and
whether a case or whitespace variant does. Without a probe, or when the probe could not count every
value, this rule stays quiet.

## Use instead
Use the values production holds (normalise with `lower(…)` or `trim(…)` when variants exist), or drop
the statement if there is nothing to change.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from bot.model.facts import EXACT, ColumnFacts, Facts, ValueCount
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataDelete, DataInsert, DataUpdate, Migration
from bot.probe.questions import compared_values
from bot.rules.context import Context

RULE = Rule(
    id="where-matches-no-rows",
    dimension=Dimension.DATA_VERIFICATION,
    severity=Severity.WARNING,
    help="Filter on values production holds; check the spelling and case with a count per value first.",
    bad=("UPDATE orders SET archived = true WHERE status = 'canceled';",),
    good=("UPDATE orders SET archived = true WHERE status = 'cancelled';",),
)

EXAMPLE_FACTS = Facts(
    connection="shop-replica",
    dialect="postgres",
    taken_at="2026-01-05T09:00:00Z",
    columns=(
        ColumnFacts(
            "orders",
            "status",
            EXACT,
            0.0,
            3,
            (ValueCount("paid", 700, 0.7), ValueCount("open", 250, 0.25), ValueCount("cancelled", 50, 0.05)),
            complete=True,
        ),
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    facts = context.facts
    if facts is None:
        return
    for op in migration.up:
        if not isinstance(op, DataUpdate | DataDelete | DataInsert) or context.catalog.is_new(op.table):
            continue
        for table, column, listed, numbers in compared_values(op):
            found = facts.column(table, column)
            if found is None or not found.complete or (numbers and column.endswith("id")):
                continue
            absent = [v for v in listed if not _occurs(v, found)]
            if not absent:
                continue
            what = "no rows" if len(absent) == len(listed) else "fewer rows than listed"
            yield op.finding(
                RULE,
                f"In production, `{table}.{column}` never holds {_names(absent, found)} "
                f"({facts.cite(found.source)}): the condition matches {what}.",
                blast_radius=f"The statement {'changes nothing' if what == 'no rows' else 'skips the rows meant by those values'}"
                "; the migration still succeeds, so the data it was meant to fix stays as it is.",
            )


def _occurs(value: str, found: ColumnFacts) -> bool:
    fold = str.lower if found.case_insensitive else str
    return any(
        (v.equals is not None and fold(v.equals) == fold(value))
        if v.hidden
        else (v.value is not None and fold(v.value) == fold(value))
        for v in found.values
    )


def _names(absent: list[str], found: ColumnFacts) -> str:
    parts = []
    for value in absent[:6]:
        variant = _variant(value, found.values)
        parts.append(
            f"`'{value}'`" + (f" (but `'{variant.value}'` has {variant.rows:,} rows)" if variant else "")
        )
    return ", ".join(parts)


def _variant(value: str, values: tuple[ValueCount, ...]) -> ValueCount | None:
    """A value production holds that differs only by case, whitespace or a letter or two."""
    shown = {v.value.strip().lower(): v for v in values if not v.hidden and v.value is not None}
    close = difflib.get_close_matches(value.strip().lower(), list(shown), n=1, cutoff=0.8)
    return shown[close[0]] if close else None
