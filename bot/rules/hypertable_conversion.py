"""TimescaleDB's `create_hypertable` on a table that holds rows: it locks the table for the whole copy, or fails.

## Why is this bad?
`SELECT create_hypertable('conditions', by_range('time'), migrate_data => true)` (or the older
`create_hypertable('conditions', 'time', migrate_data => TRUE)`) takes an ACCESS EXCLUSIVE lock on the table,
then copies every row into chunks, empties the table and builds the default indexes on the chunks, all in one
transaction: reads and writes of the table wait until the end. On a table of any size that is an outage for as
long as the copy takes ("Migration might take a while depending on the amount of data", says TimescaleDB).
Without `migrate_data`, the call refuses a table that has a row (`table "conditions" is not empty`): the deploy
stops there on every database where the table was used, while it works on the empty database of a test run.
The same holds for a call a DO block makes (`PERFORM create_hypertable(…)`, often guarded by a check that the
extension is there).

## Use instead
Convert a table while it is empty: create the new table, make it a hypertable, move the rows over in batches
by time range (`INSERT INTO conditions_new SELECT * FROM conditions WHERE time >= … AND time < …`), then swap the
names in one short transaction. On a small table, `migrate_data => true` in a maintenance window does.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, Operation, RawSQL
from bot.rules.context import Context
from bot.sql.pg_hypertables import Hypertable, hypertables

RULE = Rule(
    id="hypertable-conversion",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Make the hypertable from a new, empty table and move the rows in batches, then swap the names.",
    bad=(
        "CREATE TABLE conditions (time timestamptz NOT NULL, device_id bigint, temperature double precision);\n"
        "-- migration\n"
        "SELECT create_hypertable('conditions', by_range('time'), migrate_data => true);",
        "CREATE TABLE conditions (time timestamptz NOT NULL, device_id bigint, temperature double precision);\n"
        "-- migration\n"
        "SELECT create_hypertable('conditions', 'time');",
    ),
    good=(
        "CREATE TABLE conditions (time timestamptz NOT NULL, device_id bigint, temperature double precision);\n"
        "SELECT create_hypertable('conditions', by_range('time'));",
    ),
    dialects=("postgres",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    for op in migration.up:
        if not (isinstance(op, RawSQL) and op.category == "create-hypertable"):
            continue
        call = next((h for h in hypertables(op.sql) if h.table == op.table), None)
        before = context.before(op)
        table = before.tables.get(op.table)
        if call is None or before.rows.get(op.table) == 0:
            continue  # (the probe found it empty)
        if table is not None and table.hypertable:
            if not call.if_not_exists:
                yield _converted_twice(op)
            continue
        if before.is_new(op.table):
            if not call.migrate_data and before.inserted.get(op.table):
                why = f"the migration inserts rows into `{op.table}` before it"
                yield _refused(op, call, context, why, everywhere=True)
            continue
        if call.migrate_data:
            severity = context.lock_severity(op.table, RULE.severity, op)
            if severity is not None:
                yield _copied(op, call, severity, context)
        elif before.inserted.get(op.table):
            why = f"the migrations insert rows into `{op.table}`, on every database"
            yield _refused(op, call, context, why, everywhere=True)
        else:
            yield _refused(op, call, context, f"`{op.table}` exists before this change and may hold rows")


def _copied(op: Operation, call: Hypertable, severity: Severity, context: Context) -> Finding:
    return op.finding(
        RULE,
        f"`create_hypertable('{call.table}', …, migrate_data => true)` copies every row of `{call.table}` into "
        "chunks while it holds an ACCESS EXCLUSIVE lock on the table: reads and writes wait until the copy, and "
        "the indexes it builds on the chunks, are done.",
        severity=severity,
        blast_radius=f"Every query of {context.size_words(call.table, op)} waits for the whole copy, the "
        "application's among them: its connections pile up behind the lock.",
        fix=f"Create the new table empty, `create_hypertable` it, copy the rows of `{call.table}` over in batches "
        "by time range, then swap the names in one short transaction; or run the conversion in a maintenance "
        "window.",
    )


def _refused(
    op: Operation, call: Hypertable, context: Context, why: str, *, everywhere: bool = False
) -> Finding:
    where = (
        "on every database, new ones included: the rows inserted before it are there"
        if everywhere
        else f"on every database where {context.size_words(call.table, op)} has a row; a test run on an empty "
        "database passes"
    )
    return op.finding(
        RULE,
        f"`create_hypertable('{call.table}', …)` without `migrate_data => true` fails on a table that holds rows "
        f'(`table "{call.table}" is not empty`): {why}.',
        blast_radius=f"The deploy stops at this statement {where}.",
        fix=f"Convert a new, empty table and copy the rows of `{call.table}` over in batches by time range, then "
        "swap the names; `migrate_data => true` works too, but locks the table while it copies.",
    )


def _converted_twice(op: RawSQL) -> Finding:
    return op.finding(
        RULE,
        f"`{op.table}` is a hypertable already (an earlier migration made it one), and `create_hypertable` without "
        f'`if_not_exists => true` refuses it (`table "{op.table}" is already a hypertable`).',
        blast_radius="The deploy stops at this statement on every database the earlier migration ran on.",
        fix="Drop the call, or add `if_not_exists => true` if it must run on databases of both kinds.",
    )
