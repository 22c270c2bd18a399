"""DROP NOT NULL lets NULLs in, and once one is written, the way back fails.

## Why is this bad?
Dropping NOT NULL is instant and safe for the database: it is not the full-table check that SET NOT
NULL is, and no lock rule applies. Two things change, though. Code that assumes the column always has
a value (a non-optional type, a template, a report's SUM) meets NULLs as soon as the new release writes
them. And the rollback, `SET NOT NULL`, fails from the first NULL row on.

## Use instead
Make readers handle NULL before the new release writes it, and write the rollback as a backfill of the
NULL rows followed by SET NOT NULL, or accept that the change is one-way.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DropNotNull, Migration
from bot.rules.context import Context

RULE = Rule(
    id="not-null-dropped",
    dimension=Dimension.ROLLBACK,
    severity=Severity.INFO,
    help="Make readers handle NULL first; the rollback must backfill NULL rows before SET NOT NULL.",
    bad=("ALTER TABLE users ALTER COLUMN phone DROP NOT NULL;",),
    good=("ALTER TABLE users ALTER COLUMN phone SET DEFAULT '';",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DropNotNull) or context.catalog.is_new(op.table):
            continue
        column = context.before(op).column(op.table, op.column)
        if column is not None and column.nullable:
            continue  # it could hold NULLs already (Sequelize's changeColumn restates `allowNull: true`)
        yield op.finding(
            RULE,
            f"`{op.table}.{op.column}` may now be NULL.",
            blast_radius=f"Code that assumes `{op.column}` always has a value meets NULLs once they are written, and "
            "rolling back with SET NOT NULL fails from the first NULL row.",
        )
