"""SET NOT NULL on an existing column scans the whole table under an exclusive lock.

## Why is this bad?
PostgreSQL checks every row while holding an ACCESS EXCLUSIVE lock: no reads or writes until the scan
ends. MySQL and MariaDB rebuild the table in place to change a column's nullability (writes go on,
replicas lag for the rebuild; `ALGORITHM=COPY` or `LOCK=SHARED` blocks writes). And the statement fails if
any row is NULL (MySQL outside strict mode turns the NULLs into '' or 0 instead), which only production knows.

## Use instead
On PostgreSQL 12 and later: `ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID`, then
`VALIDATE CONSTRAINT` (which does not block writes), then `SET NOT NULL` (which uses the validated
constraint and skips the scan), then drop the CHECK. Verify first that no row is NULL. MySQL and
MariaDB have no `NOT VALID`: backfill the NULLs in batches, then `MODIFY … NOT NULL, ALGORITHM=INPLACE,
LOCK=NONE`.

## Framework notes
MySQL's `MODIFY`/`CHANGE`, Laravel's `->change()` and Liquibase's `modifyColumn` restate the whole column, NOT
NULL included, whether or not it changes: on a column whose earlier definition the migrations never showed,
the rule cannot tell a kept NOT NULL from a new one and stays quiet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.model.catalog import Catalog, pinned_value
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import (
    AddConstraint,
    DataUpdate,
    Migration,
    Operation,
    SetNotNull,
    ValidateConstraint,
)
from bot.rules._backfill import sets_column
from bot.rules.context import Context
from bot.sql import mysql_ddl
from bot.sql.check_values import check_body

RULE = Rule(
    id="set-not-null",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Add a `CHECK (col IS NOT NULL) NOT VALID` constraint, validate it, then SET NOT NULL.",
    bad=("ALTER TABLE users ALTER COLUMN email SET NOT NULL;",),
    good=(
        "ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;\n"
        "ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\n"
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    ),
    framework_help=(
        (
            "rails",
            '`add_check_constraint :table, "col IS NOT NULL", name: "…", validate: false`, then `validate_check_constraint`, then `change_column_null :table, :col, false` and remove the check.',
        ),
        (
            "django",
            'Add a `CheckConstraint(col__isnull=False)` with `RunSQL("… NOT VALID")`, validate it in a later migration, then AlterField to null=False.',
        ),
        (
            "alembic",
            "`op.execute` a `CHECK (col IS NOT NULL) NOT VALID` constraint, validate it, then `op.alter_column(…, nullable=False)`.",
        ),
        (
            "knex",
            "`knex.raw` a `CHECK (col IS NOT NULL) NOT VALID` constraint, validate it in a later migration, then `table.dropNullable('col')`.",
        ),
        (
            "node-pg-migrate",
            "`pgm.addConstraint(table, name, 'CHECK (col IS NOT NULL) NOT VALID')`, validate it in a later migration, then `pgm.alterColumn(table, col, { notNull: true })`.",
        ),
        (
            "typeorm",
            "`queryRunner.query` a `CHECK (col IS NOT NULL) NOT VALID` constraint, validate it in a later migration, then `SET NOT NULL`.",
        ),
        (
            "sequelize",
            "`queryInterface.sequelize.query` a `CHECK (col IS NOT NULL) NOT VALID` constraint, validate it later, then `changeColumn` to `allowNull: false`.",
        ),
        (
            "laravel",
            "`DB::statement('ALTER TABLE … ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID')`, validate it in a later migration, then `->nullable(false)->change()` and drop the check.",
        ),
        (
            "ecto",
            '`create constraint(:table, :col_not_null, check: "col IS NOT NULL", validate: false)`, `execute "ALTER TABLE … VALIDATE CONSTRAINT col_not_null"` in a later migration, then `modify :col, :type, null: false` and drop the check.',
        ),
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    # PostgreSQL uses a validated CHECK to skip the scan from version 12 on; before that it scans anyway
    proves = context.postgres and context.at_least(12)
    validated = _validated_not_null_checks(migration) if proves else set()
    for op in migration.up:
        if not isinstance(op, SetNotNull) or (op.table, op.column) in validated:
            continue
        catalog = context.before(op)
        if proves and _validated_unknown_check(migration, op, catalog):
            continue
        known = catalog.column(op.table, op.column)
        if known is not None and not known.nullable:
            continue  # already NOT NULL (MySQL MODIFY restates the whole column definition)
        if known is None and op.restated:
            continue  # a restated definition of a column the history never showed: NOT NULL is most likely kept
        if context.postgres and context.at_least(12) and catalog.validated_not_null(op.table, op.column):
            continue  # PostgreSQL 12+ proves it from the validated CHECK and skips the scan
        if context.mysql:
            yield from _mysql(migration, op, context)
            continue
        left = _left_null(migration, op, context)
        severity = context.lock_severity(op.table, RULE.severity, op)
        if severity is None:
            continue
        if left.rows:
            severity = Severity.CRITICAL
        yield op.finding(
            RULE,
            f"`{op.table}.{op.column}` is set NOT NULL on an existing table.{left.words}",
            severity=severity,
            blast_radius=f"Reads and writes on {context.size_words(op.table, op)} stop while every row is checked; "
            + (
                "its NULLs were filled before it (an UPDATE, or Django's AlterField filling them with the default), "
                "so only a NULL written in between can fail it."
                if (op.table, op.column) in catalog.filled
                else "the migration fails if any row is NULL."
            ),
        )


def _mysql(migration: Migration, op: SetNotNull, context: Context) -> Iterator[Finding]:
    """MySQL and MariaDB rebuild the table in place (writes go on) unless the statement asks for a copy or a lock;
    a NULL left in the column fails the statement in strict mode and becomes the type's zero value outside it."""
    plan = mysql_ddl.explicit(op.options, op.sql) or (mysql_ddl.INPLACE, "NONE")
    blocking = plan[0] == mysql_ddl.COPY or plan[1] in ("SHARED", "EXCLUSIVE")
    severity = context.lock_severity(op.table, Severity.CRITICAL if blocking else Severity.WARNING, op)
    if severity is None:
        return
    how = (
        f"copies {context.size_words(op.table, op)} while writes wait"
        if blocking
        else f"rebuilds {context.size_words(op.table, op)} in place: writes go on, replicas lag for the whole rebuild"
    )
    left = _left_null(migration, op, context)
    if left.rows:
        severity = Severity.CRITICAL
    nulls = left.words or ("" if _nulls_handled(migration, op, context) else _null_outcome(op, context))
    yield op.finding(
        RULE,
        f"`{op.table}.{op.column}` becomes NOT NULL: the server {how}.{nulls}",
        severity=severity,
        blast_radius="In strict mode the statement fails on the first NULL row after the rebuild has run; "
        "outside strict mode NULLs silently become the type's zero value ('' or 0).",
        fix=f"Backfill the NULLs of `{op.column}` in batches first, then run the change with "
        "`ALGORITHM=INPLACE, LOCK=NONE` so the server refuses rather than blocks writes; on a large table use an "
        "online schema-change tool (gh-ost, pt-online-schema-change).",
    )


