"""A hard-coded ID names a row that production does not have, or a row whose label says something else.

## Why is this bad?
`CASE priority WHEN 'high' THEN 1 …` assumes that row 1 of `priorities` is "high" everywhere. Seeds,
sequences and manual fixes make production differ from the laptop the migration was written on. The
production probe fetches the rows with those IDs and their name or label columns, so the review shows
an ID swap in production's own words, and an ID that does not exist at all. Without a probe this rule
stays quiet (see `hard-coded-id`).

## Use instead
Look each ID up by a stable key in the statement itself
(`(SELECT id FROM priorities WHERE code = 'high')`), or correct the IDs to what production holds.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from bot.model.facts import Facts, Lookup
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataDelete, DataUpdate, Migration, Operation
from bot.probe.questions import lookup_table
from bot.references.code_values import normal
from bot.rules.context import Context
from bot.sql.data_changes import literals, mapping_sites, where_of
from bot.sql.names import identifier

RULE = Rule(
    id="production-id-mismatch",
    dimension=Dimension.DATA_VERIFICATION,
    severity=Severity.CRITICAL,
    help="Look IDs up by a stable key (`(SELECT id FROM priorities WHERE code = 'high')`) or use production's IDs.",
    bad=(
        "UPDATE tickets SET priority_id = CASE priority WHEN 'high' THEN 1 WHEN 'low' THEN 3 ELSE 2 END\n"
        "WHERE id BETWEEN 1 AND 1000;",
    ),
    good=(
        "UPDATE tickets SET priority_id = (SELECT id FROM priorities WHERE code = tickets.priority)\n"
        "WHERE id BETWEEN 1 AND 1000;",
    ),
)

EXAMPLE_FACTS = Facts(
    connection="support-replica",
    dialect="postgres",
    taken_at="2026-01-05T09:00:00Z",
    lookups=(Lookup("priorities", "id", (("1", (("code", "low"),)), ("3", (("code", "high"),))), ()),),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    facts = context.facts
    if facts is None:
        return
    for op, mapping, _ in mapping_sites(migration.up):
        results = [(condition, r) for condition, r in mapping.whens if r.lstrip("-").isdigit()]
        if not mapping.target.endswith("_id") or not results:
            continue
        found = facts.lookup(lookup_table(migration.up, op.table, mapping.target))
        if found is not None:
            pairs = [(label, r) for condition, r in results for label in (literals(condition) or ())]
            yield from _judge(op, found, pairs, [r for _, r in results], facts)
    for statement in migration.up:
        if isinstance(statement, DataUpdate | DataDelete):
            for column, ids in _where_ids(statement):
                table = (
                    statement.table if column == "id" else lookup_table(migration.up, statement.table, column)
                )
                found = facts.lookup(table)
                if found is not None:
                    yield from _judge(statement, found, [], ids, facts)


def _judge(
    op: Operation, found: Lookup, pairs: list[tuple[str, str]], ids: list[str], facts: Facts
) -> Iterator[Finding]:
    missing = [i for i in ids if i in found.missing]
    rows = dict(found.found)
    swaps = []
    for label, identifier_ in pairs:
        said = rows.get(str(int(identifier_)), ())
        words = [value for _, value in said if value != "<hidden>"]
        if words and normal(label) not in {normal(w) for w in words}:
            holder = next((i for i, s in found.found if normal(label) in {normal(v) for _, v in s}), None)
            elsewhere = f"; `'{label}'` is ID {holder} there" if holder else ""
            swaps.append(
                f"`'{label}'` → {identifier_}, but production's row {identifier_} says {_said(said)}{elsewhere}"
            )
    if not missing and not swaps:
        return
    problems = swaps + (
        [
            f"ID{'s' if len(missing) > 1 else ''} {', '.join(missing)} do{'es' if len(missing) == 1 else ''} not exist"
        ]
        if missing
        else []
    )
    yield op.finding(
        RULE,
        f"Hard-coded IDs against `{found.table}` in production: {'; '.join(problems)} ({facts.cite(found.source)}).",
        blast_radius=f"Every row the statement maps points at the wrong `{found.table}` row (or at none): "
        "the damage is silent and survives until someone notices wrong data.",
        fix=f"Look the IDs up by a stable key: `(SELECT {found.key} FROM {found.table} WHERE code = '…')`, or use the "
        "IDs production holds: " + ", ".join(f"{i} ({_said(s)})" for i, s in found.found[:6]) + ".",
    )


def _said(said: tuple[tuple[str, str], ...]) -> str:
    shown = [(column, value) for column, value in said if value != "<hidden>"]
    return (
        ", ".join(f"{column} = '{value}'" for column, value in shown)
        or "(labels withheld by the probe's policy)"
    )


def _where_ids(op: Operation) -> Iterator[tuple[str, list[str]]]:
    condition = where_of(op)
    for node in condition.find_all(exp.EQ, exp.In) if condition is not None else ():
        if not isinstance(node.this, exp.Column):
            continue
        column = identifier(node.this)
        values = [node.expression] if isinstance(node, exp.EQ) else list(node.expressions)
        numbers = [v.name for v in values if isinstance(v, exp.Literal) and not v.is_string]
        if (column == "id" or column.endswith("_id")) and numbers and len(numbers) == len(values):
            yield column, numbers
