"""Dropping a table breaks code that still uses it and destroys its data.

## Why is this bad?
Queries, jobs and other services that still read the table fail as soon as it is gone, and its rows
cannot be brought back by a down migration: only a backup restores them.

## Use instead
Remove every use of the table and deploy first; rename it aside (or revoke access) for a release to
prove nothing uses it; keep a copy (`CREATE TABLE … AS` or a dump) before dropping it.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.context import Context
from bot.findings import Dimension, Finding, Rule, Severity
from bot.migration import DropTable, Migration, Truncate
from bot.references import Target

RULE = Rule(
    id="table-dropped",
    dimension=Dimension.CODE_REFERENCES,
    severity=Severity.WARNING,
    help="Remove every use of the table, deploy, keep a copy of its rows, then drop it in a later pull request.",
    bad=("DROP TABLE legacy_invoices;",),
    good=("CREATE TABLE invoices (id bigint PRIMARY KEY);",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DropTable | Truncate) or context.catalog.is_new(op.table):
            continue
        uses = context.references.uses(Target("table", op.table, op.table))
        where = f"{len(uses)} places in the code still use it" if uses else "no code references were found"
        verb = "dropped" if isinstance(op, DropTable) else "truncated"
        cascade = " `CASCADE` also empties every table whose foreign keys point at it." if op.cascade else ""
        yield op.finding(
            RULE,
            f"Table `{op.table}` is {verb}.{cascade}",
            blast_radius=f"All rows of {context.size_words(op.table)} are lost and any code that queries it fails ({where}).",
            severity=Severity.CRITICAL if op.cascade else None,
        )
