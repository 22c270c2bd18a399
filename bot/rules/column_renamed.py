"""Renaming a column breaks every query of the release that is still running.

## Why is this bad?
During a deploy the old release and the new one run side by side. The moment the rename commits,
every query of the old release that names the column fails, and so does any job, report or other
service that reads the table.

## Use instead
Expand and contract: add the new column, write both, backfill, switch reads, stop writing the old one,
drop it later. On PostgreSQL a view or a generated column can keep the old name during the transition.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.context import Context
from bot.findings import Dimension, Finding, Rule, Severity
from bot.migration import Migration, RenameColumn
from bot.references import Target

RULE = Rule(
    id="column-renamed",
    dimension=Dimension.CODE_REFERENCES,
    severity=Severity.WARNING,
    help="Add the new column, write both, backfill, switch reads, then drop the old column later.",
    bad=("ALTER TABLE users RENAME COLUMN name TO full_name;",),
    good=("ALTER TABLE users ADD COLUMN full_name text;",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, RenameColumn) or context.catalog.is_new(op.table):
            continue
        uses = context.references.uses(Target("column", op.table, op.column, op.new_name))
        where = (
            f"{len(uses)} places in the code still use `{op.column}`"
            if uses
            else "no code references were found"
        )
        yield op.finding(
            RULE,
            f"Column `{op.table}.{op.column}` is renamed to `{op.new_name}`.",
            blast_radius=f"Every query of the running release that names `{op.column}` fails from the moment the "
            f"migration commits ({where}).",
        )
