"""Adding a NOT NULL column without a default fails on a table that has rows.

## Why is this bad?
Existing rows have no value for the new column. PostgreSQL and SQLite reject the `ALTER TABLE` as soon
as the table is not empty; MySQL and MariaDB accept it and fill every row with the type's implicit
default (0, an empty string), which is silently wrong data, or fails on the spot where the same migration
then puts a unique key or a foreign key on the column before filling it. The old application release, still running during the deploy, also does not
write the column, so its inserts fail once the column exists. The same holds when the column is added with a
default that the migration then drops (what Django does with a field's `default=`): the existing rows are
filled, but every insert of the release still running omits the column and fails.

## Use instead
Add the column as nullable (or with a constant default), backfill it in batches, then add the NOT NULL
constraint in a later migration (on PostgreSQL through a `CHECK (… IS NOT NULL) NOT VALID` constraint
validated separately). Keep a default the old release relies on until no running release omits the column
(Django 5: `db_default=`), and drop it, if at all, in a later migration.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from bot.model.catalog import same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    CreateTable,
    DataDelete,
    DataInsert,
    DataUpdate,
    DropNotNull,
    Migration,
    Operation,
    RunCode,
    SetDefault,
    SetNotNull,
    Truncate,
)
from bot.rules.context import Context
from bot.sql.rebuilds import replaced_tables
from bot.sql.writes import writes

RULE = Rule(
    id="not-null-without-default",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Add the column nullable or with a constant default, backfill it, then make it NOT NULL.",
    bad=(
        "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;",
        "ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;\n"
        "ALTER TABLE users ALTER COLUMN active DROP DEFAULT;",
    ),
    good=(
        "ALTER TABLE users ADD COLUMN tenant_id bigint;",
        "ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;",
        "ALTER TABLE users ADD COLUMN note text DEFAULT '';\nALTER TABLE users ALTER COLUMN note DROP DEFAULT;",
    ),
    framework_help=(
        (
            "rails",
            "`add_column :table, :col, :type` (nullable) or with `default:`; backfill in batches; then `change_column_null`.",
        ),
        (
            "django",
            "AddField with `null=True` (or `db_default=`); backfill; then AlterField to `null=False` in a later migration.",
        ),
        (
            "alembic",
            "`op.add_column(sa.Column(..., nullable=True))` or with `server_default=`; backfill; then `op.alter_column(..., nullable=False)`.",
        ),
        (
            "knex",
            "Add the column nullable (or with `.defaultTo(…)`), backfill in batches, then `table.dropNullable('col')` in a later migration.",
        ),
        (
            "node-pg-migrate",
            "Add the column nullable (or with a `default`), backfill in batches, then `pgm.alterColumn(table, col, { notNull: true })` in a later migration.",
        ),
        (
            "typeorm",
            "`addColumn` with `isNullable: true` (or a `default`), backfill in batches, then make it NOT NULL in a later migration.",
        ),
        (
            "sequelize",
            "`addColumn` with `allowNull: true` (or a `defaultValue`), backfill in batches, then `changeColumn` to `allowNull: false` later.",
        ),
        (
            "laravel",
            "`$table->type('col')->nullable()` (or with `->default(…)`); backfill in batches; then `->nullable(false)->change()` in a later migration.",
        ),
        (
            "ecto",
            "`add :col, :type` without `null: false` (or with `default:`); backfill in batches; then `modify :col, :type, null: false` in a later migration.",
        ),
    ),
)


_NULL = re.compile(r"\(*\s*NULL(?:\s*::\s*[\w .\"()]+)?\s*\)*", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, AddColumn):
            continue
        column = op.column
        if column.nullable or column.identity or column.generated:
            continue
        if column.default is not None and (context.mysql or not _NULL.fullmatch(column.default.strip())):
            continue  # `DEFAULT NULL` is no default (MySQL refuses it: null-default-on-not-null)
        if context.catalog.is_new(op.table):
            continue
        if context.mysql and _unique(migration, op):
            blast = (
                f"MySQL and MariaDB fill every existing row of {context.size_words(op.table)} with the type's "
                "implicit default (0, '', a zero date), the same value in every row: the unique key on "
                f"`{column.name}` fails with a duplicate entry as soon as the table has two rows."
            )
        elif context.mysql and (parent := _referenced(migration, op)):
            blast = (
                f"MySQL and MariaDB fill every existing row of {context.size_words(op.table)} with the type's "
                f"implicit default (0, ''), which no row of `{parent}` holds: the foreign key on "
                f"`{column.name}` fails as soon as the table has a row (with `foreign_key_checks` on)."
            )
        elif context.mysql and _filled_later(migration, op):
            blast = (
                f"The migration fills `{column.name}` after adding it, but every insert into `{op.table}` from the "
                "release still running omits the column: strict mode (MySQL's and MariaDB's default) refuses "
                "it (\"doesn't have a default value\"), and without strict mode it stores the type's implicit "
                "default (0, '')."
            )
        elif context.mysql:
            blast = (
                f"MySQL and MariaDB fill every existing row of {context.size_words(op.table)} with the type's "
                "implicit default (0, '', a zero date): silently wrong data, not an error; and every insert "
                "from the release still running omits the column, which strict mode (the default) refuses "
                '("doesn\'t have a default value").'
            )
        elif _emptied_before(migration, op) and context.config.deployment == "offline":
            continue  # emptied first, and no running release inserts while it is added
        elif _emptied_before(migration, op):
            blast = (
                f"The migration empties `{op.table}` first, so the column is added; but every insert from the "
                "release still running omits it and fails with a NOT NULL violation until the new code is out."
            )
        else:
            blast = (
                f"The migration fails if {context.size_words(op.table)} has any row; if it is empty now, "
                "inserts from the release still running fail until the new code is out."
            )
        yield op.finding(
            RULE,
            f"`{op.table}.{column.name}` is added NOT NULL without a default{_python_side(migration, op)}.",
            blast_radius=blast,
        )
    if context.config.deployment == "offline":
        return  # no release runs while the migration does: nobody inserts without the new column
    yield from _defaults_dropped(migration, context)
    yield from _made_not_null_default_dropped(migration, context)
    yield from _rebuilt_with_new_columns(migration, context)


def _python_side(migration: Migration, op: AddColumn) -> str:
    """An Alembic column with SQLAlchemy's `default=` and no `server_default=`: a default only the ORM's own
    inserts use, which the database and the existing rows never see."""
    if migration.framework != "alembic" or "server_default" in op.sql:
        return ""
    if re.search(r"\bdefault\s*=", op.sql) is None:
        return ""
    return (
        " in the database (SQLAlchemy's `default=` is filled in by the ORM on its own inserts; the existing rows "
        "never get it: `server_default=` is the database's)"
    )


def _unique(migration: Migration, op: AddColumn) -> bool:
    """Is the column unique, by its own declaration or a unique key the migration puts on it alone before
    anything writes the column?"""
    return op.column.unique or any(
        (isinstance(each, AddConstraint) and each.constraint in ("unique", "primary_key"))
        or (isinstance(each, AddIndex) and each.unique)
        for each in _before_a_write(migration, op)
        if same_table(getattr(each, "table", ""), op.table)
        and tuple(getattr(each, "columns", ())) == (op.column.name,)
    )


def _referenced(migration: Migration, op: AddColumn) -> str:
    """The table a foreign key on the column alone points at, added before anything writes the column."""
    return next(
        (
            each.references or ""
            for each in _before_a_write(migration, op)
            if isinstance(each, AddConstraint)
            and each.constraint == "foreign_key"
            and same_table(each.table, op.table)
            and each.columns == (op.column.name,)
            and each.references
        ),
        "",
    )


def _filled_later(migration: Migration, op: AddColumn) -> bool:
    """Does something after the addition write the column (an UPDATE that sets it, code on the table)?"""
    start = next(i for i, each in enumerate(migration.up) if each is op)
    return len(_before_a_write(migration, op)) < len(migration.up) - start


def _before_a_write(migration: Migration, op: AddColumn) -> list[Operation]:
    """The operations from the column's addition up to the first that may fill it (an UPDATE that sets it,
    code that touches the table): a key added after a backfill meets the values written, not the default."""
    start = next(i for i, each in enumerate(migration.up) if each is op)
    found: list[Operation] = []
    for each in migration.up[start:]:
        if (
            isinstance(each, DataUpdate)
            and same_table(each.table, op.table)
            and (not each.assignments or any(c == op.column.name for c, _ in each.assignments))
        ):
            break
        if isinstance(each, RunCode) and (not each.touches or op.table in each.touches):
            break
        found.append(each)
    return found


def _emptied_before(migration: Migration, op: AddColumn) -> bool:
    """A DELETE without WHERE or a TRUNCATE of the table earlier in the migration."""
    earlier = migration.up[: next(i for i, each in enumerate(migration.up) if each is op)]
    return any(
        (isinstance(each, Truncate) or (isinstance(each, DataDelete) and not each.where))
        and same_table(each.table, op.table)
        for each in earlier
    )


def _rebuilt_with_new_columns(migration: Migration, context: Context) -> Iterator[Finding]:
    """A table rebuilt by copy (SQLite's way to alter it) whose new definition adds a NOT NULL column
    without a default: the existing rows get a value from the copy, the old release's inserts get none."""
    for original, created in replaced_tables(migration).items():
        old = _old_columns(migration.up, created, original, context)
        if old is None:
            continue
        for column in created.columns:
            quiet = column.nullable or column.default is not None or column.identity or column.generated
            if quiet or column.primary_key or column.name in old:
                continue
            yield created.finding(
                RULE,
                f"`{original}` is rebuilt with the new column `{column.name}` NOT NULL and without a default.",
                blast_radius=f"Every insert into {context.size_words(original)} from the release still running "
                "during the deploy omits the new column and fails with a NOT NULL violation, until the new "
                "code is out.",
                fix=f"Give the new column a database default{_django_default(migration)} or add it nullable, and "
                "make it NOT NULL only once no running release omits it.",
            )


def _old_columns(
    ops: tuple[Operation, ...], created: CreateTable, original: str, context: Context
) -> set[str] | None:
    """The columns the table had before: from the schema when known, else the ones the copy reads from
    the old table (a constant written into a column is no copy). None when neither tells."""
    known = context.catalog.tables.get(original)
    if known is not None and known.columns:
        return set(known.columns)
    copies = [op for op in ops if isinstance(op, DataInsert) and op.table == created.table and op.from_select]
    if not copies:
        return None
    return {w.target for op in copies for w in writes(op) if isinstance(w.value, exp.Column)}


def _defaults_dropped(migration: Migration, context: Context) -> Iterator[Finding]:
    """A NOT NULL column added with a default that the same migration drops: the old release's inserts fail.

    One finding per statement that drops defaults (and table), naming every such column it drops."""
    ops = migration.up
    dropping: dict[tuple[int, str], tuple[SetDefault, AddColumn, list[str]]] = {}
    for index, op in enumerate(ops):
        if not isinstance(op, AddColumn) or context.catalog.is_new(op.table):
            continue
        column = op.column
        if column.nullable or column.default is None or column.identity or column.generated:
            continue
        dropped = _last_default_change(ops[index + 1 :], op.table, column.name)
        if isinstance(dropped, SetDefault) and dropped.default is None:
            # a framework's one-off defaults (one per added field) are one change of the table: one finding
            one_off = dropped.location.line == op.location.line
            key = (0 if one_off else dropped.location.line, op.table)
            dropping.setdefault(key, (dropped, op, []))[2].append(
                f"`{column.name}` (default `{column.default}`)"
            )
    for dropped, added, columns in dropping.values():
        when = (
            "right after they fill the existing rows (the framework drops a one-off default)"
            if dropped.location.line == added.location.line
            else f"at line {dropped.location.line}"
        )
        plural = len(columns) > 1
        listed = ", ".join(columns[:6]) + (f" and {len(columns) - 6} more" if len(columns) > 6 else "")
        yield dropped.finding(
            RULE,
            f"`{added.table}` gets the NOT NULL column{'s' if plural else ''} {listed}, and "
            f"{'their defaults are' if plural else 'its default is'} dropped {when}: from then on an insert "
            f"that omits {'them' if plural else 'it'} fails.",
            blast_radius=f"Every insert into {context.size_words(added.table)} from the release still running during "
            "the deploy omits the new column and fails with a NOT NULL violation, until the new code is out.",
            fix=f"Keep the database default until no running release omits the column{_django_default(migration)}; "
            "drop it, if at all, in a later migration.",
        )


def _made_not_null_default_dropped(migration: Migration, context: Context) -> Iterator[Finding]:
    """An existing column given a default, filled and made NOT NULL, then left without the default (Django's
    way to apply `null=False` with a `default=`, MySQL's MODIFY that restates no DEFAULT): the rows are
    fine, but the release still running inserts without the column, or with NULL, and fails."""
    ops = migration.up
    for index, op in enumerate(ops):
        if not isinstance(op, SetNotNull) or context.catalog.is_new(op.table):
            continue
        known = context.before(op).column(op.table, op.column)
        if known is not None and (not known.nullable or known.added_in_change):
            continue  # NOT NULL already (a MODIFY restating it), or a column this change adds
        same = [
            o
            for o in ops
            if getattr(o, "table", None) == op.table and getattr(o, "column", None) == op.column
        ]
        earlier = [o for o in same[: same.index(op)] if isinstance(o, SetDefault)]
        later = _last_default_change(ops[index:], op.table, op.column)
        if not earlier or earlier[-1].default is None or not isinstance(later, SetDefault) or later.default:
            continue
        yield later.finding(
            RULE,
            f"`{op.table}.{op.column}` is made NOT NULL with a default that only lasts the migration (`"
            f"{earlier[-1].default}`): from then on an insert that omits it, or sends NULL, fails.",
            blast_radius=f"Every insert into {context.size_words(op.table)} from the release still running during "
            "the deploy, which knows the column as nullable, fails with a NOT NULL violation until the new code "
            "is out.",
            fix=f"Keep the database default until no running release omits the column{_django_default(migration)}, "
            "and make the column NOT NULL only once the code always sets it.",
        )


def _django_default(migration: Migration) -> str:
    """Django's own way to keep a database default, for a Django migration only."""
    return " (Django 5: `db_default=`)" if migration.framework == "django" else ""


def _last_default_change(ops: tuple[Operation, ...], table: str, column: str) -> Operation | None:
    """The last statement after the ADD that changes the column's default or makes it nullable again."""
    found: Operation | None = None
    for op in ops:
        same = getattr(op, "table", None) == table and getattr(op, "column", None) == column
        if same and isinstance(op, SetDefault | DropNotNull):
            found = op
    return found
