"""A foreign key that sets its column to NULL when the parent goes, on a column that may not be NULL.

## Why is this bad?
`ON DELETE SET NULL` (or `ON UPDATE SET NULL`) answers a delete of the parent row by writing NULL into
the children's key. When that column is NOT NULL, the two rules contradict each other, and which one wins
depends on the database:
- PostgreSQL accepts the schema, and then refuses every delete of a parent row that still has children:
  `DELETE FROM users WHERE id = 7` fails with `null value in column "user_id" violates not-null
  constraint`. Account deletion, cleanup jobs and the admin's delete button break in production, long after
  the migration went through.
- MySQL and MariaDB refuse the statement that makes the contradiction: `MODIFY user_id bigint NOT NULL`
  fails with `ERROR 1830: Column 'user_id' cannot be NOT NULL: needed in a foreign key constraint … SET
  NULL`, and a table or key declared that way fails with `errno: 150 "Foreign key constraint is incorrectly
  formed"`. The deploy stops there, with the DDL before it already committed.

`ON DELETE SET DEFAULT` on a NOT NULL column without a default writes NULL too (PostgreSQL). PostgreSQL 15's
column list (`FOREIGN KEY (account_id, token_id) … ON DELETE SET NULL (token_id)`) writes only the columns it
names: a required column left out of it is no contradiction.

It happens when a column is made NOT NULL (`SET NOT NULL`, Rails' `change_column_null … false`) without
looking at its key, or when a key with `on_delete: :nullify` is added to a required column.

## Use instead
Decide what a delete of the parent means for its children, and write that one rule:
- the children go with the parent: `ON DELETE CASCADE`;
- a parent with children may not be deleted: `ON DELETE RESTRICT` (or no action);
- the children stay, without a parent: keep the column nullable.

```sql
ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey,
  ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_fkey;
ALTER TABLE orders ALTER COLUMN user_id SET NOT NULL;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import Catalog, ForeignKey
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, Operation
from bot.rules.context import Context

RULE = Rule(
    id="set-null-on-required-column",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Make the key RESTRICT or CASCADE, or keep the column nullable: SET NULL needs a column that takes NULL.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id) ON DELETE SET NULL);\n"
        "-- migration\n"
        "ALTER TABLE orders ALTER COLUMN user_id SET NOT NULL;",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id) ON DELETE SET NULL);\n"
        "-- migration\n"
        "ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey,\n"
        "  ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT;\n"
        "ALTER TABLE orders ALTER COLUMN user_id SET NOT NULL;",
    ),
    dialects=("postgres", "mysql", "mariadb"),
)

_SET_NULL, _SET_DEFAULT = "set null", "set default"


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if context.dialect not in ("postgres", "mysql", "mariadb"):
        return
    reported: set[tuple[str, str]] = set()
    for op in migration.up:
        before, after = context.before(op), context.after(op)
        was = {(name, column) for name, _, column in _contradictions(before, context.postgres)}
        for name, key, column in _contradictions(after, context.postgres):
            if (name, column) in was or (name, column) in reported:
                continue
            reported.add((name, column))
            yield _finding(op, name, key, column, context)


def _contradictions(catalog: Catalog, postgres: bool) -> Iterator[tuple[str, ForeignKey, str]]:
    """(key name, key, column) for each column a SET NULL action of a database key writes NULL into while the
    column is NOT NULL (and on PostgreSQL, SET DEFAULT where the column has no default: that is NULL too)."""
    for name, key in catalog.foreign_keys.items():
        if key.declared:
            continue  # a model's `dependent: :nullify` is no key of the database
        actions = {key.on_delete, key.on_update}
        if _SET_NULL not in actions and not (postgres and _SET_DEFAULT in actions):
            continue
        # PostgreSQL 15's `ON DELETE SET NULL (col)` writes only the columns it lists (ON UPDATE takes no list)
        written = set(key.columns)
        if key.on_delete_columns and key.on_update not in (_SET_NULL, _SET_DEFAULT):
            written = set(key.on_delete_columns)
        for column in key.columns:
            if column not in written:
                continue
            known = catalog.column(key.table, column)
            if known is None or known.nullable:
                continue
            if _SET_NULL in actions or known.default is None:
                yield name, key, column


def _finding(op: Operation, name: str, key: ForeignKey, column: str, context: Context) -> Finding:
    on_delete = key.on_delete in (_SET_NULL, _SET_DEFAULT)
    action = (
        f"ON {'DELETE' if on_delete else 'UPDATE'} {(key.on_delete if on_delete else key.on_update).upper()}"
    )
    if _SET_NULL not in (key.on_delete, key.on_update):
        action += " with no default"
    where = f"`{key.table}.{column}`"
    if context.mysql:
        message = (
            f"{where} is NOT NULL while the foreign key `{name}` (`{key.table}` ({', '.join(key.columns)}) → "
            f"`{key.references}`) is {action}: {'MariaDB' if context.dialect == 'mariadb' else 'MySQL'} refuses "
            'this statement (ERROR 1830 "cannot be NOT NULL: needed in a foreign key constraint SET NULL", or '
            'errno 150 "Foreign key constraint is incorrectly formed").'
        )
        blast = (
            "The deploy stops at this statement; the statements before it have already committed (MySQL DDL "
            "is not transactional), so the schema is left half changed."
        )
    else:
        verb = "delete" if on_delete else "key change"
        message = (
            f"{where} is NOT NULL while the foreign key `{name}` (`{key.table}` ({', '.join(key.columns)}) → "
            f"`{key.references}`) is {action}: PostgreSQL accepts both, then refuses every {verb} of a "
            f"`{key.references}` row that `{key.table}` rows still point at (null value in column "
            f'"{column}" violates not-null constraint).'
        )
        blast = (
            f"Every {verb} of a referenced `{key.references}` row fails from this deploy on: the application's "
            "deletes (account removal, cleanup jobs, the admin's delete button) raise errors."
        )
    return op.finding(
        RULE,
        message,
        blast_radius=blast,
        fix=f"Decide what a {key.references} delete means for its {key.table} rows: ON DELETE CASCADE (they go "
        f"too), ON DELETE RESTRICT (the delete is refused while they exist), or keep `{column}` nullable.",
    )