@dataclass(frozen=True)
class _Left:
    """What the change's partial fills leave NULL: `words` for the message, `rows` the seeded rows none fills."""

    words: str = ""
    rows: tuple[str, ...] = ()


def _left_null(migration: Migration, op: SetNotNull, context: Context) -> _Left:
    """The UPDATEs of the change before the statement write the column only in the rows their conditions pick
    (`UPDATE job SET short_name = 'LA_USUM' WHERE name = 'Update loan Summary'`, one per lookup row): any other
    row keeps its NULL. When the change added the column without a default, a row the migrations inserted that
    none of those UPDATEs names still holds NULL on every database: the statement fails there for certain."""
    earlier = [o for m in context.change[: max(context.position, 0)] for o in m.up]
    earlier += migration.up[: migration.up.index(op)]
    fills = [o for o in earlier if sets_column(o, op.table, op.column) and not _writes_null(o, op.column)]
    if not fills or any(not isinstance(f, DataUpdate) or f.where is None for f in fills):
        return _Left()
    if (op.table, op.column) in context.before(op).filled:
        return _Left()
    lines = ", ".join(
        f"line {f.location.line}"
        if f.location.path == op.location.path
        else f"`{f.location.path}:{f.location.line}`"
        for f in fills[:3]
    )
    more = f" and {len(fills) - 3} more" if len(fills) > 3 else ""
    words = (
        (" The UPDATE before it" if len(fills) == 1 else f" The {len(fills)} UPDATEs before it")
        + f" ({lines}{more}) {'writes' if len(fills) == 1 else 'write'} `{op.column}` only in the rows "
        + ("its condition picks" if len(fills) == 1 else "their conditions pick")
        + ": any other row keeps its NULL and fails the statement."
    )
    rows = _seeded_rows_left(fills, op, context)
    if rows:
        shown = ", ".join(rows[:5]) + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")
        words += (
            f" The change adds `{op.column}` without a default, and rows the migrations inserted are named by none "
            f"of them ({shown}): they hold NULL on every database that ran those migrations, so the statement "
            "fails there."
        )
    return _Left(words, rows)


