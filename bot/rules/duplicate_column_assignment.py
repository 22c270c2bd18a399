"""A column assigned or declared twice in one statement is an error, or a silent overwrite.

## Why is this bad?
`UPDATE t SET a = 1, a = 2` fails in PostgreSQL ("multiple assignments to same column") and in MySQL
silently keeps the last value; a column declared twice in `CREATE TABLE` or added twice in one
`ALTER TABLE` fails everywhere. Either the migration stops at deploy, or it does something other than
what one of the two lines says.

## Use instead
Keep one assignment (or declaration) per column, and decide which value is meant.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Location, Rule, Severity
from bot.model.migration import AddColumn, CreateTable, DataUpdate, Migration, Operation
from bot.rules.context import Context

RULE = Rule(
    id="duplicate-column-assignment",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Assign or declare each column once per statement.",
    bad=("UPDATE orders SET state = 'open', state = 'new' WHERE id = 1;",),
    good=("UPDATE orders SET state = 'open', note = 'new' WHERE id = 1;",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    added: dict[tuple[Location, str], list[str]] = {}
    anchors: dict[tuple[Location, str], Operation] = {}
    for op in migration.up:
        if isinstance(op, DataUpdate):
            yield from _report(op, [column for column, _ in op.assignments], "assigned", context)
        elif isinstance(op, CreateTable):
            yield from _report(op, [column.name for column in op.columns], "declared", context)
        elif isinstance(op, AddColumn):
            key = (op.location, op.sql)
            added.setdefault(key, []).append(op.column.name)
            anchors.setdefault(key, op)
    for key, names in added.items():
        yield from _report(anchors[key], names, "added", context)


def _report(op: Operation, names: list[str], verb: str, context: Context) -> Iterator[Finding]:
    for name, count in Counter(names).items():
        if count < 2:
            continue
        silent = verb == "assigned" and context.mysql
        yield op.finding(
            RULE,
            f"Column `{name}` is {verb} {count} times in one statement.",
            blast_radius="MySQL keeps the last assignment; the other one is silently lost."
            if silent
            else "The statement fails and the migration stops at deploy.",
        )
