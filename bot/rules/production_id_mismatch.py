"""A hard-coded ID names a row that production does not have, or a row whose label says something else.

## Why is this bad?
`CASE priority WHEN 'high' THEN 1 …` assumes that row 1 of `priorities` is "high" everywhere. Seeds,
sequences and manual fixes make production differ from the laptop the migration was written on. The
production probe fetches the rows with those IDs and their name or label columns, so the review shows
an ID swap in production's own words, and an ID that does not exist at all. Every literal ID is checked, in `SET`, `VALUES`, `WHERE`, `CASE` and
join conditions, against the table its column references through a foreign key; the label a statement
implies (`SET status_id = 2 WHERE status = 'active'`) is compared inside the database when the
probe's policy withholds it, so only "matches" or "does not match" leaves production. Without a probe
this rule stays quiet (see `hard-coded-id`).

## Use instead
Look each ID up by a stable key in the statement itself
(`(SELECT id FROM priorities WHERE code = 'high')`), or correct the IDs to what production holds.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.facts import Facts, Lookup
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, Operation
from bot.probe.assumptions import id_sites
from bot.references.code_values import normal
from bot.rules.context import Context

RULE = Rule(
    id="production-id-mismatch",
    dimension=Dimension.DATA_VERIFICATION,
    severity=Severity.CRITICAL,
    help="Look IDs up by a stable key (`(SELECT id FROM priorities WHERE code = 'high')`) or use production's IDs.",
    bad=(
        "CREATE TABLE priorities (id integer PRIMARY KEY, code text);\n"
        "CREATE TABLE tickets (id integer PRIMARY KEY, priority text, priority_id integer REFERENCES priorities);\n"
        "-- migration\n"
        "UPDATE tickets SET priority_id = CASE priority WHEN 'high' THEN 1 WHEN 'low' THEN 3 ELSE 2 END\n"
        "WHERE id BETWEEN 1 AND 1000;",
        "CREATE TABLE priorities (id integer PRIMARY KEY, code text);\n"
        "CREATE TABLE tickets (id integer PRIMARY KEY, priority text, priority_id integer REFERENCES priorities);\n"
        "-- migration\n"
        "UPDATE tickets SET priority_id = 1 WHERE priority = 'high' AND id BETWEEN 1 AND 1000;",
    ),
    good=(
        "CREATE TABLE priorities (id integer PRIMARY KEY, code text);\n"
        "CREATE TABLE tickets (id integer PRIMARY KEY, priority text, priority_id integer REFERENCES priorities);\n"
        "-- migration\n"
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
    grouped: dict[tuple[int, str], tuple[Operation, Lookup, list[tuple[str, str]], list[str]]] = {}
    for site in id_sites(migration.up, context.catalog):
        found = facts.lookup(site.table) if site.table else facts.lookup_via(site.origin, site.column)
        if found is None:
            continue
        _, _, pairs, ids = grouped.setdefault((id(site.op), site.table), (site.op, found, [], []))
        pairs.extend(p for p in site.labels if p not in pairs)
        ids.extend(i for i in site.ids if i not in ids)
    for op, found, pairs, ids in grouped.values():
        yield from _judge(op, found, pairs, ids, facts)


def _judge(
    op: Operation, found: Lookup, pairs: list[tuple[str, str]], ids: list[str], facts: Facts
) -> Iterator[Finding]:
    missing = [i for i in ids if i in found.missing]
    rows = dict(found.found)
    swaps = []
    for label, identifier_ in pairs:
        if identifier_ in found.missing:
            continue
        said = rows.get(identifier_, ())
        words = [value for _, value in said if value != "<hidden>"]
        if words:
            agrees: bool | None = normal(label) in {normal(w) for w in words}
        else:
            agrees = found.says(identifier_, label)
        if agrees is not False:
            continue
        holder = found.holder(label) or next(
            (i for i, s in found.found if normal(label) in {normal(v) for _, v in s}), None
        )
        elsewhere = f"; `'{label}'` is ID {holder} there" if holder and holder != identifier_ else ""
        what = (
            f"says {_said(said)}"
            if words
            else "does not carry that label (compared inside the database; its labels are withheld by the "
            "probe's policy)"
        )
        swaps.append(f"`'{label}'` → {identifier_}, but production's row {identifier_} {what}{elsewhere}")
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
        blast_radius=f"Every row the statement writes points at the wrong `{found.table}` row (or at none): "
        "the damage is silent and survives until someone notices wrong data.",
        fix=f"Look the IDs up by a stable key: `(SELECT {found.key} FROM {found.table} WHERE code = '…')`, or use the "
        "IDs production holds"
        + (": " + ", ".join(f"{i} ({_said(s)})" for i, s in found.found[:6]) if found.found else "")
        + ".",
    )


def _said(said: tuple[tuple[str, str], ...]) -> str:
    shown = [(column, value) for column, value in said if value != "<hidden>"]
    return (
        ", ".join(f"{column} = '{value}'" for column, value in shown)
        or "(labels withheld by the probe's policy)"
    )
