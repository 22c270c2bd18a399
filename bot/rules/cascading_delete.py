"""A DELETE on a table whose children reference it with `ON DELETE CASCADE` also deletes their rows.

## Why is this bad?
`DELETE FROM accounts WHERE closed_at < '2020-01-01'` names one table, but every `orders` row whose
foreign key says `ON DELETE CASCADE` goes with its account, and the `order_items` of those orders with
them. The statement's text hides most of what it removes, a backup of `accounts` alone cannot bring it
back, and the rows deleted (and locked) can be many times the ones the author counted.

## Use instead
Count the child rows first, decide whether they should go, and delete them explicitly, children first,
so the migration says everything it removes. Back up every table the cascade reaches before the deploy.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataDelete, Migration
from bot.rules.context import Context

RULE = Rule(
    id="cascading-delete",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Delete the child rows explicitly (children first) and back up every table the cascade reaches.",
    bad=(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, closed boolean);\n"
        "CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts (id) ON DELETE CASCADE);\n"
        "-- migration\n"
        "DELETE FROM accounts WHERE closed AND id >= 1 AND id < 1000;",
    ),
    good=(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, closed boolean);\n"
        "CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts (id));\n"
        "-- migration\n"
        "DELETE FROM accounts WHERE closed AND id >= 1 AND id < 1000;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DataDelete) or context.catalog.is_new(op.table):
            continue
        children = context.catalog.cascades_to(op.table, in_code=op.cascades_in_code)
        explicit = _deleted_before(migration, op)
        reached = [k for k in children if k.table not in explicit and not context.catalog.is_new(k.table)]
        if not reached:
            continue
        names = ", ".join(f"`{k.table}` (by `{', '.join(k.columns)}`)" for k in reached)
        how = (
            "`ON DELETE CASCADE`,"
            if all(k.on_delete == "cascade" for k in reached)
            else "the models' `on_delete=CASCADE`, which the ORM carries out itself,"
        )
        yield op.finding(
            RULE,
            f"Deleting rows of `{op.table}` also deletes, through {how} the rows of {names} that reference them.",
            blast_radius="Rows of "
            + ", ".join(f"`{k.table}`" for k in reached)
            + f" are removed with the `{op.table}` rows they point at, without being named in the migration; "
            "a backup of `" + op.table + "` alone does not bring them back.",
            fix="Count and delete the child rows explicitly first, and back up "
            + ", ".join(f"`{t}`" for t in dict.fromkeys([op.table, *(k.table for k in reached)]))
            + " before the deploy (the rollback plan lists the statements).",
        )


def _deleted_before(migration: Migration, delete: DataDelete) -> set[str]:
    """Tables the migration empties itself before this DELETE: their rows are not removed by surprise."""
    earlier = migration.up[: migration.up.index(delete)]
    return {op.table for op in earlier if isinstance(op, DataDelete)}
