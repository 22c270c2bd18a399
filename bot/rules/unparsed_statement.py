"""A statement the review could not understand is reported, never skipped in silence.

## Why is this bad?
Every other rule reads the statement's operations; a statement that could not be read is one no rule
has checked. It may be valid SQL in a dialect or a construct the parser does not know, or a typo that
will fail the deploy. What no rule has checked never passes the gate: the review stays BLOCKED until the
statement is read by hand and this finding is suppressed with a reason.

## Use instead
Check the statement by hand (or against a scratch database). If the dialect is wrong, set `dialect`
in `.github/migration-review.yml`; if the statement is fine, suppress this finding with a reason.

A statement of a PostgreSQL SQL file that PostgreSQL's own parser refuses (a comma where a statement should end,
a misspelt keyword), with nothing in it a runner fills in first (Flyway's `${…}` placeholders, psql variables),
is no statement the review failed to read: it is a migration that fails when it runs, and a block. What a
runner fills in is read first: a schema before a table's name (Flyway's `${schema}.users`, the Go templates pop
renders, `{{ index .Options "Namespace" }}.users`) is left out, any other filled-in value stands as a
placeholder, and a statement with one is never called refused.

So is a column type written for another database, a line copied between the files a multi-database project
keeps per database: `login_time DATETIME` or `data LONGTEXT` in a PostgreSQL file ("type "datetime" does not
exist"), `text(100)` there ("type modifier is not allowed"), and `jsonb`, `timestamptz`, `bytea` or `citext` in a
MySQL or MariaDB file ("Unknown data type"). MySQL and MariaDB also refuse a name in double quotes (`ADD COLUMN
"key" TEXT`, which they read as a string) unless the file sets `sql_mode` to ANSI_QUOTES. A statement of a SQLite
file that SQLite's own parser (the one Python ships, whose version the finding names) cannot read is critical
too: `DROP COLUMN IF EXISTS`, two `ADD COLUMN`s in one ALTER TABLE, `DEFAULT now()` without parentheses,
`INSERT … SELECT … ON CONFLICT` without a WHERE.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.frameworks import unknown
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import PLACEHOLDER, Migration, Unparsed
from bot.rules.context import Context

RULE = Rule(
    id="unparsed-statement",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.WARNING,
    help="Review the statement by hand and suppress this finding with a reason; set the repository's dialect if "
    "it is not the one detected.",
    bad=("ALTER TABLE users FROBNICATE COLUMN x;",),
    good=("ALTER TABLE users ADD COLUMN x integer;",),
)


# the readers' word for a statement the server's grammar or catalog refuses, by database
# (the MySQL reader reads MariaDB's files too)
_REJECTED = {
    "postgres": "PostgreSQL rejects it: ",
    "mysql": "MySQL rejects it: ",
    "mariadb": "MySQL rejects it: ",
    "sqlite": "SQLite ",  # "SQLite 3.40.1 rejects it: …", the version of the SQLite that was asked
}
_SERVERS = {"postgres": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB", "sqlite": "SQLite"}
# what a runner or a tool fills in before PostgreSQL reads the file: Flyway's and Liquibase's `${…}`, templates'
# `{{ … }}` and `{% … %}`, psql's `:name`, `:'name'` and backslash commands
_FILLED_IN = re.compile(r"\$\{|\{\{|\{%|(?<![:\w]):(?!:)['\"]?[A-Za-z_]|^\s*\\", re.M)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if migration.unreached and migration.framework == unknown.NAME:
        return  # its runner never finds it (migration-never-runs): how a runner the review lacks reads it is moot
    for op in migration.up:
        if isinstance(op, Unparsed) and _refused(op, migration):
            yield _fails(op, migration)
        elif isinstance(op, Unparsed):
            first = op.sql.strip().splitlines()[0][:80] if op.sql.strip() else "the file"
            yield op.finding(
                RULE,
                f"This statement could not be understood ({op.error}): `{first}`.",
                blast_radius="No rule has checked this statement; its locks and data effects are unknown, so the "
                "review stays blocked until someone reads it and suppresses this finding with a reason.",
            )


def refusal(finding: Finding) -> bool:
    """Is the finding one of a statement the database itself refuses (not one the review could not read)?"""
    return finding.rule == RULE.id and " refuses this statement (" in finding.message


def _refused(op: Unparsed, migration: Migration) -> bool:
    """Is the statement one PostgreSQL's own parser refuses, in a SQL file the runner sends as it is written
    (nothing in it that a runner or a tool fills in first)?"""
    return (
        migration.dialect in _REJECTED
        and migration.path.endswith(".sql")
        and op.error.startswith(_REJECTED[migration.dialect])
        and " rejects it: " in op.error
        and _FILLED_IN.search(op.sql) is None
        and PLACEHOLDER not in op.sql  # a value the runner fills in, read as a placeholder
    )


def _fails(op: Unparsed, migration: Migration) -> Finding:
    first = " ".join(op.sql.split())
    first = first if len(first) <= 100 else first[:99] + "…"
    server, error = op.error.split(" rejects it: ", 1)
    server = _SERVERS[migration.dialect] if migration.dialect != "sqlite" else server
    after = (
        "the migration's transaction rolls back whole, and a runner that records the failure (Prisma) refuses "
        "every later deploy until it is resolved by hand"
        if migration.in_transaction
        else "the statements before it stay applied, and the schema is left half-way"
    )
    return op.finding(
        RULE,
        f"{server} refuses this statement ({error}): the migration fails here when it runs: `{first}`.",
        severity=Severity.CRITICAL,
        blast_radius=f"The deploy stops at this statement on every database; {after}.",
        fix="Correct the statement ("
        + (
            "PostgreSQL's parser, the one the review reads it with, names the token it stops at"
            if server == "PostgreSQL"
            else "write it for the database it runs on"
        )
        + "), and run the migration once against a scratch database before it ships.",
    )
