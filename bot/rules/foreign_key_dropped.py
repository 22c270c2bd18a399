"""Dropping a foreign key removes a guarantee the data and the code may rely on.

## Why is this bad?
Once the constraint is gone, nothing stops rows that point at missing parents: the application's
deletes no longer cascade (or are no longer refused), and joins start losing or duplicating rows.
Adding the foreign key back later means validating every row, and fails on the orphans written
meanwhile.

## Use instead
Keep the foreign key unless the relation itself is going away. If it must go (a table moving to
another database, a partitioning change), make the code enforce the relation first, and record in the
pull request how orphans will be found and cleaned.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.catalog import same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddConstraint, DropConstraint, Migration, Operation
from bot.rules.context import Context

RULE = Rule(
    id="foreign-key-dropped",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.INFO,
    help="Keep the foreign key, or enforce the relation in code first and plan the orphan cleanup.",
    bad=("ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;",),
    good=("ALTER TABLE orders DROP CONSTRAINT orders_total_positive;",),
)

_FK_SYNTAX = re.compile(r"\bDROP\s+FOREIGN\s+KEY\b", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for index, op in enumerate(migration.up):
        if not isinstance(op, DropConstraint) or context.catalog.is_new(op.table):
            continue
        if _added_back(op, migration.up[index + 1 :], context):
            continue  # replaced in the same migration (a new ON DELETE, a rename): the guarantee stays
        kind = context.catalog.constraints.get(op.name)
        named_like_fk = kind is None and op.name.endswith(("_fkey", "_fk"))
        if kind != "foreign_key" and not named_like_fk and not _FK_SYNTAX.search(op.sql):
            continue
        yield op.finding(
            RULE,
            f"Foreign key `{op.name}` on `{op.table}` is dropped.",
            blast_radius=f"Rows of `{op.table}` may now point at missing parents; cascades and delete checks stop, "
            "and adding the key back fails on every orphan written meanwhile.",
        )


def _added_back(op: DropConstraint, later: tuple[Operation, ...], context: Context) -> bool:
    """Does the migration add a foreign key on the same columns of the same table after dropping this one?"""
    old = context.catalog.foreign_keys.get(op.name)
    return any(
        isinstance(each, AddConstraint)
        and each.constraint == "foreign_key"
        and same_table(each.table, op.table)
        and (each.name == op.name or (old is not None and tuple(each.columns) == tuple(old.columns)))
        for each in later
    )