def _writes_null(op: Operation, column: str) -> bool:
    return isinstance(op, DataUpdate) and all(
        value.strip().upper() == "NULL" for name, value in op.assignments if name == column
    )


def _seeded_rows_left(fills: list[Operation], op: SetNotNull, context: Context) -> tuple[str, ...]:
    """The rows the migrations inserted (the catalog's seeds, which a `WHERE name = '…'` UPDATE writes into)
    that still lack the column, when the change added it without a default and every fill names its rows by
    one column's value (a fill by any other condition may reach rows the seeds cannot tell)."""
    catalog = context.before(op)
    column = catalog.column(op.table, op.column)
    if column is None or not column.added_in_change or column.default is not None:
        return ()
    pinned = {_pinned_column(f) for f in fills}
    if "" in pinned:
        return ()
    left = []
    for row in catalog.seeds.get(op.table, []):
        value = row.get(op.column)
        if value is not None and value.strip().upper() != "NULL":
            continue
        named = [f"`{k}` = {v}" for k, v in row.items() if k in pinned] or [
            f"`{k}` = {v}" for k, v in list(row.items())[:2]
        ]
        left.append(", ".join(named))
    return tuple(left)


def _pinned_column(op: Operation) -> str:
    pinned = pinned_value(op.where) if isinstance(op, DataUpdate) else None
    return pinned[0] if pinned else ""


def _nulls_handled(migration: Migration, op: SetNotNull, context: Context) -> bool:
    """An earlier UPDATE of the migration writes the column (the NULLs filled), or the probe counted none."""
    if any(sets_column(o, op.table, op.column) for o in migration.up[: migration.up.index(op)]):
        return True
    nulls = context.facts.count("nulls", op.table, (op.column,)) if context.facts is not None else None
    return nulls is not None and nulls.rows == 0


def _null_outcome(op: SetNotNull, context: Context) -> str:
    """What MySQL and MariaDB do with the NULLs a column still holds when it becomes NOT NULL (MariaDB 10.11:
    error 1265 in strict mode; outside it a warning, and the NULL stored as the type's zero value)."""
    known = context.before(op).column(op.table, op.column)
    zero = _zero_value(known.type if known is not None else "")
    return (
        f" Nothing before it fills the NULLs `{op.column}` may hold: in strict mode (the default) the ALTER fails at "
        f"the first NULL row (error 1265, data truncated); outside strict mode each NULL silently becomes {zero}, "
        "a value no one wrote."
    )


_ZERO = (
    (("char", "text", "blob", "binary", "json"), "`''`"),
    (("datetime", "timestamp"), "`'0000-00-00 00:00:00'`"),
    (("date",), "`'0000-00-00'`"),
    (("time",), "`'00:00:00'`"),
    (("int", "dec", "numeric", "float", "double", "real", "bit", "bool"), "`0`"),
)


def _zero_value(type_: str) -> str:
    lowered = type_.lower()
    return next((zero for words, zero in _ZERO if any(w in lowered for w in words)), "the type's zero value")


def _validated_not_null_checks(migration: Migration) -> set[tuple[str, str]]:
    """Columns with a `CHECK (col IS NOT NULL)` constraint added and validated before SET NOT NULL."""
    checks: dict[str, tuple[str, str]] = {}
    validated: set[tuple[str, str]] = set()
    for op in migration.up:
        if isinstance(op, AddConstraint) and op.constraint == "check":
            match = re.fullmatch(
                r"\(?\s*\"?(\w+)\"?\s+IS\s+NOT\s+NULL\s*\)?", op.expression_sql or check_body(op.sql), re.I
            )
            if match:
                key = (op.table, match.group(1).lower())
                if op.not_valid:
                    checks[op.name] = key
                else:
                    validated.add(key)
        elif isinstance(op, ValidateConstraint) and op.name in checks:
            validated.add(checks[op.name])
    return validated


def _validated_unknown_check(migration: Migration, op: SetNotNull, catalog: Catalog) -> bool:
    """A constraint named for the column, defined where the review cannot see it, validated just before.

    The two-step pattern spreads over migrations: the CHECK is added `NOT VALID` in an earlier one (or in
    the schema the review does not have), then validated and used in this one. A constraint of unknown
    definition whose name carries the column's name, validated on the same table before `SET NOT NULL`,
    is read as that CHECK.
    """
    column = op.column.lower()
    for earlier in migration.up:
        if earlier is op:
            return False
        if (
            isinstance(earlier, ValidateConstraint)
            and earlier.table == op.table
            and earlier.name not in catalog.checks
            and earlier.name not in catalog.foreign_keys
            and column in earlier.name.lower()
        ):
            return True
    return False
