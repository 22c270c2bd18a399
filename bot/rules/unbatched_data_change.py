"""An UPDATE or DELETE of a whole table in one statement locks every row it touches until it commits.

## Why is this bad?
One statement over millions of rows holds row locks on all of them until the migration commits, so
the application's writes to those rows wait; it produces a burst of WAL that replicas lag behind,
and if it fails at row 40 million, all of it rolls back. Inside a migration's transaction it also
keeps the schema locks of the other statements for as long as it runs. A statement that reaches one row
by a unique key (`WHERE id = 42`, as a loop over rows writes it) is not a bulk change and is not reported;
nor is one that needs a value in a column the migration has just added without a default (no row has one),
nor the fill of the rows where a column is NULL that Django's AlterField (or Rails' `change_column_null …
false, default`) runs before SET NOT NULL when an earlier step of the change already filled that column, also
under the name it had before a rename in between (it finds only the rows written since),
nor one that names by its values a row the migrations inserted (`WHERE name = 'Send Events'` on a jobs or
settings table they fill: the lookup rows every database has), also one a later migration deleted. A `DO` block runs in one transaction unless
it commits: a loop in it that changes the rows batch after batch without a COMMIT between the batches
keeps every row locked until the block ends, so it is reported as one change of all of them. The same holds
for a Rails migration that backfills `in_batches` (or record by record with `find_each`) inside the
transaction Rails wraps it in on PostgreSQL and SQLite (on MySQL and MariaDB Rails opens none), for a Laravel migration that works `chunkById` (or saves the records of a loop
one at a time) inside the transaction Laravel runs it in on PostgreSQL and SQLite, for a Django `RunPython` that loops over a
queryset and writes each row (`row.save()`, or `Model.objects.filter(pk=row.pk).update(…)`) inside the transaction
of an atomic migration, and for an Alembic migration that loops over the rows of a query it fetched
(`for row in conn.execute(…).fetchall()`) and runs one UPDATE or DELETE per row inside the transaction Alembic
runs it in: no batch commits before the migration ends, and the row-by-row loop also makes one round trip per row.

A DELETE of the rows the migration then puts back (`CREATE TABLE t_backup AS SELECT … FROM t; DELETE FROM t;
INSERT INTO t SELECT … FROM t_backup`) is a rewrite of the table, not a change to batch: a batched DELETE would
leave the table part empty for longer. What matters there is said instead: every row is deleted and inserted
again under lock, outside one transaction readers see the table empty (and a failure leaves it so), rows the
application writes between the copy and the DELETE are lost, and `ON DELETE CASCADE` children do not come back
(`cascading-delete`). Rewrite the values in place with batched UPDATEs.

SQLite is left out: a write there takes the database's one write lock whatever the batch size; there are no
row locks to hold or replicas to lag, and an embedded database's migrations run while its application waits for
them, so a batch loop only spreads the same work over more transactions.

## Use instead
Backfill in batches by key range (`WHERE id >= $1 AND id < $2`, or `id IN (SELECT id … LIMIT 1000)`),
committing between batches, outside the schema migration (a background job or a data migration that
the runner does not wrap in one transaction), and run the batches until none is left: in a SQL migration,
a `DO` block whose loop exits when a batch changes no row (one batch alone is `one-batch-only`). Make each
batch idempotent so it can be re-run.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from bot.model.catalog import unqualified
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.markup import code_span
from bot.model.migration import (
    AddColumn,
    CreateTable,
    DataDelete,
    DataInsert,
    DataUpdate,
    Migration,
    Operation,
)
from bot.rules._renames import renamed
from bot.rules.context import Context
from bot.sql.data_changes import source_table, statement_of
from bot.sql.subqueries import fixed_values, listed_rows, seeded
from bot.sql.writes import not_null_in

RULE = Rule(
    id="unbatched-data-change",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Change rows in batches by key range, committing between batches, in a job the runner does not wrap.",
    dialects=("postgres", "mysql", "mariadb"),
    bad=("UPDATE orders SET state = 'open' WHERE state IS NULL;",),
    good=(
        "DO $$\nDECLARE\n  changed integer;\nBEGIN\n  LOOP\n"
        "    UPDATE orders SET state = 'open'\n"
        "    WHERE id IN (SELECT id FROM orders WHERE state IS NULL ORDER BY id LIMIT 1000);\n"
        "    GET DIAGNOSTICS changed = ROW_COUNT;\n    EXIT WHEN changed = 0;\n    COMMIT;\n  END LOOP;\nEND $$;",
    ),
    framework_help=(
        (
            "rails",
            "Batch with `Model.where(…).in_batches(of: 1000) { |batch| batch.update_all(…) }` (`find_each` when each "
            "record must be saved) in a migration with `disable_ddl_transaction!`, so each batch commits; or move "
            "it to a background job.",
        ),
        (
            "django",
            "Update the queryset a primary-key range at a time (`for start in range(0, max_pk, 1000): "
            "qs.filter(pk__gte=start, pk__lt=start + 1000).update(…)`), or save changed rows with "
            "`bulk_update(rows, fields, batch_size=1000)` while reading `qs.iterator(chunk_size=1000)`, in a "
            "migration with `atomic = False` so each batch commits; or run it as a management command.",
        ),
        (
            "alembic",
            "Loop over primary-key ranges (`conn.execute(sa.text('UPDATE … WHERE id >= :lo AND id < :hi'), "
            "{'lo': lo, 'hi': lo + 1000})`) inside `with op.get_context().autocommit_block():`, so each batch "
            "commits; or run it as a separate job.",
        ),
        (
            "knex",
            "Loop over id ranges (`knex('t').where('id', '>=', lo).andWhere('id', '<', lo + 1000).update(…)`) in "
            "a migration with `exports.config = { transaction: false }`, so each batch commits; or a job.",
        ),
        (
            "node-pg-migrate",
            "Loop over id ranges with `await pgm.db.query('UPDATE … WHERE id >= $1 AND id < $2', [lo, hi])` in a migration that calls `pgm.noTransaction()`, so each batch commits; or a job.",
        ),
        (
            "typeorm",
            "Loop over id ranges (`queryRunner.query('UPDATE … WHERE id >= $1 AND id < $2', [lo, lo + 1000])`) in "
            "a migration with `transaction = false`, so each batch commits; or a job.",
        ),
        (
            "sequelize",
            "Loop over id ranges (`queryInterface.bulkUpdate(table, values, { id: { [Op.gte]: lo, [Op.lt]: lo + "
            "1000 } })`) outside a transaction, so each batch commits; or a job.",
        ),
        (
            "laravel",
            "`Model::where(…)->chunkById(1000, fn ($rows) => Model::whereIn('id', $rows->pluck('id'))->update([…]))`"
            " in a migration with `$withinTransaction = false`, or a queued job.",
        ),
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for index, op in enumerate(migration.up):
        if not isinstance(op, DataUpdate | DataDelete):
            continue
        if op.batched:
            yield from _batches_in_transaction(migration, index, op, context)
            continue
        expression = statement_of(op, context.dialect)
        if expression is not None and listed_rows(expression, op.table, context.before(op)):
            continue  # `WHERE id = …`, `WHERE id IN (…)`: the rows it names, however big the table
        if expression is not None and _seeded_row(expression, op, context):
            continue  # `WHERE name = 'X'` on a row the migrations inserted: a lookup row, not a bulk change
        if _matches_no_existing_row(op, migration.up[:index]):
            continue
        if _nulls_filled_in_change(op, migration, index, context):
            continue  # the framework's NULL fill before SET NOT NULL, after the change filled the column
        severity = context.lock_severity(op.table, RULE.severity, op)
        if severity is None:
            continue
        refill = _refilled(op, migration, index)
        if refill is not None:
            yield _rewrite(op, refill, migration, context, severity)
            continue
        verb = "UPDATE" if isinstance(op, DataUpdate) else "DELETE"
        if op.loop:  # a DO block's loop that commits none of its batches: one transaction for all of them
            yield _uncommitted_batches(
                op,
                context,
                severity,
                f"`{verb} {op.table}` runs batch after batch {op.loop}, but the DO block commits none of them: "
                "it is one transaction, and every row the loop changes stays locked until the block ends.",
                "the loop reaches",
                "COMMIT after each batch inside the loop (PostgreSQL 11+, with the migration run outside a "
                "transaction), or run the batches from a job that commits each one.",
            )
            continue
        if op.where is None:
            scope, severity = "every row", severity
        else:
            scope = f"every row matching {code_span(_short(op.where))}"
            severity = Severity.WARNING if severity is Severity.CRITICAL else severity
        emptied = isinstance(op, DataDelete) and op.where is None and not op.batched
        yield op.finding(
            RULE,
            f"`DELETE FROM {op.table}` has no WHERE: it deletes every row of the table, in one statement."
            if emptied
            else f"`{verb} {op.table}` changes {scope} in one statement.",
            severity=severity,
            blast_radius=f"All matching rows of {context.size_words(op.table, op)} stay locked until the migration commits; "
            "writes to them wait, replicas lag, and a failure rolls everything back.",
        )


def _batches_in_transaction(
    migration: Migration, index: int, op: DataUpdate | DataDelete, context: Context
) -> Iterator[Finding]:
    """A backfill the ORM runs in batches (Rails `in_batches`, `find_each`) inside the migration's transaction:
    the batches commit together."""
    if not op.batches or not migration.in_transaction or context.catalog.is_new(op.table):
        return
    if _matches_no_existing_row(op, migration.up[:index]):
        return
    severity = context.lock_severity(op.table, Severity.WARNING, op)
    if severity is None:
        return
    verb = "UPDATE" if isinstance(op, DataUpdate) else "DELETE"
    if migration.framework == "alembic":
        yield _uncommitted_batches(
            op,
            context,
            severity,
            f"`{verb} {op.table}` runs once {op.batches}, one round trip per row, all inside the transaction "
            "Alembic runs the migration in: no row commits before the migration ends, and every row it changes "
            "stays locked until then.",
            "the loop reaches",
            "Write it as one set-based statement run in key-range batches inside `with "
            "op.get_context().autocommit_block():` (each batch commits), or commit after each batch; stream the "
            "rows (`yield_per`) rather than `fetchall()` the whole table.",
        )
        return
    if migration.framework == "django":
        yield _uncommitted_batches(
            op,
            context,
            severity,
            f"`{verb} {op.table}` runs once {op.batches}, one round trip per row, all inside the transaction "
            "Django runs the migration in: no row commits before the migration ends, and every row it changes "
            "stays locked until then.",
            "the loop reaches",
            "Set `atomic = False` on the migration and take the rows a key range at a time (`filter(pk__gte=lo, "
            "pk__lt=lo + 1000)`), each range written in its own `transaction.atomic()` (one `update()` when every row "
            "gets the same value, else `bulk_update`), safe to re-run; or run it from a management command.",
        )
        return
    if migration.framework == "laravel":
        yield _uncommitted_batches(
            op,
            context,
            severity,
            f"`{verb} {op.table}` runs {op.batches}, but inside the transaction Laravel runs the"
            " migration in on this database: no batch commits before the migration ends, and every row it changes"
            " stays locked until then.",
            "the batches reach",
            "Move the backfill to a migration of its own with `public $withinTransaction = false;`, so each batch"
            " commits (and make it safe to re-run), or run it from a queued job.",
        )
        return
    yield _uncommitted_batches(
        op,
        context,
        severity,
        f"`{verb} {op.table}` runs batch after batch, but inside the transaction Rails wraps the migration in: "
        "no batch commits before the migration ends, and every row it changes stays locked until then.",
        "the batches reach",
        "Move the backfill to a migration of its own with `disable_ddl_transaction!`, so each batch commits "
        "(and make it safe to re-run), or run it from a job.",
    )


def _uncommitted_batches(
    op: DataUpdate | DataDelete, context: Context, severity: Severity, message: str, reached: str, fix: str
) -> Finding:
    """Batches that commit together (a DO block's loop, an ORM's batches in the migration's transaction): one
    change of every row they reach, a warning at most."""
    return op.finding(
        RULE,
        message,
        severity=Severity.WARNING if severity is Severity.CRITICAL else severity,
        blast_radius=f"Every row of {context.size_words(op.table, op)} {reached} stays locked until the migration "
        "commits; writes to them wait, replicas lag, and a failure rolls every batch back.",
        fix=fix,
    )


def _refilled(op: DataUpdate | DataDelete, migration: Migration, index: int) -> DataInsert | None:
    """The INSERT that puts the deleted rows back from a copy the migration took before the DELETE
    (`CREATE TABLE t_backup AS SELECT … FROM t`); None when the DELETE is not undone so."""
    if not isinstance(op, DataDelete):
        return None
    copies = {
        earlier.table
        for earlier in migration.up[:index]
        if isinstance(earlier, CreateTable) and earlier.as_select
    }
    return next(
        (
            later
            for later in migration.up[index + 1 :]
            if isinstance(later, DataInsert)
            and later.table == op.table
            and later.from_select
            and source_table(later) in copies
        ),
        None,
    )


def _rewrite(
    op: DataUpdate | DataDelete,
    refill: DataInsert,
    migration: Migration,
    context: Context,
    severity: Severity,
) -> Finding:
    """A DELETE whose rows a later INSERT puts back from the migration's own copy: the table is rewritten."""
    copy = source_table(refill)
    exposed = (
        "readers see it empty between the two statements, and a failure in between leaves it empty"
        if not migration.in_transaction
        else "rows the application writes between the copy and the DELETE are deleted and not put back"
    )
    children = sorted(
        {
            key.table
            for key in context.before(op).foreign_keys.values()
            if unqualified(key.references) == unqualified(op.table) and key.on_delete == "cascade"
        }
    )
    lost = (
        f"; the rows of {', '.join(f'`{t}`' for t in children)} that reference it are deleted `ON DELETE CASCADE` "
        "and do not come back"
        if children
        else ""
    )
    return op.finding(
        RULE,
        f"`DELETE {op.table}` empties a table that line {refill.location.line} refills from `{copy}`: every row "
        "is deleted and inserted again, a rewrite of the table, which batching the DELETE would not make safer.",
        severity=severity,
        blast_radius=f"Every row of {context.size_words(op.table, op)} is deleted and inserted again under row "
        f"locks; {exposed}{lost}.",
        fix=f"Change the values in place (`UPDATE {op.table} … WHERE id >= $1 AND id < $2`, batch after batch) "
        "instead of deleting and re-inserting; if the rows must be re-inserted, take the copy, the DELETE and the "
        f"INSERT in one transaction that starts with `LOCK TABLE {op.table} IN SHARE ROW EXCLUSIVE MODE`, so no "
        "write is lost between the copy and the DELETE."
        if context.postgres
        else f"Change the values in place (`UPDATE {op.table} … WHERE id >= ? AND id < ?`, batch after batch) "
        "instead of deleting and re-inserting: MySQL commits the `CREATE TABLE … AS SELECT` at once, so the "
        "DELETE and the INSERT are not one change with the copy.",
    )


def _seeded_row(expression: exp.Expression, op: DataUpdate | DataDelete, context: Context) -> bool:
    """The condition names a row the migrations inserted by its values (`WHERE name = 'Send Events'` on a
    jobs or settings table they fill): the lookup rows every database has, not a bulk change."""
    fixed = fixed_values(expression)
    # a lookup row a later migration deleted (fineract's `job` 'Update loan Summary') is still no bulk of rows
    return bool(fixed) and seeded(fixed, op.table, context.before(op), retired=True)


def _matches_no_existing_row(op: DataUpdate | DataDelete, earlier: tuple[Operation, ...]) -> bool:
    """The condition needs a value in a column this migration has just added without a default: every
    existing row holds NULL there, so none is changed (`WHERE new_column IS NOT NULL`)."""
    where = op.expression.args.get("where") if op.expression is not None else None
    if where is None:
        return False
    added = [
        e.column
        for e in earlier
        if isinstance(e, AddColumn)
        and e.table == op.table
        and (e.column.default is None or e.column.default.upper() == "NULL")
        and not e.column.generated
    ]
    return any(not_null_in(where.this, name) for c in added for name in {c.name, c.name.lower()})


def _nulls_filled_in_change(
    op: DataUpdate | DataDelete, migration: Migration, index: int, context: Context
) -> bool:
    """`UPDATE t SET c = … WHERE c IS NULL`, the fill Django's AlterField (and Rails' `change_column_null … false,
    default`) runs before SET NOT NULL, after an earlier step of the change (a `RunPython` loop, a batched
    backfill) wrote `c` in the rows where it was NULL: it finds only the rows written since, not the table."""
    if not isinstance(op, DataUpdate) or len(op.assignments) != 1:
        return False
    column = op.assignments[0][0]
    if (op.where or "").strip() != f"{column} IS NULL":
        return False
    earlier = [o for m in context.change[: context.position] for o in m.up] if context.position >= 0 else []
    steps = [*earlier, *migration.up[:index]]
    for position, o in enumerate(steps):
        if not isinstance(o, DataUpdate) or o.location == op.location:
            continue
        # the column as the fill finds it: a step in between may have renamed it (paperless-ngx fills
        # `created_date`, renames it to `created`, then AlterField makes `created` NOT NULL)
        table, written = renamed(o.table, tuple(c for c, _ in o.assignments), steps[position + 1 :])
        if unqualified(table) != unqualified(op.table):
            continue
        if any(
            now == column
            and value.strip().upper() != "NULL"
            and (o.where is None or o.where.strip() == f"{was} IS NULL")
            for (was, value), now in zip(o.assignments, written, strict=True)
        ):
            return True
    return False


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
