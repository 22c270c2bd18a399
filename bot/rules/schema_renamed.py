"""Renaming a schema breaks every query that names its tables through the old schema.

## Why is this bad?
`ALTER SCHEMA … RENAME TO …` is instant, and so is the failure: the running release's queries,
`search_path` settings, grants given by name, jobs and other services that write `old_schema.table`
fail from the moment it commits.

## Use instead
Create the new schema and move objects over while the old name keeps working (views in the old schema,
or both names on the `search_path`), switch every reader, then drop the old schema later.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, RawSQL
from bot.rules.context import Context

RULE = Rule(
    id="schema-renamed",
    dimension=Dimension.CODE_REFERENCES,
    severity=Severity.WARNING,
    help="Move objects to a new schema while the old name keeps working, switch readers, then drop the old one.",
    bad=("ALTER SCHEMA reporting RENAME TO analytics;",),
    good=("CREATE SCHEMA IF NOT EXISTS analytics;",),
    dialects=("postgres",),
)

_RENAME = re.compile(r"^\s*ALTER\s+SCHEMA\s+(\S+)\s+RENAME\s+TO\s+(\S+)", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        match = _RENAME.match(op.sql) if isinstance(op, RawSQL) and op.category == "alter-schema" else None
        if match is None:
            continue
        old, new = (name.strip('"') for name in match.groups())
        yield op.finding(
            RULE,
            f"Schema `{old}` is renamed to `{new}`.",
            blast_radius=f"Every query, grant and `search_path` that names `{old}` fails from the moment the migration "
            "commits.",
        )
