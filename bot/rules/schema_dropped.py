"""Dropping a schema destroys every table, view, function and type in it.

## Why is this bad?
`DROP SCHEMA … CASCADE` removes everything inside the schema in one statement; without `CASCADE` it
fails as soon as the schema holds anything. Either way, code that still uses the schema's objects fails,
and no down migration brings the data back: only a backup does. In MySQL and MariaDB `DROP SCHEMA` is
`DROP DATABASE`.

## Use instead
Move or drop the schema's objects one by one in earlier pull requests (each reviewed on its own), keep
a dump, and drop the then-empty schema without `CASCADE`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DropSchema, Migration, RawSQL
from bot.rules.context import Context

RULE = Rule(
    id="schema-dropped",
    dimension=Dimension.CODE_REFERENCES,
    severity=Severity.CRITICAL,
    help="Drop the schema's objects one by one in earlier changes, keep a dump, then drop it without CASCADE.",
    bad=("DROP SCHEMA reporting CASCADE;",),
    good=("DROP TABLE IF EXISTS reporting.daily_totals;",),
)


_CREATE = re.compile(r"^\s*CREATE\s+SCHEMA\s+(?:IF\s+NOT\s+EXISTS\s+)?(\S+)", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    created = {
        match.group(1).strip('"`').lower()
        for op in migration.up
        if isinstance(op, RawSQL) and op.category in ("schema", "create-schema")
        for match in [_CREATE.match(op.sql)]
        if match
    }
    for op in migration.up:
        if not isinstance(op, DropSchema) or op.name in created:
            continue
        if op.kind == "database":
            continue  # database-dropped
        if op.kind == "schema" and not op.cascade and context.postgres:
            severity, how = Severity.INFO, "Without CASCADE it fails unless the schema is already empty."
        else:
            severity, how = RULE.severity, "Every table, view, function and type in it is dropped with it."
        yield op.finding(
            RULE,
            f"Schema `{op.name}` is dropped{' with CASCADE' if op.cascade else ''}. {how}",
            severity=severity,
            blast_radius=f"All data in `{op.name}` is lost and every query that names its objects fails; only a backup "
            "restores it.",
        )
