"""An UPDATE with no WHERE sets a column that already holds data to one constant in every row.

## Why is this bad?
`UPDATE users SET plan = 'pro'` has no condition: every user's plan becomes `'pro'`, the enterprise and
the free ones alike. Whatever the rows held (what users chose, what earlier code or support staff set) is
overwritten, nothing fails, and afterwards no query can tell which row held what: the values are gone
unless a backup says otherwise. It is usually written meaning "the rows that have none yet" or "the rows
of one kind", with the condition forgotten; when every row really must take the value (a preference reset
for everyone, a setting switched on everywhere) a reviewer still wants that said.

Only a column that existed before the pull request is reported: filling a column the same change adds
(in this migration, an earlier one of the pull request, or Django's AddField just before its data
migration) overwrites nothing but its default. A copy saved first in the migration (`CREATE TABLE … AS
SELECT … FROM users`), a column the migration drops or fills again afterwards in every row (a placeholder that lets a type
change cast), and a value the production probe shows
every row already holds are not reported either. Rails' `update_all` and Django's `.update()` on a whole
model are read the same way. Where the migration's down writes nothing back into the table, the finding says
that a rollback does not restore the values either (`data-lost-on-rollback` leaves such a column to it: one
statement, one finding).

## Use instead
Say which rows: `UPDATE users SET plan = 'pro' WHERE plan IS NULL` (or the kind meant). If every row must
take the value, save what it overwrites first (`CREATE TABLE users_plan_backup AS SELECT id, plan FROM
users`) and suppress the finding with that reason.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import unqualified
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.markup import code_span
from bot.model.migration import (
    AddColumn,
    CreateTable,
    DataUpdate,
    DropColumn,
    DropTable,
    Migration,
    Operation,
)
from bot.rules._backfill import added_by_change, every_row
from bot.rules._framework_fixes import restore
from bot.rules._restores import restores_nothing_of
from bot.rules.context import Context
from bot.sql.domains import literal
from bot.sql.names import backup_statement, quote_column

RULE = Rule(
    id="every-row-overwritten",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Add the WHERE that picks the rows meant, or save the old values first and say why every row changes.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY, plan text NOT NULL DEFAULT 'free');\n"
        "-- migration\n"
        "UPDATE users SET plan = 'pro';",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY, plan text);\n"
        "-- migration\n"
        "UPDATE users SET plan = 'free' WHERE plan IS NULL;",
    ),
    dialects=("postgres", "mysql", "mariadb", "sqlite"),
)

_BOOLEANS = {"true", "false"}


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for (_, column, value), ops in overwrites(migration, context).items():
        tables = list(dict.fromkeys(op.table for op in ops))
        named = ", ".join(f"`{t}.{column}`" for t in tables)
        # the way back writes none of them again: said here, where data-lost-on-rollback leaves it
        kept = all(restores_nothing_of(migration, t) for t in tables)
        yield ops[0].finding(
            RULE,
            f"The UPDATE has no WHERE: it sets {named} to {value} in every row, overwriting what each row held"
            + (", and the down migration does not restore them." if kept else "."),
            blast_radius=f"Every row of {', '.join(f'`{t}`' for t in tables)}: the values of `{column}` held "
            "before (chosen by users, set by earlier code) are lost"
            + (", a rollback does not bring them back," if kept else ",")
            + " and nothing afterwards tells which row held what.",
            fix=f"Add the WHERE that picks the rows meant ({code_span(f'WHERE {quote_column(column, context.dialect)} IS NULL')} to fill only empty ones). "
            + (
                f"If every row must take {value}: {restore(migration.framework)} Then suppress this finding with"
                " the reason."
                if kept
                else f"If every row must take {value}, first save "
                f"{code_span(backup_statement(tables[0], (column,), context.dialect))} and suppress this finding with the "
                "reason."
            ),
        )


def overwrites(migration: Migration, context: Context) -> dict[tuple[int, str, str], list[DataUpdate]]:
    """The UPDATEs without WHERE that set a column holding data to one constant, by line, column and value
    (a loop over several models writes them all at one line: one finding)."""
    fresh = {(unqualified(op.table), op.column.name) for op in migration.up if isinstance(op, AddColumn)}
    found: dict[tuple[int, str, str], list[DataUpdate]] = {}
    for op in migration.up:
        if not isinstance(op, DataUpdate) or not every_row(op) or context.catalog.is_new(op.table):
            continue
        table = unqualified(op.table)
        if _saved_first(migration, op, table):
            continue
        added = fresh | added_by_change(op, context)
        for column, value in _constants(op):
            if (table, column) in added or _replaced_later(migration, op, table, column):
                continue
            if context.before(op).column(op.table, column) is None:
                continue  # a column the review does not know: nothing to say what it held
            if _already_held(context, op.table, column, value):
                continue
            found.setdefault((op.location.line, column, value), []).append(op)
    return found


def _constants(op: DataUpdate) -> Iterator[tuple[str, str]]:
    """The columns set to one constant (a string, a number, TRUE or FALSE; not NULL, which clears)."""
    for column, sql in op.assignments:
        text = sql.strip()
        if text.lower() in _BOOLEANS:
            yield column, text.upper()
        elif (value := literal(text)) is not None:
            yield column, value.sql


def _later(migration: Migration, op: Operation) -> list[Operation]:
    ops = list(migration.up)
    return ops[next((i for i, o in enumerate(ops) if o is op), len(ops)) + 1 :]


def _earlier(migration: Migration, op: Operation) -> list[Operation]:
    ops = list(migration.up)
    return ops[: next((i for i, o in enumerate(ops) if o is op), 0)]


def _replaced_later(migration: Migration, op: Operation, table: str, column: str) -> bool:
    """The value is a placeholder: a later statement of the migration drops the column or the table,
    or writes the column of every row again (cleared to `'{}'` so a type change can cast it, then filled)."""
    later = _later(migration, op)
    return any(
        (isinstance(o, DropColumn) and unqualified(o.table) == table and o.column == column)
        or (isinstance(o, DropTable) and unqualified(o.table) == table)
        or (
            isinstance(o, DataUpdate)
            and unqualified(o.table) == table
            and every_row(o)
            and any(c == column for c, _ in o.assignments)
        )
        for o in later
    )


def _saved_first(migration: Migration, op: Operation, table: str) -> bool:
    """An earlier statement copies the table's rows into another table (`CREATE TABLE … AS SELECT … FROM`)."""
    return any(
        isinstance(o, CreateTable) and any(unqualified(source) == table for _, source, _ in o.selected)
        for o in _earlier(migration, op)
    )


def _already_held(context: Context, table: str, column: str, value: str) -> bool:
    """The probe counted every row's value and each is the one written (or NULL): nothing is lost."""
    facts = context.facts.column(table, column) if context.facts is not None else None
    if facts is None or not facts.complete or facts.hidden:
        return False
    written = literal(value)
    wanted = written.text if written is not None else value.lower()
    return all(v.value is None or v.value.lower() == wanted.lower() for v in facts.values)
