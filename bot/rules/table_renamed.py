"""Renaming a table breaks every query of the release that is still running.

## Why is this bad?
The old release names the old table; from the moment the rename commits, its queries fail, as do
jobs, reports and other services that read the table. Moving a table to another schema (`ALTER TABLE
tokens SET SCHEMA private`) is the same break: queries that find it through the search path, or name its old
schema, no longer do.

## Use instead
Create the new table (or rename and leave a view with the old name: `CREATE VIEW old AS SELECT * FROM
new`, which PostgreSQL lets simple writes go through), move the code over, then remove the old name.

## Framework notes
A Django relation to the renamed table's model (`ForeignKey(Dashboard)`, `related_name="dashboards"`) follows
the model, not the table name; the model this pull request moves to the new name is what the release still
running during the deploy uses: the finding says so and is a warning. So does a Prisma model the change maps to
the new table (`@@map("users")`), and a field it maps to a renamed column (`@map("email_address")`): the client
follows the mapping, raw SQL (`$queryRaw`) does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, RawSQL, RenameTable
from bot.references.blast_radius import assess
from bot.references.search import Target
from bot.rules._running_release import past_the_client, prisma_moved, removed_places
from bot.rules.context import Context

RULE = Rule(
    id="table-renamed",
    dimension=Dimension.CODE_REFERENCES,
    severity=Severity.WARNING,
    help="Keep the old name working (a view) until no code uses it, then remove it in a later pull request.",
    bad=("ALTER TABLE invoices RENAME TO bills;",),
    good=("ALTER TABLE invoices RENAME TO bills;\nCREATE VIEW invoices AS SELECT * FROM bills;",),
)

_VIEW = re.compile(r"\s*CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w.\"]+)", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    views = {
        m.group(1).strip('"').split(".")[-1].lower()
        for op in migration.up
        if isinstance(op, RawSQL)
        for m in [_VIEW.match(op.sql)]
        if m
    }
    for op in migration.up:
        if not isinstance(op, RenameTable) or context.catalog.is_new(op.table) or op.table in views:
            continue
        if _serial_sequence(op.table, context):
            continue  # `ALTER TABLE … RENAME` of a column's sequence: defaults point at it by oid, not name
        target = Target("table", op.table, op.table, op.new_name)
        uses = context.uses(target, op)
        model = prisma_moved(context, target)
        if model:
            uses = past_the_client(uses)
        found = assess(uses, op.table, removed=context.references.removed_uses(target))
        still = f" while {found.still_used(f'`{op.table}`')}" if found.blocking else ""
        severity, moved = found.severity, ""
        places = removed_places(context, target)
        if model and severity in (None, Severity.INFO):
            moved = (
                f" This change maps the Prisma model `{model}` to `{op.new_name}` (`@@map`): the new release's "
                f"client queries `{op.new_name}`, while the release still running during the deploy queries "
                f"`{op.table}` and fails once the table is renamed."
            )
            severity = Severity.WARNING
        elif places and severity in (None, Severity.INFO):
            # the code this change deletes is what the release running during the deploy still executes
            moved = (
                f" This change also moves the code off `{op.table}` ({places}): the release still running during "
                "the deploy executes the old code, and its queries fail once the table is renamed."
            )
            severity = Severity.WARNING
        old, new = op.table.rpartition(".")[2], op.new_name.rpartition(".")[2]
        renamed = (
            f"is moved to schema `{op.new_name.rpartition('.')[0] or 'public'}` (`{op.new_name}`)"
            if old == new
            else f"is renamed to `{op.new_name}`"
        )
        yield op.finding(
            RULE,
            f"Table `{op.table}` {renamed}{still}.{moved}",
            blast_radius=found.blast_radius
            if found.references
            else f"Every query of the running release that names `{op.table}` fails from the moment the "
            "migration commits (no code references were found).",
            severity=severity,
            references=found.references,
        )


def _serial_sequence(name: str, context: Context) -> bool:
    """`<table>_<column>_seq` of a table the schema has, and no table itself: the sequence PostgreSQL made for
    a serial column (NetBox renames the join tables' `…_id_seq` after renaming the tables)."""
    if not context.postgres or not name.endswith("_seq") or name in context.catalog.tables:
        return False
    owner, _, column = name.removesuffix("_seq").rpartition("_")
    return bool(owner and column) and owner in context.catalog.tables
