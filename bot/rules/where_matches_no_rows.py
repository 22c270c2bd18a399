"""A data change filters on a value that production does not hold, so it changes nothing (or less than meant).

## Why is this bad?
`UPDATE orders SET … WHERE status = 'canceled'` when production spells it `'cancelled'`, or stores
`'CANCELED'`, runs without an error and changes no row. The migration is recorded as applied; the data
is never fixed, and nobody notices until the bug it was meant to repair comes back. The production probe
counts the values of the filtered column, so the review can say which listed values occur nowhere, and
whether a case or whitespace variant does. Without a probe, the values the database itself allows (a
MySQL `ENUM`, a validated CHECK that reads only the column) tell the same for any value outside them, in
every environment: that finding is critical.

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
from bot.rules._schema_domain import enum_labels, refused_by_check
from bot.rules.context import Context
from bot.sql.domains import Literal

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
    for op in migration.up:
        if not isinstance(op, DataUpdate | DataDelete | DataInsert) or context.catalog.is_new(op.table):
            continue
        # one arm of an OR (`status = '' OR status IS NULL`) matching nothing leaves the others to match
        for table, column, listed, numbers in compared_values(op, required=True):
            found = facts.column(table, column) if facts is not None else None
            if found is None or facts is None:
                yield from _outside_the_domain(op, table, column, listed, context)
                continue
            if not found.complete or (numbers and column.endswith("id")):
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


def _outside_the_domain(
    op: DataUpdate | DataDelete | DataInsert,
    table: str,
    column: str,
    listed: tuple[str, ...],
    context: Context,
) -> Iterator[Finding]:
    """Without production's values: the values the database itself allows in the column (its enum type's
    labels, a CHECK that reads only it). A value outside them is held by no row, in any environment."""
    catalog = context.before(op)
    known = catalog.column(table, column)
    if known is None:
        return
    dialect = "mysql" if context.mysql else context.dialect
    labels = enum_labels(known.type, catalog)
    absent: list[str] = []
    allowed: list[str] = []
    by = ""
    if labels and not known.type.lower().startswith("enum("):
        # PostgreSQL refuses the comparison itself ("invalid input value for enum"): the statement fails,
        # and every query written from its condition would too; not judged here
        return
    if labels:  # MySQL's ENUM('a', 'b') column
        fold = str.lower if context.mysql else str
        absent = [v for v in listed if fold(v) not in {fold(label) for label in labels}]
        allowed, by = labels, "its `ENUM`"
    else:
        checked = refused_by_check(
            table, column, [Literal(v, True) for v in listed], catalog, dialect, validated_only=True
        )
        if checked is not None:
            by, absent = f"its {checked[0]}", [v.text for v in checked[1]]
    if not absent:
        return
    close = {v: difflib.get_close_matches(v, allowed, n=1, cutoff=0.8) for v in absent} if allowed else {}
    shown = ", ".join(
        f"`'{v}'`" + (f" (meant `'{close[v][0]}'`?)" if close.get(v) else "") for v in absent[:6]
    )
    what = "no rows" if len(absent) == len(listed) else "fewer rows than listed"
    # the database's own constraint rules these values out everywhere: a certain mistake, not a guess
    yield op.finding(
        RULE,
        f"`{table}.{column}` can never hold {shown}: {by} does not allow it, so the condition matches {what}.",
        severity=Severity.CRITICAL,
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
