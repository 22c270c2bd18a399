"""MySQL and MariaDB refuse to change the type of a column a foreign key joins: the migration fails.

## Why is this bad?
InnoDB keeps the two columns of a foreign key the same type, and will not let one of them change while the
key stands. `ALTER TABLE users MODIFY id bigint NOT NULL AUTO_INCREMENT` with `orders.user_id` referencing
`users.id` fails with `ERROR 1833: Cannot change column 'id': used in a foreign key constraint` (1832 on the
referencing side, 3780 on MySQL 8 when the types would no longer match). MariaDB refuses even a longer
`varchar` and even with `foreign_key_checks` off; MySQL allows the change with the checks off only when both
sides end up with the same type. The deploy stops at that statement, and on MySQL every DDL statement before it
in the migration has already committed: the schema is left half changed and the migration cannot simply run
again. Rails' `change_column`, Laravel's `->change()`, Alembic's `alter_column` and Liquibase's
`modifyDataType` send exactly this statement; none of them drops the key for you (Django's schema editor does).

## Use instead
Drop the foreign keys on the column, change the referenced and the referencing columns, and add the keys back:

```sql
ALTER TABLE orders DROP FOREIGN KEY fk_orders_user;
ALTER TABLE users MODIFY id bigint NOT NULL AUTO_INCREMENT;
ALTER TABLE orders MODIFY user_id bigint NOT NULL;
ALTER TABLE orders ADD CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id);
```

Adding the key back copies `orders` while `foreign_key_checks` is on (see `mysql-table-copy`); on a large
table, run the whole change with an online schema-change tool instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import Catalog, ForeignKey, same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AlterColumnType, DropConstraint, Migration
from bot.rules._integrity import off_at
from bot.rules.context import Context
from bot.sql.conversions import type_parts

RULE = Rule(
    id="foreign-key-type-change",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Drop the foreign keys on the column, change both columns, then add the keys back.",
    bad=(
        "CREATE TABLE users (id int NOT NULL AUTO_INCREMENT PRIMARY KEY);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, user_id int NOT NULL,\n"
        "  CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id));\n"
        "-- migration\n"
        "ALTER TABLE users MODIFY id bigint NOT NULL AUTO_INCREMENT;",
    ),
    good=(
        "CREATE TABLE users (id int NOT NULL AUTO_INCREMENT PRIMARY KEY);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, user_id int NOT NULL,\n"
        "  CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id));\n"
        "-- migration\n"
        "ALTER TABLE orders DROP FOREIGN KEY fk_orders_user;\n"
        "ALTER TABLE users MODIFY id bigint NOT NULL AUTO_INCREMENT;\n"
        "ALTER TABLE orders MODIFY user_id bigint NOT NULL;\n"
        "ALTER TABLE orders ADD CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id);",
    ),
    dialects=("mysql", "mariadb"),
)

# integer types whose display width (`int(11)`) is no part of the type
_INTEGERS = frozenset({"tinyint", "smallint", "mediumint", "int", "integer", "bigint"})
_ALIASES = {"integer": "int", "character varying": "varchar", "decimal": "numeric", "bool": "tinyint"}


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.mysql:
        return
    for op in migration.up:
        if not isinstance(op, AlterColumnType):
            continue
        if migration.framework == "django" and not op.spelled_out:
            continue  # Django's schema editor drops the keys on the column and adds them back itself
        before = context.before(op)
        column = before.column(op.table, op.column)
        old = column.type if column is not None and column.type else op.old_type
        if not old or not _changes(old, op.new_type, mariadb=context.dialect == "mariadb"):
            continue
        dropped = {o.name.lower() for o in migration.same_statement(op) if isinstance(o, DropConstraint)}
        keys = [
            (n, k, side) for n, k, side in _keys_on(before, op.table, op.column) if n.lower() not in dropped
        ]
        if not keys:
            continue
        if context.dialect == "mysql" and off_at(migration, op, op.table) is not None:
            continue  # MySQL lets both sides change with the checks off (mismatched types are another matter)
        name, key, side = keys[0]
        error = "1833" if side == "referenced" else "1832"
        others = f" (and {len(keys) - 1} more)" if len(keys) > 1 else ""
        yield op.finding(
            RULE,
            f"Changing `{op.table}.{op.column}` from `{old}` to `{op.new_type}` fails: the foreign key `{name}` "
            f"(`{key.table}` ({', '.join(key.columns)}) → `{key.references}`){others} uses the column, and "
            f"{'MariaDB' if context.dialect == 'mariadb' else 'MySQL'} refuses to change the type of a column "
            f"a foreign key joins (ERROR {error}: Cannot change column '{op.column}': used in a foreign key "
            "constraint).",
            blast_radius="The deploy stops at this statement; the statements before it have already committed "
            "(MySQL DDL is not transactional), so the schema is left half changed and the migration cannot "
            "simply run again.",
            fix=f"Drop the foreign key first (`ALTER TABLE {key.table} DROP FOREIGN KEY {name};`), change "
            f"`{key.table}` ({', '.join(key.columns)}) and `{key.references}` to the same new type, then add "
            "the key back.",
        )


def _changes(old: str, new: str, *, mariadb: bool) -> bool:
    """Does MODIFY from `old` to `new` change the column's type as InnoDB's foreign keys see it? A restated
    type (`int(11)` as `int`, a new NOT NULL or comment) does not. MariaDB refuses any other change, a longer
    varchar included; MySQL lets a varchar grow."""
    (ob, oa), (nb, na) = _parts(old), _parts(new)
    if (ob, oa) == (nb, na):
        return _unsigned(old) != _unsigned(new)
    longer_varchar = ob == nb == "varchar" and bool(oa) and bool(na) and na[0] >= oa[0]
    return mariadb or not longer_varchar


def _parts(type_sql: str) -> tuple[str, tuple[int, ...]]:
    base, args = type_parts(type_sql.lower().replace("unsigned", "").replace("signed", "").strip())
    base = _ALIASES.get(base, base)
    return base, () if base in _INTEGERS else args


def _unsigned(type_sql: str) -> bool:
    return "unsigned" in type_sql.lower()


def _keys_on(catalog: Catalog, table: str, column: str) -> Iterator[tuple[str, ForeignKey, str]]:
    """The foreign keys that use `table.column`, on either side: (name, key, "referencing" | "referenced")."""
    for name, key in catalog.foreign_keys.items():
        if same_table(key.table, table) and column in key.columns:
            yield name, key, "referencing"
        elif same_table(key.references, table):
            referenced = key.referenced_columns or catalog.row_key(key.references)
            if column in referenced:
                yield name, key, "referenced"
