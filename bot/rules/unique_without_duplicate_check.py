"""A unique index or constraint on an existing table, with nothing showing its rows are already unique.

## Why is this bad?
Adding uniqueness checks every existing row. One duplicate key and the statement fails, after reading the
whole table (a `CONCURRENTLY` build leaves an INVALID index behind that must be dropped by hand; on MySQL the
ALTER is rolled back after its copy). Once it is in place, every write of the release still running that
repeats a key fails with a unique violation: code that never had to care about duplicates starts raising
errors. Which of the two happens depends on data the migration does not see.

## Use instead
Check production first:
`SELECT email, count(*) FROM users GROUP BY email HAVING count(*) > 1 LIMIT 20;` (or let the production
probe check it: with a probe this rule gives way to `duplicates-before-unique`, which reports what it
found). Merge or delete the duplicates in an earlier migration, make sure the code no longer writes them,
then add the index (`CREATE UNIQUE INDEX CONCURRENTLY` on PostgreSQL).

## Framework notes
Quiet when the table is created by the change, when the key contains the table's primary key or the
columns of a unique key the table already has (a partial unique index on `email` while `email` is
unique: a subset of unique rows is unique), when every key column is added by the same migration without
a default (NULLs never collide), when the same migration deletes from the table before it adds the
index (the clean-up step), and when the migration replaces a unique key by a wider one (it drops `(document_id,
date)` and adds `(document_id, date, period)`), or adds it again over a column a step in between renamed
(Django's `RemoveConstraint`, `RenameField`, `AddConstraint`): the rows the old key kept apart are still apart,
unless a step in between writes the table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.catalog import Catalog, unqualified
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.markup import code_span
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    DataDelete,
    DataInsert,
    DataUpdate,
    Migration,
    Operation,
    RunCode,
)
from bot.probe.questions import added_unique_key
from bot.rules._renames import name_before, renamed
from bot.rules.context import Context
from bot.sql.names import quote, quote_column

RULE = Rule(
    id="unique-without-duplicate-check",
    dimension=Dimension.DATA_VERIFICATION,
    severity=Severity.WARNING,
    help="Check production for duplicate keys (or run the production probe) before adding uniqueness.",
    bad=(
        "CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);",
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
    ),
    good=(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, login text);\n"
        "CREATE UNIQUE INDEX accounts_login_key ON accounts (login);",
        "ALTER TABLE users ADD COLUMN external_id text;\n"
        "CREATE UNIQUE INDEX CONCURRENTLY users_external_id_key ON users (external_id);",
        "CREATE UNIQUE INDEX CONCURRENTLY users_id_email_key ON users (id, email);",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    ops = migration.up
    for index, op in enumerate(ops):
        added = added_unique_key(op)
        if added is None or (isinstance(op, AddConstraint) and op.using_index):
            continue
        unique, columns, where, what = added.op, added.columns, added.where, added.label
        if not columns or _known_unique(unique, columns, ops[:index], context):
            continue
        key = ", ".join(columns)
        # names as the database needs them written (`"documentId"`); expressions as the index has them
        selected = ", ".join(
            quote_column(c, context.dialect) if re.fullmatch(r"\w+", c) else c for c in columns
        )
        filtered = f" WHERE {where}" if where else ""
        yield unique.finding(
            RULE,
            f"The {what} on `{unique.table}` ({key}) assumes the existing rows have no duplicate keys; nothing in "
            "the change shows they have none.",
            blast_radius=f"With one duplicate in {context.size_words(unique.table)} the migration fails after reading "
            "the whole table (a concurrent build leaves an INVALID index behind); once in place, writes of the "
            f"running release that repeat ({key}) fail with a unique violation.",
            fix="Check first: "
            + code_span(
                f"SELECT {selected}, count(*) FROM {quote(unique.table, context.dialect)}{filtered} "
                f"GROUP BY {selected} HAVING count(*) > 1 LIMIT 20;"
            )
            + " (or review with the production probe); clean up in an earlier migration.",
        )


def _known_unique(
    op: AddIndex | AddConstraint, columns: tuple[str, ...], earlier: tuple[Operation, ...], context: Context
) -> bool:
    table, catalog = op.table, context.before(op)
    if catalog.is_new(table):
        return True
    facts = context.facts
    if facts is not None and facts.count("duplicates", table, columns) is not None:
        return True  # the probe answered: duplicates-before-unique reports what it found
    primary = catalog.row_key(table)
    if primary and set(primary) <= set(columns):
        return True
    wanted = {_bare(c) for c in columns}
    if any(key and {_bare(c) for c in key} <= wanted for key in catalog.unique_keys(table)):
        return True  # an existing unique key on some of these columns already keeps every row apart
    if _unique_at_start(table, wanted, earlier, context):
        return True
    added = {
        op.column.name
        for op in earlier
        if isinstance(op, AddColumn) and op.table == table and op.column.default is None
    }
    if (
        set(columns) & (added | _added_empty(table, catalog, context))
        and "NULLS NOT DISTINCT" not in op.sql.upper()
    ):
        return True  # a key column is NULL in every existing row, and NULLs never collide
    if unqualified(table) in catalog.deleted_in_change:
        return True  # an earlier migration of the change deletes rows of the table: its dedupe
    if _rewritten(op, wanted, earlier, context, catalog):
        return True  # an earlier step rewrites the key's values (renames the conflicting ones): its dedupe
    return any(isinstance(op, DataDelete) and op.table == table for op in earlier)


def _unique_at_start(table: str, wanted: set[str], earlier: tuple[Operation, ...], context: Context) -> bool:
    """A key the migration dropped a moment before, on some of these columns (`(document_id, date)` replaced by
    `(document_id, date, period)`): the rows it kept apart are still apart, unless a step in between wrote
    the table's rows."""
    bare = unqualified(table)
    for op in earlier:
        if isinstance(op, DataUpdate | DataInsert) and unqualified(op.table) == bare:
            return False
        if isinstance(op, RunCode) and (not op.touches or bare in {unqualified(t) for t in op.touches}):
            return False  # code that may write the table
    # a key of the table as the migration found it, under the names the steps before this one gave its table
    # and columns (netbox's RemoveConstraint, RenameField `content_type` to `object_type`, AddConstraint)
    start = name_before(table, earlier)
    return any(
        key and {_bare(c) for c in renamed(start, key, earlier)[1]} <= wanted
        for key in context.catalog.unique_keys(start)
    )


