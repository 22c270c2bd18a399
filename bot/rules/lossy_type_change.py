"""A type change that loses data: shorter strings, fewer digits, no fraction, no time zone, no time.

## Why is this bad?
The column's old type (read from the schema before the change) holds values the new one cannot. Some
conversions fail half-way through the deploy (`varchar(20)` on PostgreSQL when a value is longer, text to
integer on the first non-number); worse ones succeed and lose data without a word: `numeric(12,4)` to
`numeric(12,2)` and `numeric` to `integer` round, `timestamp` to `date` drops the time, `timestamptz` to
`timestamp` drops the zone, and MySQL outside strict mode truncates strings and clamps numbers.

## Use instead
Run the check query the finding gives against production first. If it returns rows, decide what they
become (a wider type, an explicit `USING` expression, a cleanup migration) before changing the type; keep
the old column until the new one is verified (expand/contract).
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, AlterColumnType, DataUpdate, Migration, RawSQL
from bot.rules.context import Context
from bot.sql.conversions import classify, session_utc

RULE = Rule(
    id="lossy-type-change",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Check production with the query given, then widen instead, or convert with an explicit USING and keep the old column.",
    bad=(
        "CREATE TABLE prices (id bigint PRIMARY KEY, amount numeric(12, 4));\n"
        "-- migration\nALTER TABLE prices ALTER COLUMN amount TYPE integer;",
    ),
    good=("ALTER TABLE prices ALTER COLUMN amount TYPE numeric(14, 4);",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    added: set[tuple[str, str]] = set()  # columns this migration adds: they hold no values yet
    for index, op in enumerate(migration.up):
        if isinstance(op, AddColumn) and not op.column.default:
            added.add((op.table, op.column.name))
        if isinstance(op, DataUpdate):  # filled before the change of type: it holds values now
            added -= {(op.table, column) for column, _ in op.assignments}
        if not isinstance(op, AlterColumnType) or context.catalog.is_new(op.table):
            continue
        if (op.table, op.column) in added:
            continue
        column = context.before(op).column(op.table, op.column)
        # the schema's type, else the one the migration states (Alembic's existing_type)
        old = column.type if column is not None and column.type else op.old_type
        if not old:
            continue
        earlier = [o.sql for o in migration.up[:index] if isinstance(o, RawSQL)]
        zone = context.rails_time_zone if migration.framework == "rails" else ""
        utc = session_utc(migration.framework, earlier, zone)
        loss = classify(old, op.new_type, op.column, context.dialect, op.using, utc=utc)
        if loss is None:
            continue
        query = f"SELECT count(*) FROM {op.table} WHERE {loss.check};"
        yield op.finding(
            RULE,
            f"`{op.table}.{op.column}` changes from `{old}` to `{op.new_type}`: {loss.what}.",
            severity=loss.severity,
            blast_radius=f"Rows of {context.size_words(op.table)} found by `{query}` are affected.",
            fix=f"Run `{query}` against production first; if it returns more than 0, widen the type or convert "
            "explicitly with `USING`, and keep the old column until the new one is verified.",
        )
