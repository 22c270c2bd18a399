"""A column of a unique key starts to compare without case: rows that differ only in case collide.

## Why is this bad?
`ALTER TABLE users ALTER COLUMN email TYPE citext` (or a collation that ignores case: MySQL's `…_ci`, SQLite's
`NOCASE`) makes `Ann@example.com` and `ann@example.com` one value. The column's unique index is built again
under the new comparison, and at the first such pair the statement fails: on PostgreSQL "could not create
unique index", on MySQL a duplicate entry after the whole table was copied, on SQLite (which rebuilds the
table) a UNIQUE constraint failure. Development databases rarely hold two spellings of one value; production,
where users typed them, usually does. Once it is in place, the release still running can no longer insert a
value that differs from an existing one only in case.

## Use instead
Count the values that would collide first:
`SELECT lower(email), count(*) FROM users GROUP BY lower(email) HAVING count(*) > 1 LIMIT 20;`, decide which
row of each group keeps its value and merge or rename the others in an earlier migration, then change the
comparison.

## Framework notes
Read from `ALTER COLUMN … TYPE citext`, `TYPE … COLLATE x` and MySQL's `MODIFY`/`CHANGE … COLLATE x`, and from
Rails' `change_column … collation: "x"`. A MySQL column is taken to compare without case already unless the
schema gives it a binary or case-sensitive collation (`…_bin`, `…_cs`): MySQL's defaults ignore case. Quiet
when the table is created by the change, and when the column is in no unique key (primary key, UNIQUE
constraint, unique index that is not partial).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.catalog import Column
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.markup import code_span
from bot.model.migration import AlterColumnType, Migration
from bot.rules.context import Context
from bot.sql.names import quote, quote_column

RULE = Rule(
    id="unique-key-case-folded",
    dimension=Dimension.DATA_VERIFICATION,
    severity=Severity.WARNING,
    help="Find and resolve the values of the unique key that differ only in case before the column stops "
    "telling them apart.",
    bad=(
        "CREATE EXTENSION citext;\nCREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);\n"
        "-- migration\nALTER TABLE users ALTER COLUMN email TYPE citext;",
    ),
    good=(
        "CREATE EXTENSION citext;\nCREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, "
        "nickname text);\n-- migration\nALTER TABLE users ALTER COLUMN nickname TYPE citext;",
        "CREATE EXTENSION citext;\n-- migration\nCREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL "
        "UNIQUE);\nALTER TABLE users ALTER COLUMN email TYPE citext;",
    ),
)

# MySQL's collations: `…_bin`, `…_cs` (and `binary`) tell case apart; `…_ci` ignores it
_MYSQL_FOLDS = re.compile(r"_ci$", re.I)
_MYSQL_KEEPS = re.compile(r"(?:_bin|_cs)$|^binary$", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, AlterColumnType) or context.catalog.is_new(op.table):
            continue
        before = context.before(op)
        column = before.column(op.table, op.column)
        if column is None or not _folds_now(op, context.dialect) or _folded_before(column, context.dialect):
            continue
        keys = [key for key in before.unique_keys(op.table) if op.column in key]
        if not keys:
            continue
        key = ", ".join(keys[0])
        name = quote_column(op.column, context.dialect)
        folded = f"lower({name})"
        query = (
            f"SELECT {folded}, count(*) FROM {quote(op.table, context.dialect)} GROUP BY {folded} "
            "HAVING count(*) > 1 LIMIT 20;"
        )
        yield op.finding(
            RULE,
            f"`{op.table}.{op.column}` now compares without case ({_how(op)}), and it is in the unique key "
            f"({key}): two existing values that differ only in case become one, and the key is built again "
            "under the new comparison.",
            blast_radius=f"With one such pair in {context.size_words(op.table, op)} the migration fails while it "
            "rebuilds the key; once it is in place, writes of the running release that differ from an existing "
            "value only in case fail with a unique violation.",
            fix="Check first: "
            + code_span(query)
            + " and merge or rename the colliding rows in an earlier migration.",
        )


def _folds_now(op: AlterColumnType, dialect: str) -> bool:
    """Does the column's new definition compare text without case?"""
    if re.match(r"\s*citext\b", op.new_type, re.I):
        return dialect == "postgres"
    collation = op.collation.strip('"`').lower()
    if dialect in ("mysql", "mariadb"):
        return bool(_MYSQL_FOLDS.search(collation))
    if dialect == "sqlite":
        return collation == "nocase"
    return False


def _folded_before(column: Column, dialect: str) -> bool:
    """Did the column already compare without case (so the key already kept such values apart)?"""
    collation = column.collation.strip('"`').lower()
    if dialect == "postgres":
        return bool(re.match(r"\s*citext\b", column.type, re.I))
    if dialect in ("mysql", "mariadb"):
        # a column that states no case-sensitive collation has its table's, and MySQL's defaults ignore case
        return not _MYSQL_KEEPS.search(collation)
    if dialect == "sqlite":
        return collation == "nocase"
    return True


def _how(op: AlterColumnType) -> str:
    if op.collation:
        return f"collation `{op.collation.strip(chr(34))}`"
    return f"type `{op.new_type}`"
