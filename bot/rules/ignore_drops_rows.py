"""MySQL's `IGNORE` on a change that copies or constrains rows: every row that would fail is dropped or
altered without an error (`ALTER IGNORE TABLE … ADD UNIQUE`, `INSERT IGNORE … SELECT`).

## Why is this bad?
`ALTER IGNORE TABLE users ADD UNIQUE (email)` on MariaDB (and MySQL before 5.7) keeps the first row of each
group of duplicates and deletes the others, whichever the table happens to return first: accounts, orders
and everything their rows held are gone, silently, and nothing says which. MySQL 5.7 and later refuse the
statement (the deploy stops). `INSERT IGNORE INTO new_users SELECT … FROM users` turns every error of the
copy into a warning: rows whose key collides are skipped, strings too long are cut, NULLs sent into NOT
NULL columns become `''` or 0, rows that break a foreign key are left out. The copy finishes with fewer or
different rows than the source, and the old table is usually dropped right after.

## Use instead
Find and resolve the duplicates first (`SELECT email, count(*) FROM users GROUP BY email HAVING count(*) >
1`), deciding which row survives and moving what points at the others, then add the key without `IGNORE`.
Copy without `IGNORE` so that a row that does not fit stops the migration, and compare the row counts of
source and copy before dropping anything. `INSERT IGNORE` that adds rows to a table keeping its own (seed rows, a setting per user: skip the keys
that exist) is not reported; a copy into a table the migration creates, or whose source it then drops, is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataInsert, DropTable, Migration, RawSQL, RenameTable
from bot.rules.context import Context
from bot.sql.commands import name

RULE = Rule(
    id="ignore-drops-rows",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Resolve duplicates and misfits first and run the change without IGNORE, so that a row that does not "
    "fit stops it.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100) NOT NULL);\n-- migration\n"
        "ALTER IGNORE TABLE users ADD UNIQUE INDEX users_email (email);",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100) NOT NULL);\n-- migration\n"
        "ALTER TABLE users ADD UNIQUE INDEX users_email (email);",
    ),
    dialects=("mysql", "mariadb"),
)

_ALTER_IGNORE = re.compile(r"^\s*ALTER\s+(?:ONLINE\s+)?IGNORE\s+TABLE\s+(\S+)", re.I)
_KEY = re.compile(r"\b(?:UNIQUE|PRIMARY\s+KEY)\b", re.I)
_FROM = re.compile(r"\b(?:FROM|JOIN)\s+`?(\w+)`?", re.I)
_INSERT_IGNORE = re.compile(r"^\s*INSERT\s+(?:LOW_PRIORITY\s+|HIGH_PRIORITY\s+|DELAYED\s+)?IGNORE\b", re.I)


def _a_copy(migration: Migration, op: DataInsert, context: Context) -> bool:
    """The INSERT fills a table the migration creates (the copy of a rebuild or a split), or its source is
    dropped or renamed away after it: what the copy leaves out is lost."""
    if context.catalog.is_new(op.table):
        return True
    start = migration.up.index(op)
    sources = {t.lower() for t in _FROM.findall(op.sql)}
    return any(
        isinstance(later, DropTable | RenameTable) and later.table.lower() in sources
        for later in migration.up[start + 1 :]
    )


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if isinstance(op, RawSQL) and (match := _ALTER_IGNORE.match(op.sql)) and _KEY.search(op.sql):
            table = name(match.group(1))
            if context.catalog.is_new(table):
                continue
            mariadb = context.dialect == "mariadb"
            yield op.finding(
                RULE,
                f"`ALTER IGNORE TABLE {table}` adds a unique key: "
                + (
                    "MariaDB keeps one row of each group of duplicates, whichever comes first, and deletes the "
                    "others without an error."
                    if mariadb
                    else "MySQL 5.7 and later refuse `ALTER IGNORE` (the migration fails); MariaDB and older "
                    "MySQL delete every duplicate but one without an error."
                ),
                blast_radius=f"Duplicate rows of {context.size_words(table)}: deleted, with no record of which, "
                "and rows of other tables that point at them left behind.",
            )
        elif isinstance(op, DataInsert) and op.from_select and _INSERT_IGNORE.match(op.sql):
            if not _a_copy(migration, op, context):
                continue  # rows added to a table that keeps its own: IGNORE skips the keys it already has
            yield op.finding(
                RULE,
                f"`INSERT IGNORE INTO {op.table} … SELECT` copies rows with every error turned into a warning: "
                "rows whose key collides are skipped, values too long are cut, NULLs become '' or 0.",
                severity=Severity.WARNING,
                blast_radius=f"Rows copied into `{op.table}`: some missing or changed without an error; the copy "
                "looks complete.",
                fix="Copy without IGNORE (a row that does not fit stops the migration) and compare the row counts "
                "of source and copy before dropping the source.",
            )
