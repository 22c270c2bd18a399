"""MySQL and MariaDB refuse to drop the index a foreign key needs: the migration fails.

## Why is this bad?
InnoDB checks a foreign key through an index led by its columns, and keeps one for as long as the key
exists. `DROP INDEX index_orders_on_user_id ON orders` (Rails `remove_index :orders, :user_id`), while the
foreign key `orders.user_id → users` still stands and no other index starts with `user_id`, fails with
`ERROR 1553: Cannot drop index …: needed in a foreign key constraint`. The deploy stops at that statement;
on MySQL every DDL statement before it in the migration has already committed, so the schema is left half
changed and the migration cannot simply be run again. The index InnoDB created itself for a foreign key
declared without one (named after the constraint) is refused the same way.

Dropping the foreign key first (an earlier statement, or the same `ALTER TABLE … DROP FOREIGN KEY fk,
DROP INDEX idx`) lets the index go, and so does another index whose leading columns are the key's.

## Use instead
Drop the foreign key before its index, or add the index that replaces it first:

```sql
ALTER TABLE orders DROP FOREIGN KEY fk_orders_user_id;
DROP INDEX index_orders_on_user_id ON orders;
```

Rails: `remove_foreign_key :orders, :users` before `remove_index :orders, :user_id`.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import Catalog, ForeignKey, same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DropConstraint, DropIndex, Migration
from bot.rules.context import Context

RULE = Rule(
    id="index-needed-by-foreign-key",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Drop the foreign key first (or add the index that replaces this one), then drop the index.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, KEY orders_user_id (user_id),\n"
        "  CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id));\n"
        "-- migration\n"
        "DROP INDEX orders_user_id ON orders;",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, KEY orders_user_id (user_id),\n"
        "  CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id));\n"
        "-- migration\n"
        "ALTER TABLE orders DROP FOREIGN KEY fk_orders_user;\n"
        "DROP INDEX orders_user_id ON orders;",
    ),
    dialects=("mysql", "mariadb"),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.mysql:
        return
    for op in migration.up:
        if not isinstance(op, DropIndex):
            continue
        before = context.before(op)
        table = op.table or before.indexes.get(op.name, "")
        if not table:
            continue
        after = before.snapshot()
        for other in migration.same_statement(op):
            if other is not op and isinstance(other, DropConstraint):
                after.apply(
                    other
                )  # `DROP FOREIGN KEY fk, DROP INDEX idx` in one ALTER TABLE: both go at once
        after.apply(op)
        for name, key in _needing(before, after, table, op.name):
            cols = ", ".join(key.columns)
            yield op.finding(
                RULE,
                f"Dropping index `{op.name}` fails: the foreign key `{name}` (`{key.table}` ({cols}) → "
                f"`{key.references}`) still needs it, and no other index of `{key.table}` starts with ({cols}).",
                blast_radius="The deploy stops at this statement with ERROR 1553; the statements before it "
                "have already committed (MySQL DDL is not transactional), so the schema is left half changed.",
                fix=f"Drop the foreign key first (`ALTER TABLE {key.table} DROP FOREIGN KEY {name};`, or in the "
                f"same ALTER TABLE as the index), or create the index that replaces this one before dropping it.",
            )


def _needing(before: Catalog, after: Catalog, table: str, index: str) -> Iterator[tuple[str, ForeignKey]]:
    """The foreign keys of the table that an index served before the drop and none serves after it; the index
    InnoDB made itself for a key (named after the constraint) counts as serving it."""
    for name, key in before.foreign_keys.items():
        if not same_table(key.table, table) or name not in after.foreign_keys:
            continue
        if after.serves_lookups(key.table, key.columns):
            continue
        if name.lower() == index.lower() or before.serves_lookups(key.table, key.columns):
            yield name, key