def _rewritten(
    unique: AddIndex | AddConstraint,
    key: set[str],
    earlier: tuple[Operation, ...],
    context: Context,
    catalog: Catalog,
) -> bool:
    """Does an earlier step of the change (this migration's, or an earlier migration's) write one of the key's
    columns that held values before the change (`lower(username)`'s `username`) in rows of the table? (A column
    the change adds and fills is filled, not deduplicated; nor is what the statement that adds the key writes
    itself, such as Django's one default for the NULL rows of an AlterField.)"""
    table = unique.table
    before = context.change[: context.position] if context.position >= 0 else ()
    plain = {
        bare
        for c in key
        if (column := catalog.column(table, bare := _CASE_FOLDED.sub(r"\1", c))) is not None
        and not column.added_in_change
    }
    ops = [*(op for m in before for op in m.up), *earlier]
    return any(
        isinstance(op, DataUpdate)
        and op.table == table
        and op.location != unique.location
        and any(_bare(c) in plain for c, _ in op.assignments)
        for op in ops
    )


_CASE_FOLDED = re.compile(r"^(?:lower|upper)\((\w+)\)$", re.I)


def _added_empty(table: str, catalog: Catalog, context: Context) -> set[str]:
    """Columns an earlier migration of the change added without a default and nothing since has filled."""
    empty = {
        name
        for name, column in (catalog.tables[table].columns.items() if table in catalog.tables else ())
        if column.added_in_change and column.default is None and not column.identity
    }
    if not empty:
        return empty
    earlier = context.change[: context.position] if context.position >= 0 else ()
    for migration in (*earlier, *((context.migration,) if context.migration is not None else ())):
        for op in migration.up:
            if isinstance(op, DataUpdate) and op.table == table:
                empty -= {column for column, _ in op.assignments} or empty
            elif isinstance(op, RunCode) and table in op.touches:
                return set()  # code of the change may fill it
    return empty


def _bare(column: str) -> str:
    return column.strip().strip('"`').lower()
