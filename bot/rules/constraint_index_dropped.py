"""PostgreSQL refuses to drop the index of a PRIMARY KEY or UNIQUE constraint: the migration fails.

## Why is this bad?
A `PRIMARY KEY` or `UNIQUE` constraint is backed by an index of the same name (`users_pkey`,
`users_email_key` when the constraint was declared without a name). The index belongs to the constraint:
`DROP INDEX users_email_key` fails on every database with "cannot drop index users_email_key because
constraint users_email_key on table users requires it". The deploy stops at that statement. (A unique index
made with `CREATE UNIQUE INDEX` is no constraint and drops as any index; MySQL and MariaDB drop a unique
key as an index too.)

## Use instead
Drop the constraint, which drops its index with it:

```sql
ALTER TABLE users DROP CONSTRAINT users_email_key;
```

When the key is being replaced, add the new constraint or unique index first.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import Catalog, KeyConstraint, same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DropIndex, Migration
from bot.rules.context import Context

RULE = Rule(
    id="constraint-index-dropped",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Drop the constraint (`ALTER TABLE … DROP CONSTRAINT name`), which drops its index with it.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);\n-- migration\n"
        "DROP INDEX users_email_key;",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);\n-- migration\n"
        "ALTER TABLE users DROP CONSTRAINT users_email_key;",
    ),
    dialects=("postgres",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    for op in migration.up:
        if not isinstance(op, DropIndex):
            continue
        catalog = context.before(op)
        found = _constraint(op, catalog)
        if found is None:
            continue
        name, key = found
        kind = "PRIMARY KEY" if key.primary else "UNIQUE"
        columns = ", ".join(key.columns)
        yield op.finding(
            RULE,
            f"PostgreSQL refuses `DROP INDEX {name}`: the index backs the {kind} constraint `{name}` of "
            f'`{key.table}` ({columns}), which requires it ("cannot drop index {name} because constraint '
            f'{name} on table {key.table} requires it").',
            blast_radius="The migration fails at this statement on every database; the deploy stops.",
            fix=f"`ALTER TABLE {key.table} DROP CONSTRAINT {name};` drops the constraint and its index (add the "
            "key that replaces it first, if one does).",
        )


def _constraint(op: DropIndex, catalog: Catalog) -> tuple[str, KeyConstraint] | None:
    """The PRIMARY KEY or UNIQUE constraint whose index `op` drops: by the index's name, or (Rails
    `remove_index :t, column: …`) by its columns when no plain index of the table has them."""
    for name in dict.fromkeys((op.name, op.name.rsplit(".", 1)[-1])):
        key = catalog.key_constraints.get(name)
        if key is not None and (not op.table or same_table(key.table, op.table)):
            return name, key
    if not op.columns or op.name in catalog.index_definitions:
        return None
    wanted = tuple(c.lower() for c in op.columns)
    if any(
        same_table(d.table, op.table) and tuple(c.lower() for c in d.columns) == wanted
        for d in catalog.index_definitions.values()
    ):
        return None
    return next(
        (
            (name, key)
            for name, key in catalog.key_constraints.items()
            if same_table(key.table, op.table) and tuple(c.lower() for c in key.columns) == wanted
        ),
        None,
    )
