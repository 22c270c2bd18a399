"""Dropping a column breaks code that still reads or writes it.

## Why is this bad?
The old release keeps running during a deploy; its queries name the column and fail the moment the
migration commits. ORMs that cache the table's columns (Rails, Django's model state) fail until they
restart, and the column's data is gone: a rollback brings back an empty column.

## Use instead
Stop reading and writing the column (Rails: `self.ignored_columns += ["col"]`; Django:
remove the field with `SeparateDatabaseAndState`), deploy, then drop it in a later pull request,
after saving its values if they may be needed.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.context import Context
from bot.findings import Dimension, Finding, Rule, Severity
from bot.migration import DropColumn, Migration
from bot.references import Target

RULE = Rule(
    id="column-dropped",
    dimension=Dimension.CODE_REFERENCES,
    severity=Severity.WARNING,
    help="Remove every use of the column and deploy before dropping it in a later pull request.",
    bad=("ALTER TABLE users DROP COLUMN legacy_status;",),
    good=("ALTER TABLE users ADD COLUMN status text;",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DropColumn) or context.catalog.is_new(op.table):
            continue
        uses = context.references.uses(Target("column", op.table, op.column))
        where = f"{len(uses)} places in the code still use it" if uses else "no code references were found"
        yield op.finding(
            RULE,
            f"Column `{op.table}.{op.column}` is dropped.",
            blast_radius=f"The release still running during the deploy fails on any query that names "
            f"`{op.column}`; its values are lost ({where}).",
        )
