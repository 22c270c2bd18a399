"""A destructive migration with no way back: the down migration is missing, empty or raises.

The finding says which: a way back that fails (Rails' `raise ActiveRecord::IrreversibleMigration`, Django's
`RunPython` without a reverse, an Alembic `downgrade()` that raises or is missing, a plain SQL file with no down
file beside it) leaves no command to run; one that runs and restores nothing (an empty down, Rails' `def down;
end` or no `down` beside `up`, Alembic's `downgrade()` that is `pass`, goose without Down statements,
golang-migrate without a down file) lets the rollback succeed while the schema and the data stay as the up left
them.

## Why is this bad?
When the deploy goes wrong, the first move is to roll the schema back. A migration that drops a column or
a table, deletes rows or overwrites values, and has no down migration (or one that does nothing, or raises
`IrreversibleMigration`), leaves the team writing the reverse by hand during the incident, with the data
already gone. Django `RunPython`/`RunSQL` without a reverse, a Rails `change` with `remove_column` and no
type, or an Alembic `downgrade()` that is `pass` are the usual forms.

## Use instead
Write the down migration, and make the data recoverable: copy what the migration destroys into a backup
table (`CREATE TABLE orders_legacy_status_backup AS SELECT id, legacy_status FROM orders`) before
destroying it, and have the down migration restore from it. If the change truly cannot be reversed, say so
in the pull request with the restore procedure (from which backup, how long it takes).

## Framework notes
Rails: `def down` or `reversible`; Django: `RunPython(forward, reverse_code=...)`, `RunSQL(sql, reverse_sql=...)`;
Alembic: a real `downgrade()`; goose/dbmate: a `Down` section; golang-migrate: a `.down.sql` file; Sqitch: its
`revert/` script. Prisma Migrate has no down migrations, `prisma db push` has no migrations at all, and
Flyway's undo scripts need a paid edition: for them a missing down is no finding, and the rollback plan gives
the forward fix (`prisma migrate diff`, the previous schema pushed again, a corrective Flyway version) instead.

A change of type that keeps every value (a widening: `varchar(100)` → `varchar(255)`, `integer` → `bigint`)
needs no down migration either: the old code works with the wider column, and nothing is lost.

An empty down after a change that only fills NULLs (`UPDATE … SET status = 'open' WHERE status IS NULL`)
is no finding: it overwrites no value, so there is nothing to restore, and the rollback runs. An UPDATE of a
table whose columns the migrations do not show (created by `create_all()` or a dump the review did not read)
overwrites values all the same and is reported; one that writes a column the same migration, or an earlier migration of the
same change, adds is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.frameworks.forward_only import forward_fix, forward_only_history, way_back_words
from bot.model.catalog import unqualified
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.markup import code_span
from bot.model.migration import (
    AddColumn,
    AlterColumnType,
    CreateTable,
    DataDelete,
    DataUpdate,
    DropColumn,
    DropTable,
    Migration,
    Operation,
    RunCode,
    SetTimeout,
    Transaction,
    Truncate,
)
from bot.rules._numbered_parts import numbered_parts
from bot.rules.context import Context
from bot.sql.conversions import classify
from bot.sql.data_changes import fills_nulls
from bot.sql.rebuilds import columns_left_out, rebuilt_tables

RULE = Rule(
    id="missing-down-migration",
    dimension=Dimension.ROLLBACK,
    severity=Severity.CRITICAL,
    help="Write a down migration that restores what the up destroys (from a backup taken first), or document the restore.",
    bad=("-- +goose Up\nALTER TABLE orders DROP COLUMN legacy_status;",),
    good=(
        "-- +goose Up\nCREATE TABLE orders_legacy_status_backup AS SELECT id, legacy_status FROM orders;\n"
        "ALTER TABLE orders DROP COLUMN legacy_status;\n"
        "-- +goose Down\nALTER TABLE orders ADD COLUMN IF NOT EXISTS legacy_status text;\n"
        "UPDATE orders SET legacy_status = b.legacy_status FROM orders_legacy_status_backup b WHERE b.id = orders.id;",
    ),
    framework_help=(
        (
            "knex",
            "Write `exports.down` (or `export async function down`) that restores what `up` destroys, from a backup table `up` fills first.",
        ),
        (
            "node-pg-migrate",
            "Export a `down` that restores what `up` destroys, from a backup table `up` fills first (node-pg-migrate infers a down only for calls it can reverse, and `down = false` is none).",
        ),
        (
            "typeorm",
            "Write `down(queryRunner)` that restores what `up` destroys, from a backup table `up` fills first.",
        ),
        (
            "sequelize",
            "Write `down(queryInterface)` that restores what `up` destroys, from a backup table `up` fills first.",
        ),
        (
            "mikroorm",
            "Write `down()` with `this.addSql(…)` that restores what `up` destroys, from a backup table `up` fills first.",
        ),
        (
            "drizzle",
            "drizzle-kit writes no down migration: copy what is destroyed into a backup table first and commit the restore SQL beside the migration.",
        ),
        (
            "laravel",
            "Write `down()` so it restores what `up()` destroys (from a backup table `up()` fills first), or document the restore.",
        ),
        (
            "ecto",
            "Use `up/0` and `down/0` (or reversible forms: `remove :col, :type`, `modify … from:`, `execute up_sql, down_sql`) and restore from a backup taken first, or document the restore.",
        ),
    ),
)

_LOSES_DATA = (DropColumn, DropTable, Truncate)  # schema objects and whole tables: critical
_CHANGES_DATA = (DataDelete, DataUpdate, AlterColumnType, RunCode)  # chosen rows or values: a warning
_NO_EFFECT = (Transaction, SetTimeout)
DERIVED_DOWN = frozenset(
    {"django", "rails", "liquibase", "ecto"}
)  # runners that derive the way back themselves


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    rebuilt = rebuilt_tables(migration)
    # with no down migration the rollback cannot run at all; an empty one runs, and a fill of NULLs needs no undoing
    stuck = (
        migration.down is None or bool(migration.irreversible_reason)
    ) and not migration.down_does_nothing
    added = {(unqualified(op.table), op.column.name) for op in migration.up if isinstance(op, AddColumn)}
    destructive = [
        op for op in migration.up if _destroys(op, context, stuck, added) and not _kept(op, rebuilt, context)
    ]
    if not destructive:
        return
    problem = _problem(migration)
    if problem is None or (problem == _EMPTY and _undone_by_other_parts(migration, context)):
        return
    first = destructive[0]
    # a DELETE with no WHERE empties the table, as a TRUNCATE does
    loses = any(
        isinstance(op, _LOSES_DATA) or (isinstance(op, DataDelete) and op.where is None and not op.batched)
        for op in destructive
    )
    history = forward_only_history(migration, context.tree)
    if history:  # the repository's convention: no file of its history has a way back
        yield _forward_only(migration, first, destructive, history)
        return
    statements = dict.fromkeys(_short(op.sql) for op in destructive)  # a MERGE is one op per WHEN clause
    what = ", ".join(code_span(sql) for sql in list(statements)[:3])
    rollback = (
        "the rollback runs but restores nothing (the runner only records the migration as undone)"
        if _runs_empty(migration)
        else "there is no command that does it"
    )
    yield first.finding(
        RULE,
        f"`{migration.path}` {problem}, but it runs {what}.",
        severity=None if loses else Severity.WARNING,
        blast_radius=f"If the deploy has to be rolled back, {rollback}: the schema has to be "
        "repaired by hand during the incident"
        + (
            ", and the dropped data is gone."
            if loses
            else ", and the deleted rows or overwritten values cannot be recovered."
        ),
    )


def _forward_only(
    migration: Migration, first: Operation, destructive: list[Operation], history: int
) -> Finding:
    """A note, not a blocker: the team rolls back with a forward fix, as for every other migration it has."""
    shown = ", ".join(code_span(sql) for sql in list(dict.fromkeys(_short(op.sql) for op in destructive))[:3])
    return first.finding(
        RULE,
        f"`{migration.path}` runs {shown} with no way back, like the {history} other migration files of this "
        "repository (none has a down migration): a rollback is a forward fix.",
        severity=Severity.INFO,
        blast_radius="If the deploy goes wrong, the schema is repaired by a new migration, and what this one "
        "destroys comes back only from a backup.",
        fix="Take a backup of what it destroys before the deploy (the rollback plan's snapshot step), and have "
        "the corrective migration ready.",
    )


def _kept(op: Operation, rebuilt: dict[str, CreateTable], context: Context) -> bool:
    """A DROP TABLE of the rebuild pattern whose new table keeps every column: the rows are copied over."""
    if not isinstance(op, DropTable) or op.table not in rebuilt:
        return False
    table = context.catalog.tables.get(op.table)
    return table is not None and not columns_left_out(rebuilt[op.table], list(table.columns))


def _destroys(op: Operation, context: Context, stuck: bool, added: set[tuple[str, str]]) -> bool:
    table = str(getattr(op, "table", ""))
    if table and context.catalog.is_new(table):
        return False
    if isinstance(op, RunCode):
        return not op.reverse
    if isinstance(op, AlterColumnType):
        return not _lossless(op, context)
    if isinstance(op, DataUpdate):
        return (
            any(
                _held_before(op.table, column, context, added) and (stuck or not fills_nulls(op, column))
                for column, _ in op.assignments
            )
            or not op.assignments
        )
    return isinstance(op, _LOSES_DATA + _CHANGES_DATA)


# `USING email::varchar(255)`, `USING CAST(email AS bigint)`: the column as it is, converted
_CAST = re.compile(
    r"\(?\s*(?:[\w\".]+\s*::\s*[\w ]+?(?:\(\s*\d+(?:\s*,\s*\d+)?\s*\))?"
    r"|CAST\s*\(\s*[\w\".]+\s+AS\s+[\w ]+?(?:\(\s*\d+(?:\s*,\s*\d+)?\s*\))?\s*\))\s*\)?",
    re.I,
)


def _lossless(op: AlterColumnType, context: Context) -> bool:
    """A change of type that keeps every value as it was (`varchar(100)` → `varchar(255)`, `integer` →
    `bigint`, `varchar` → `text`): the old code reads the wider column as before, and nothing needs
    restoring. A USING that computes (`USING lower(email)`), or an old type the review does not know, is no
    such change."""
    if op.using and not _CAST.fullmatch(op.using.strip()):
        return False
    column = context.before(op).column(op.table, op.column)
    old = column.type if column is not None and column.type else op.old_type
    return bool(old) and classify(old, op.new_type, op.column, context.dialect, op.using) is None


def _held_before(table: str, column: str, context: Context, added: set[tuple[str, str]]) -> bool:
    """Did the column hold values before the change? Known to the schema (and not added by an earlier
    migration of the same change: its rows hold nothing production wrote), or of a table whose schema the
    review could not read (its columns unknown, not one the migration adds): an UPDATE there overwrites
    data as surely, and is said, never passed over."""
    found = context.catalog.column(table, column)
    if found is not None:
        return not found.added_in_change  # a column an earlier migration of the change adds held nothing yet
    tables = context.catalog.tables
    known = tables.get(table) or tables.get(table.rpartition(".")[2])
    return (known is None or known.partial or not known.columns) and (unqualified(table), column) not in added


def _runs_empty(migration: Migration) -> bool:
    """The runner rolls the migration back running nothing: an empty down (`def down; end`, `downgrade()` that is
    `pass`, an empty down file or section) or none where the runner treats a missing one so (Rails without
    `down`, goose without a Down section, golang-migrate without a down file)."""
    if migration.down is None:
        return migration.down_does_nothing
    return not [op for op in migration.down if not isinstance(op, _NO_EFFECT)]


def _problem(migration: Migration) -> str | None:
    if forward_fix(migration):
        return None  # the framework has no down migrations; the rollback plan says how to go back
    if migration.down is None:
        return way_back_words(migration)
    if migration.irreversible_reason:
        return f"has a down migration that cannot run ({migration.irreversible_reason})"
    if migration.framework in DERIVED_DOWN:
        return None  # the runner reverses what it can by itself; `down-recreates-empty` says what is lost
    if not [op for op in migration.down if not isinstance(op, _NO_EFFECT)]:
        return _EMPTY
    return None


_EMPTY = "has a way back that restores nothing (its down migration is empty)"


def _undone_by_other_parts(migration: Migration, context: Context) -> bool:
    """One migration written as numbered parts (pop's split files): each part's down is not its own up's
    inverse, the parts' downs together undo the parts' ups, so an empty down of one part says nothing."""
    return any(
        any(not isinstance(op, _NO_EFFECT) for op in part.down or ())
        for part in numbered_parts(migration, context)
        if part is not migration
    )


def _short(sql: str, limit: int = 60) -> str:
    text = " ".join(sql.split()).rstrip(";")
    return text if len(text) <= limit else text[: limit - 1] + "…"
