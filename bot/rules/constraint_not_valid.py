"""Adding a foreign key or CHECK constraint validates every row while blocking writes.

## Why is this bad?
`ADD CONSTRAINT … FOREIGN KEY` takes a SHARE ROW EXCLUSIVE lock on both tables and scans the whole
table to validate it; `ADD CONSTRAINT … CHECK` holds an ACCESS EXCLUSIVE lock during its scan. Writes
(and for CHECK, reads) wait for the scan. If one row violates the constraint, the migration fails.

## Use instead
Add the constraint with `NOT VALID` (instant; new rows are checked), then run
`VALIDATE CONSTRAINT` in a later statement or migration: validation takes a lock that lets reads and
writes go on.

## Framework notes
A foreign key on columns the same migration has just added without a default (Rails' `add_reference` then
`add_foreign_key`, Prisma's and Drizzle's `ADD COLUMN` then `ADD CONSTRAINT … FOREIGN KEY`) cannot find an
orphan, every row holds NULL there, and the finding says so; it still reads every row under its lock.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, AddConstraint, Migration
from bot.rules.context import Context

RULE = Rule(
    id="constraint-not-valid",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Add the constraint `NOT VALID`, then `VALIDATE CONSTRAINT` in a separate step.",
    bad=("ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",),
    good=(
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;",
    ),
    dialects=("postgres",),
    framework_help=(
        (
            "rails",
            "`add_foreign_key … validate: false` (or `add_check_constraint … validate: false`), then `validate_foreign_key` / `validate_check_constraint` in a later migration.",
        ),
        (
            "django",
            'Add the constraint with `RunSQL("… NOT VALID")` and validate it in a later migration (Django\'s AddConstraint validates at once).',
        ),
        (
            "alembic",
            '`op.execute("ALTER TABLE … ADD CONSTRAINT … NOT VALID")`, then `VALIDATE CONSTRAINT` in a later revision.',
        ),
        (
            "knex",
            "`knex.raw('ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY … NOT VALID')` instead of `table.foreign()`, then `VALIDATE CONSTRAINT` in a later migration.",
        ),
        (
            "typeorm",
            "`queryRunner.query('ALTER TABLE … ADD CONSTRAINT … NOT VALID')` (`createForeignKey` cannot add it NOT VALID), then `VALIDATE CONSTRAINT` in a later migration.",
        ),
        (
            "sequelize",
            "`queryInterface.sequelize.query('ALTER TABLE … ADD CONSTRAINT … NOT VALID')` instead of `addConstraint`, then `VALIDATE CONSTRAINT` in a later migration.",
        ),
        (
            "prisma-push",
            "`prisma db push` validates the key at once: add it by hand first (`ALTER TABLE … ADD CONSTRAINT … NOT VALID`, "
            "then `VALIDATE CONSTRAINT`, run with `prisma db execute`) under the name Prisma gives it, so db push finds "
            "nothing left to do.",
        ),
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    separate = {
        (o.table, c)
        for o in migration.up
        if isinstance(o, AddConstraint) and not o.on_column
        for c in o.columns
    }
    inline = {
        (o.table, o.column.name) for o in migration.up if isinstance(o, AddColumn) and o.column.references
    }
    empty = {  # columns added by this migration without a default: NULL in every existing row
        (o.table, o.column.name)
        for o in migration.up
        if isinstance(o, AddColumn) and (o.column.default is None or o.column.default.upper() == "NULL")
    }
    for op in migration.up:
        if isinstance(op, AddColumn) and op.column.references:
            if (op.table, op.column.name) not in separate:  # a framework that adds the key as its own step
                yield from _inline_reference(op, context)
            continue
        if not isinstance(op, AddConstraint) or op.not_valid or op.constraint not in ("foreign_key", "check"):
            continue
        if (
            op.on_column
            and op.constraint == "foreign_key"
            and any((op.table, c) in inline for c in op.columns)
        ):
            continue  # reported with the column that declares it, above
        new_key = (
            op.constraint == "foreign_key"
            and bool(op.columns)
            and all((op.table, c) in empty for c in op.columns)
        )
        # a key on columns just added without a default has no orphan to find: the scan under the lock is the cost
        severity = context.lock_severity(op.table, RULE.severity)
        if severity is None:
            continue
        kind = "foreign key" if op.constraint == "foreign_key" else "CHECK constraint"
        if op.constraint == "foreign_key":
            blocked = f"Writes to {context.size_words(op.table)}" + (
                f" and to `{op.references}`" if op.references else ""
            )
            blast = f"{blocked} wait while every row is validated; " + (
                "no row can be an orphan (its columns were just added, NULL in every row), but every row is read."
                if new_key
                else "the migration fails on the first orphan row."
            )
        else:
            blast = (
                f"Reads and writes on {context.size_words(op.table)} wait while every row is checked; "
                "the migration fails on the first violating row."
            )
        suggestion = op.sql.rstrip() + " NOT VALID" if "\n" not in op.sql and not op.on_column else None
        yield op.finding(
            RULE,
            f"The {kind} {f'`{op.name}` ' if op.name else ''}on `{op.table}` is validated under lock.",
            severity=severity,
            blast_radius=blast,
            fix=ON_COLUMN_HELP if op.on_column else None,
            suggestion=suggestion,
        )


ON_COLUMN_HELP = (
    "A constraint written on the column cannot be `NOT VALID`: add the column without it, then "
    "`ALTER TABLE … ADD CONSTRAINT … NOT VALID` and `VALIDATE CONSTRAINT` in a separate step."
)


def _inline_reference(op: AddColumn, context: Context) -> Iterator[Finding]:
    """`ADD COLUMN … REFERENCES` adds a validated foreign key: every row is read under the column's lock."""
    column = op.column
    base = Severity.CRITICAL if column.default is not None else Severity.WARNING
    severity = context.lock_severity(op.table, base)
    if severity is None:
        return
    yield op.finding(
        RULE,
        f"The inline `REFERENCES {column.references}` on the new column `{op.table}.{column.name}` is validated "
        "at once: PostgreSQL reads every row while it holds the ADD COLUMN's ACCESS EXCLUSIVE lock.",
        severity=severity,
        blast_radius=f"Reads and writes on {context.size_words(op.table)}, and writes to `{column.references}`, "
        "wait for the whole scan.",
        fix=f"Add the column without REFERENCES, then `ALTER TABLE {op.table} ADD CONSTRAINT … FOREIGN KEY "
        f"({column.name}) REFERENCES {column.references} NOT VALID`, and `VALIDATE CONSTRAINT` in a later migration.",
    )
