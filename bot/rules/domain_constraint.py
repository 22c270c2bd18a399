"""A CHECK constraint on a domain is validated against every column of that type, under lock.

## Why is this bad?
`ALTER DOMAIN … ADD CONSTRAINT` checks every row of every table with a column of the domain, holding
locks that block writes on all of them, and fails on the first row that does not pass. A constraint
written into `CREATE DOMAIN` is harmless today, but every later change to it is that same all-tables
operation, and dropping or changing it cannot be done table by table.

## Use instead
Put CHECK constraints on the tables (`ADD CONSTRAINT … CHECK (…) NOT VALID`, then `VALIDATE`), or add
the domain constraint `NOT VALID` and run `ALTER DOMAIN … VALIDATE CONSTRAINT` separately.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, RawSQL
from bot.rules.context import Context

RULE = Rule(
    id="domain-constraint",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.WARNING,
    help="Constrain the tables instead, or add the domain constraint NOT VALID and validate it separately.",
    bad=("ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_check CHECK (VALUE > 0);",),
    good=(
        "ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_check CHECK (VALUE > 0) NOT VALID;",
        "CREATE DOMAIN positive_amount AS numeric;",
    ),
    dialects=("postgres",),
)

_NAME = re.compile(r"^\s*(?:CREATE|ALTER)\s+DOMAIN\s+(?:IF\s+NOT\s+EXISTS\s+)?(\S+)", re.I)
_CHECK = re.compile(r"\bCHECK\s*\(", re.I)
_NOT_VALID = re.compile(r"\bNOT\s+VALID\s*$", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    for op in migration.up:
        if not isinstance(op, RawSQL) or op.category not in ("domain", "alter-domain"):
            continue
        match = _NAME.match(op.sql)
        name = match.group(1) if match else "the domain"
        if (
            op.category == "alter-domain"
            and re.search(r"\bADD\b", op.sql, re.I)
            and not _NOT_VALID.search(op.sql)
        ):
            yield op.finding(
                RULE,
                f"Adding a constraint to domain `{name}` validates every column of that type, in every table, under lock.",
                blast_radius="Writes to every table that uses the domain wait for the validation; the migration fails "
                "on the first row that does not pass.",
                suggestion=op.sql.rstrip() + " NOT VALID" if migration.alone_on_lines(op) else None,
            )
        elif op.category == "domain" and _CHECK.search(op.sql):
            yield op.finding(
                RULE,
                f"Domain `{name}` carries a CHECK constraint; every later change to it locks every table using it.",
                severity=Severity.INFO,
                blast_radius="Changing or dropping the constraint later is one operation over all tables at once.",
            )
